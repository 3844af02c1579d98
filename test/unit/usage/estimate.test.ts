/**
 * The pre-call prompt estimate counts an image as the providers bill it: a 300 KB screenshot is
 * under 2K tokens, not the ~100K its base64 would be as text, so it does not send the request to
 * the context window fallback for nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import { anthropicImageTokens, estimatePromptTokens, imageSizeOfDataUrl, openAIImageTokens, UNKNOWN_IMAGE_TOKENS } from '../../../src/core/usage/estimate';
import type { MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { encodePng } from '../helpers/png';

/** A real PNG (grayscale) of the given size whose compressed data is about `bytes` long: noise in part of each row. */
function png(width: number, height: number, bytes: number): Buffer {
  const noisy = Math.min(width, Math.ceil(bytes / height));
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) randomBytes(noisy).copy(rows, y * (width + 1) + 1);
  return encodePng(width, height, 'gray', rows);
}

const SCREENSHOT = png(1920, 1080, 300_000);
const dataUrl = (b: Buffer, type = 'image/png') => `data:${type};base64,${b.toString('base64')}`;
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);

describe('prompt estimate: images as providers count them', () => {
  it('reads the size of PNG, JPEG and GIF data URLs', () => {
    assert.ok(SCREENSHOT.length > 280_000 && SCREENSHOT.length < 330_000, `${SCREENSHOT.length} bytes`);
    assert.deepEqual(imageSizeOfDataUrl(dataUrl(SCREENSHOT)), { width: 1920, height: 1080 });
    assert.deepEqual(imageSizeOfDataUrl(dataUrl(JPEG_HEAD, 'image/jpeg')), { width: 800, height: 600 });
    assert.deepEqual(imageSizeOfDataUrl(`data:image/gif;base64,${Buffer.from('GIF89a\x40\x01\xf0\x00', 'latin1').toString('base64')}`), { width: 320, height: 240 });
    assert.equal(imageSizeOfDataUrl('data:image/webp;base64,UklGRg=='), undefined);
  });

  it('follows the documented formulas', () => {
    // OpenAI's own examples: 1024×1024 high detail is 765 tokens; 2048×4096 is 1105; low detail is 85.
    assert.equal(openAIImageTokens(1024, 1024), 765);
    assert.equal(openAIImageTokens(2048, 4096), 1105);
    assert.equal(openAIImageTokens(4096, 4096, 'low'), 85);
    // Anthropic's table: 1092×1092 is about 1590 tokens; 200×200 about 54.
    assert.equal(anthropicImageTokens(1092, 1092), 1590);
    assert.equal(anthropicImageTokens(200, 200), 54);
    assert.equal(anthropicImageTokens(4000, 3000), UNKNOWN_IMAGE_TOKENS);
  });

  it('counts a 300 KB screenshot as under 2K tokens, and an image of unknown size as a fixed 1600', () => {
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'What is wrong in this screenshot?' }, { type: 'image_url' as const, image_url: { url: dataUrl(SCREENSHOT) } }] }];
    const tokens = estimatePromptTokens(messages);
    assert.ok(tokens > 1600 && tokens < 1700, `${tokens} tokens (base64 as text would be ${Math.ceil(JSON.stringify(messages).length / 4)})`);
    const remote = estimatePromptTokens([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }]);
    assert.ok(remote >= UNKNOWN_IMAGE_TOKENS && remote < UNKNOWN_IMAGE_TOKENS + 30, String(remote));
    assert.equal(estimatePromptTokens([{ role: 'user', content: 'x'.repeat(4000) }]), Math.ceil(JSON.stringify([{ role: 'user', content: 'x'.repeat(4000) }]).length / 4));
  });
});

describe('prompt estimate: the context window fallback', () => {
  let mock: MockServer;
  before(async () => { mock = await startOpenAIMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });

  const client = () => new AnyModelClient(buildConfig({
    model_list: [
      { model_name: 'small', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${mock.url}/v1`, api_key: 'test-key' }, model_info: { max_input_tokens: 8000 } },
      { model_name: 'big', litellm_params: { model: 'openai/gpt-4.1', api_base: `${mock.url}/v1`, api_key: 'test-key' }, model_info: { max_input_tokens: 1_000_000 } },
    ],
    litellm_settings: { num_retries: 0, context_window_fallbacks: [{ small: ['big'] }] },
    general_settings: { max_request_size_mb: 5 },
  }, {}));

  it('a 300 KB screenshot stays on the model asked for', async () => {
    const r = await client().chat({ model: 'small', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: dataUrl(SCREENSHOT) } }] }] });
    assert.equal(r.fallback, false);
    assert.equal(r.modelGroup, 'small');
    assert.deepEqual(mock.requests.map((q) => (q.body as { model: string }).model), ['gpt-4o-mini']);
    assert.equal(r.value.content, 'I see 1 image(s): image/png');
  });

  it('a prompt that is really too long still goes to the fallback before any call', async () => {
    const r = await client().chat({ model: 'small', messages: [{ role: 'user', content: 'word '.repeat(8000) }] });
    assert.equal(r.fallback, true);
    assert.deepEqual(mock.requests.map((q) => (q.body as { model: string }).model), ['gpt-4.1']);
  });
});
