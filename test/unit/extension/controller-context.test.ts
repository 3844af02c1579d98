/**
 * The chat controller with attachments and the context window, on plain Node against mock
 * providers: an attached file and an image reach the provider in its own format; a model without
 * vision, or a conversation too long for the window, is refused before anything is sent, with the
 * attachments kept; "drop the oldest turns" sends only what fits and says so in the thread; the
 * meter's counts follow the conversation, and an Ollama model's window is what /api/show says,
 * capped by the setting.
 */
import assert from 'node:assert/strict';
import { ChatController, type ChatDeps } from '../../../src/extension/chat/controller';
import { ConversationStore } from '../../../src/extension/chat/store';
import { forView, imageFromDataUrl, textAttachment } from '../../../src/extension/chat/attachmentContent';
import { buildCatalog, type Catalog } from '../../../src/extension/catalog';
import { OfflineSwitch } from '../../../src/extension/offline';
import type { Attachment, HostMessage, MessageOf, WebviewMessage } from '../../../src/shared/protocol';
import { startOpenAIMock } from '../mocks/openai';
import { startAnthropicMock } from '../mocks/anthropic';
import { startOllamaMock } from '../mocks/ollama';
import type { MockServer } from '../helpers/mock-server';
import { catalogSettings, Memento } from './host-fixtures';
import { tempDir } from '../helpers/temp';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000020000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005fe02fedc44a3ee0000000049454e44ae426082', 'hex');


/** The composer's attachments without an editor: `path` attaches a file whose text the test gave. */
class FakeAttachments {
  pending: Attachment[] = [];
  constructor(readonly files: Record<string, string>) {}
  async attach(m: MessageOf<WebviewMessage, 'attach'>): Promise<void> {
    if (m.source === 'image') this.pending.push(imageFromDataUrl(`att-${this.pending.length}`, m.name ?? 'image', m.dataUrl ?? ''));
    else if (m.source === 'path') this.pending.push(textAttachment({ id: `att-${this.pending.length}`, kind: 'file', path: m.path!, languageId: 'ts', text: this.files[m.path!]! }));
  }
  async remove(id: string): Promise<void> { this.pending = this.pending.filter((a) => a.id !== id); }
  take(ids: readonly string[]): Attachment[] | Error {
    const taken = ids.map((id) => this.pending.find((a) => a.id === id));
    if (taken.some((a) => !a)) return new Error('gone');
    this.pending = this.pending.filter((a) => !ids.includes(a.id));
    return taken as Attachment[];
  }
  restore(list: readonly Attachment[]): void { this.pending = [...list, ...this.pending]; }
  shown(): Attachment[] { return this.pending.map(forView); }
  tokens(): number { return this.pending.reduce((s, a) => s + a.tokens, 0); }
  async mentions(q: string): Promise<string[]> { return Object.keys(this.files).filter((p) => p.includes(q)); }
}

