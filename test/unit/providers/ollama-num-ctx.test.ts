/**
 * Ollama cuts a prompt longer than `num_ctx` without saying so: the client reads the model's
 * context length from `/api/show` and sends `options.num_ctx` big enough for the prompt, capped by
 * the model's limit and by `ollamaMaxContextTokens`; a `num_ctx` fixed in the config wins.
 */
import assert from 'node:assert/strict';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import { MIN_NUM_CTX, chooseNumCtx, parseShowResponse } from '../../../src/core/providers/ollama/context-length';
import { OLLAMA_CONTEXT_LENGTH, startOllamaMock } from '../mocks/ollama';
import { collect, type MockServer } from '../helpers/mock-server';

describe('ollama num_ctx', () => {
  let mock: MockServer;
  before(async () => { mock = await startOllamaMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });

  const client = (params: Record<string, unknown> = {}, options: ConstructorParameters<typeof AnyModelClient>[1] = {}) => new AnyModelClient(buildConfig({
    model_list: [{ model_name: 'm', litellm_params: { model: 'ollama_chat/llama3.2', api_base: mock.url, ...params } }],
    litellm_settings: { num_retries: 0 },
  }, {}), options);
  const chatBodies = () => mock.requests.filter((r) => r.url === '/api/chat').map((r) => r.body as { options?: { num_ctx?: number } });
  /** About `tokens` tokens of prompt at the core's four characters a token. */
  const prompt = (tokens: number) => ({ model: 'm', messages: [{ role: 'user' as const, content: 'word '.repeat(Math.ceil(tokens * 4 / 5)) }] });

  it('reads the context length from /api/show and sends a num_ctx that holds a long prompt and its answer', async () => {
    const c = client();
    await collect((await c.streamChat(prompt(30_000))).parts);
    const show = mock.requests.find((r) => r.url === '/api/show');
    assert.deepEqual(show?.body, { model: 'llama3.2' }, 'asked /api/show about the model');
    assert.equal(chatBodies()[0]?.options?.num_ctx, 32_768, '30K prompt + 2K answer → the next power of two');
    // A short prompt gets Ollama's default size; the look-up is not repeated.
    await c.chat(prompt(100));
    assert.equal(chatBodies()[1]?.options?.num_ctx, MIN_NUM_CTX);
    assert.equal(mock.requests.filter((r) => r.url === '/api/show').length, 1, 'one /api/show per model');
  });

  it('never sends more than the cap or the model allows', async () => {
    await client({}, { ollamaMaxContextTokens: 16_000 }).chat(prompt(30_000));
    assert.equal(chatBodies()[0]?.options?.num_ctx, 16_000, 'capped by the setting');
    mock.requests.length = 0;
    await client().chat(prompt(200_000));
    assert.equal(chatBodies()[0]?.options?.num_ctx, OLLAMA_CONTEXT_LENGTH, 'capped by the model');
  });

  it('leaves a num_ctx fixed in the config alone, and asks nothing', async () => {
    await client({ num_ctx: 8192 }).chat(prompt(30_000));
    assert.equal(chatBodies()[0]?.options?.num_ctx, 8192);
    assert.equal(mock.requests.filter((r) => r.url === '/api/show').length, 0);
  });

  it('sends no num_ctx when /api/show does not answer and no cap is set', async () => {
    const old = await startOllamaMock();
    old.handle((req) => (req.url === '/api/show' ? { kind: 'text', status: 404, body: '404 page not found' } : { kind: 'json', body: { model: 'llama3.2', message: { role: 'assistant', content: 'hi' }, done: true, done_reason: 'stop' } }));
    try {
      const c = new AnyModelClient(buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'ollama_chat/llama3.2', api_base: old.url } }], litellm_settings: { num_retries: 0 } }, {}));
      await c.chat(prompt(10));
      const body = old.requests.find((r) => r.url === '/api/chat')?.body as { options?: { num_ctx?: number } };
      assert.equal(body.options?.num_ctx, undefined);
    } finally {
      await old.close();
    }
  });

  it('chooses sizes in powers of two within the limits, and reads any architecture prefix', () => {
    assert.equal(chooseNumCtx({ promptTokens: 10, modelContextLength: 131_072 }), 4096);
    assert.equal(chooseNumCtx({ promptTokens: 5000, answerTokens: 1000, modelContextLength: 131_072 }), 8192);
    assert.equal(chooseNumCtx({ promptTokens: 10, modelContextLength: 2048 }), 2048, 'a small model keeps its own limit');
    assert.equal(chooseNumCtx({ promptTokens: 10 }), undefined);
    assert.equal(chooseNumCtx({ promptTokens: 100_000, cap: 65_536 }), 65_536);
    assert.deepEqual(parseShowResponse({ model_info: { 'qwen2.context_length': 32_768, 'general.architecture': 'qwen2' }, capabilities: ['completion'] }), { contextLength: 32_768, capabilities: ['completion'] });
    assert.deepEqual(parseShowResponse({ error: 'x' }), {});
  });
});