async function harness(catalog: Catalog, model: string, files: Record<string, string> = {}) {
  const store = await ConversationStore.open(tempDir('ctx'), new Memento(), () => undefined);
  const seen: HostMessage[] = [];
  const attachments = new FakeAttachments(files);
  const deps: ChatDeps = {
    store, catalog: async () => catalog, modelOptions: () => catalog.models.map((m) => ({ id: m.id })),
    offline: new OfflineSwitch({ probe: async () => false, recheckSeconds: () => 60, onChange: () => undefined }),
    currentModel: () => model, setModel: async (m) => { model = m; }, offlineModel: () => undefined, autoOfflineSwitch: () => false,
    runAction: async () => undefined, editorAction: async () => undefined, warn: () => undefined, observe: (m) => seen.push(m), attachments,
  };
  const controller = new ChatController(deps);
  controller.attach(() => undefined);
  await controller.handle({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
  let n = 0;
  const send = (text: string, extra: Partial<MessageOf<WebviewMessage, 'send'>> = {}) => controller.handle({ type: 'send', requestId: `r${++n}`, messageId: `local-${n}`, conversationId: null, text, model, ...extra });
  const replies = () => seen.filter((m): m is MessageOf<HostMessage, 'reply'> => m.type === 'reply');
  const contexts = () => seen.filter((m): m is MessageOf<HostMessage, 'context'> => m.type === 'context').map((m) => m.context);
  return { controller, store, seen, attachments, send, replies, contexts };
}

describe('chat controller: attachments and the context window', () => {
  let openai: MockServer;
  let anthropic: MockServer;
  let ollama: MockServer;
  let catalog: Catalog;
  before(async () => {
    [openai, anthropic, ollama] = await Promise.all([startOpenAIMock({ apiKey: 'k' }), startAnthropicMock(), startOllamaMock()]);
    catalog = await buildCatalog({
      settings: catalogSettings({ ollamaBaseUrl: ollama.url }), defaultModel: 'gpt', keyEnv: { K: 'k', ANTHROPIC_API_KEY: 'test-key' }, processEnv: {}, discoveryTimeoutMs: 2000,
      clientOptions: { ollamaMaxContextTokens: 65_536 },
      modelsSetting: [
        { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${openai.url}/v1`, api_key: 'os.environ/K' } },
        { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'os.environ/ANTHROPIC_API_KEY' } },
        { model_name: 'text-only', litellm_params: { model: 'openai/gpt-3.5-turbo', api_base: `${openai.url}/v1`, api_key: 'os.environ/K' }, model_info: { supports_vision: false } },
        { model_name: 'tiny', litellm_params: { model: 'openai/tiny', api_base: `${openai.url}/v1`, api_key: 'os.environ/K' }, model_info: { max_input_tokens: 400 } },
      ],
    });
  });
  after(async () => { await Promise.all([openai.close(), anthropic.close(), ollama.close()]); });

  it('sends an attached file before the question and keeps it with the message, without its content in the view', async () => {
    const h = await harness(catalog, 'gpt', { 'src/retry.ts': 'export const tries = 3;\n' });
    await h.controller.handle({ type: 'attach', requestId: 'r-a', source: 'path', path: 'src/retry.ts' });
    assert.deepEqual(h.replies().at(-1), { type: 'reply', inReplyTo: 'r-a', ok: true });
    const ids = h.attachments.pending.map((a) => a.id);
    await h.send('Why three?', { attachmentIds: ids });
    const body = openai.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
    assert.deepEqual(body.messages.at(-1), { role: 'user', content: [
      { type: 'text', text: 'File `src/retry.ts`:\n\n```ts\nexport const tries = 3;\n```' },
      { type: 'text', text: 'Why three?' },
    ] });
    const stored = (await h.store.active())!.messages[0]!;
    assert.equal(stored.attachments?.[0]?.content?.includes('tries = 3'), true, 'the store keeps the content');
    assert.equal(h.attachments.pending.length, 0, 'the send took it');
    await h.controller.handle({ type: 'ready', requestId: 'r-again', protocolVersion: 1 });
    const state = [...h.seen].reverse().find((m) => m.type === 'state') as MessageOf<HostMessage, 'state'>;
    assert.equal(state.messages[0]!.attachments?.[0]?.name, 'src/retry.ts');
    assert.equal(state.messages[0]!.attachments?.[0]?.content, undefined, 'the view gets no content');
  });

  it('sends a pasted image to Claude as an Anthropic image block', async () => {
    const h = await harness(catalog, 'claude');
    await h.controller.handle({ type: 'attach', requestId: 'r-i', source: 'image', name: 'shot.png', dataUrl: `data:image/png;base64,${PNG.toString('base64')}` });
    await h.send('What is in it?', { attachmentIds: h.attachments.pending.map((a) => a.id) });
    const body = anthropic.requests.at(-1)!.body as { messages: { content: { type: string; source?: unknown }[] }[] };
    const image = body.messages.at(-1)!.content.find((b) => b.type === 'image');
    assert.deepEqual(image?.source, { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') });
    assert.equal((await h.store.active())!.messages.at(-1)!.text, 'I see 1 image(s): image/png');
  });

  it('refuses an image for a model without vision before sending, and keeps the image', async () => {
    const h = await harness(catalog, 'text-only');
    await h.controller.handle({ type: 'attach', source: 'image', name: 'shot.png', dataUrl: `data:image/png;base64,${PNG.toString('base64')}` });
    const before = openai.requests.length;
    await h.send('What is in it?', { attachmentIds: h.attachments.pending.map((a) => a.id) });
    const reply = h.replies().at(-1)!;
    assert.equal(reply.ok, false);
    assert.match(reply.error ?? '', /^text-only does not take images\. Remove the image, or pick a model that reads images/);
    assert.equal(openai.requests.length, before, 'nothing was sent');
    assert.equal(h.attachments.pending.length, 1, 'the image is back in the composer');
    assert.equal(await h.store.active(), undefined, 'no conversation was started');
    assert.equal(h.contexts().at(-1)?.vision, false, 'the meter knows, so the view can say it first');
  });

  it('refuses a conversation that does not fit the window, then drops the oldest turns when asked', async () => {
    const h = await harness(catalog, 'tiny');
    await h.send(`first ${'a'.repeat(600)}`);
    await h.send('second');
    assert.deepEqual(h.replies().map((r) => r.ok), [true, true]);
    const before = openai.requests.length;
    await h.send(`third ${'b'.repeat(600)}`);
    assert.equal(h.replies().at(-1)!.ok, false);
    assert.match(h.replies().at(-1)!.error ?? '', /^About [\d,]+ tokens do not fit the 400-token context window of tiny: drop the oldest turns, or pick a model with a larger window\.$/);
    assert.equal(openai.requests.length, before, 'no upstream error: nothing was sent');
    await h.send(`third ${'b'.repeat(600)}`, { dropOldest: true });
    assert.equal(h.replies().at(-1)!.ok, true);
    const sent = (openai.requests.at(-1)!.body as { messages: { content: string }[] }).messages.map((m) => String(m.content).slice(0, 6));
    assert.deepEqual(sent, ['second', 'Hello ', 'third '], 'the first turn was left out, the newer one fits and went');
    const conversation = (await h.store.active())!;
    assert.match(conversation.messages.find((m) => m.role === 'notice')?.text ?? '', /^The 2 oldest messages of this conversation are no longer sent to tiny, so the conversation fits its 400-token context window\.$/);
    assert.equal(h.contexts().at(-1)?.droppedMessages, 2);
    // A question alone too big for the window is refused even with the choice made.
    await h.send('c'.repeat(3000), { dropOldest: true });
    assert.match(h.replies().at(-1)!.error ?? '', /^This message and its attachments alone need about [\d,]+ tokens, more than the 400 tokens tiny holds/);
  });

  it('tells the meter the history, the attachments and the window; for Ollama the /api/show length, capped', async () => {
    const h = await harness(catalog, 'gpt', { 'a.ts': 'x'.repeat(4000) });
    await h.controller.handle({ type: 'attach', source: 'path', path: 'a.ts' });
    const context = h.contexts().at(-1)!;
    assert.equal(context.model, 'gpt');
    assert.equal(context.contextWindow, 128_000);
    assert.ok(context.attachmentTokens > 1000, `attachment tokens ${context.attachmentTokens}`);
    const local = await harness(catalog, 'ollama_chat/llama3.2:latest');
    await local.controller.notifyContext();
    assert.deepEqual(local.contexts().at(-1), { model: 'ollama_chat/llama3.2:latest', historyTokens: 0, attachmentTokens: 0, contextWindow: 65_536, vision: true });
  });
});
