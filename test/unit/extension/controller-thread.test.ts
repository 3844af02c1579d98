/**
 * The chat controller's thread features against mock servers on 127.0.0.1 speaking OpenAI's wire
 * format: reasoning (`reasoning_content`) streamed as its own messages and kept with the answer,
 * the reasoning effort sent to a reasoning model only, the instructions as the system message,
 * an edited question replacing the answers after it with the old branch restorable, and a
 * regenerate with another model.
 */
import assert from 'node:assert/strict';
import { ChatController, type ChatDeps } from '../../../src/extension/chat/controller';
import { ConversationStore } from '../../../src/extension/chat/store';
import { buildCatalog, type Catalog } from '../../../src/extension/catalog';
import { OfflineSwitch } from '../../../src/extension/offline';
import type { HostMessage, ReasoningEffort } from '../../../src/shared/protocol';
import { startMockServer, type MockServer, type RecordedRequest } from '../helpers/mock-server';
import { openAIReasoningStreamOf, openAIStreamOf } from '../../ui/streams';
import { catalogSettings, Memento } from './host-fixtures';
import { tempDir } from '../helpers/temp';



type Body = { model: string; messages: { role: string; content: string }[]; reasoning_effort?: string };
const body = (r: RecordedRequest | undefined): Body => r!.body as Body;
type State = Extract<HostMessage, { type: 'state' }>;

describe('chat controller: thinking, instructions and working with the thread', () => {
  let server: MockServer;
  let catalog: Catalog;
  let controller: ChatController;
  let store: ConversationStore;
  let seen: HostMessage[];
  let effort: ReasoningEffort;
  let system: string | undefined;
  let current: string;
  let n = 0;

  before(async () => {
    server = await startMockServer((req) => {
      const last = (req.body as Body).messages.at(-1)!.content;
      return (req.body as Body).model === 'deepseek-reasoner'
        ? openAIReasoningStreamOf('The user wants a number. Pick seven.', `Seven (to: ${last})`, { size: 8, delayMs: 2, thinkMs: 40 })
        : openAIStreamOf(`Plain answer to: ${last}`, { size: 8, delayMs: 1 });
    });
    catalog = await buildCatalog({
      settings: catalogSettings(), defaultModel: 'reasoner', keyEnv: { K: 'k' }, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 300,
      modelsSetting: [
        { model_name: 'reasoner', litellm_params: { model: 'openai/deepseek-reasoner', api_base: `${server.url}/v1`, api_key: 'os.environ/K' } },
        { model_name: 'plain', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${server.url}/v1`, api_key: 'os.environ/K' } },
      ],
    });
  });
  after(() => server.close());

  beforeEach(async () => {
    store = await ConversationStore.open(tempDir('thread'), new Memento(), () => undefined);
    seen = [];
    effort = 'high';
    system = undefined;
    current = 'reasoner';
    const deps: ChatDeps = {
      store, catalog: async () => catalog, modelOptions: () => catalog.models.map((m) => ({ id: m.id, ...(m.reasoning ? { reasoning: true } : {}) })),
      offline: new OfflineSwitch({ probe: async () => false, recheckSeconds: () => 60, onChange: () => undefined }),
      currentModel: () => current, setModel: async (m) => { current = m; }, offlineModel: () => undefined, autoOfflineSwitch: () => false,
      runAction: async () => undefined, editorAction: async () => undefined, warn: () => undefined, observe: (m) => seen.push(m),
      instructions: async () => ({ system, info: system ? { files: [{ name: 'AGENTS.md', truncated: false }], setting: false } : null, paths: new Map([['AGENTS.md', '/ws/AGENTS.md']]) }),
      reasoningEffort: () => effort,
      setReasoningEffort: async (e) => { effort = e; },
    };
    controller = new ChatController(deps);
    controller.attach(() => undefined);
    await controller.handle({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
  });

  const send = (text: string, model = current) => controller.handle({ type: 'send', requestId: `r${++n}`, messageId: `local-${n}`, conversationId: null, text, model });
  const lastState = (): State => seen.filter((m): m is State => m.type === 'state').at(-1)!;

  it('streams reasoning_content as streamReasoning, keeps it with the answer with its duration, and sends the effort to a reasoning model', async () => {
    assert.equal(catalog.models.find((m) => m.id === 'reasoner')?.reasoning, true, 'deepseek-reasoner is known to reason');
    assert.equal(catalog.models.find((m) => m.id === 'plain')?.reasoning, undefined);
    await send('Pick a number');
    const thoughts = seen.filter((m) => m.type === 'streamReasoning').map((m) => (m as { text: string }).text).join('');
    assert.equal(thoughts, 'The user wants a number. Pick seven.');
    const answer = (await store.active())!.messages.at(-1)!;
    assert.equal(answer.text, 'Seven (to: Pick a number)', 'the thoughts are not in the answer');
    assert.equal(answer.reasoning?.text, 'The user wants a number. Pick seven.');
    assert.ok((answer.reasoning?.durationMs ?? -1) >= 30, `the thinking took the mock's pause (${answer.reasoning?.durationMs} ms)`);
    assert.equal(body(server.requests.at(-1)).reasoning_effort, 'high');

    await controller.handle({ type: 'setReasoningEffort', effort: 'low' });
    await send('Again');
    assert.equal(body(server.requests.at(-1)).reasoning_effort, 'low', 'the new effort is used and remembered');
    await send('Plainly', 'plain');
    assert.equal(body(server.requests.at(-1)).reasoning_effort, undefined, 'a model that does not reason gets no effort');
  });

  it('sends the instructions as the first, system, message, and tells the view which file is in use', async () => {
    system = 'Instructions from AGENTS.md:\n\nAnswer in haiku.';
    await controller.handle({ type: 'ready', requestId: 'r-again', protocolVersion: 1 });
    assert.deepEqual(lastState().instructions, { files: [{ name: 'AGENTS.md', truncated: false }], setting: false });
    await send('Hello', 'plain');
    const messages = body(server.requests.at(-1)).messages;
    assert.deepEqual(messages[0], { role: 'system', content: 'Instructions from AGENTS.md:\n\nAnswer in haiku.' });
    assert.equal(messages.filter((m) => m.role === 'system').length, 1);
  });

  it('an edited question replaces the answers after it; the old branch comes back with switchBranch', async () => {
    current = 'plain';
    await send('First question');
    await send('Follow-up');
    const before = (await store.active())!.messages.map((m) => m.text);
    assert.deepEqual(before, ['First question', 'Plain answer to: First question', 'Follow-up', 'Plain answer to: Follow-up']);
    const firstId = (await store.active())!.messages[0]!.id;
    await controller.handle({ type: 'editMessage', requestId: 'r-edit', messageId: firstId, text: 'Better question', model: 'plain' });
    assert.deepEqual(seen.find((m) => m.type === 'reply' && m.inReplyTo === 'r-edit'), { type: 'reply', inReplyTo: 'r-edit', ok: true });
    const after = (await store.active())!.messages;
    assert.deepEqual(after.map((m) => m.text), ['Better question', 'Plain answer to: Better question']);
    assert.deepEqual(body(server.requests.at(-1)).messages.map((m) => m.content), ['Better question'], 'the old turns are not sent');
    const edited = seen.filter((m): m is State => m.type === 'state').at(-1)!.messages[0]!;
    assert.deepEqual(edited.branch, { index: 1, count: 2 }, 'the view is told this is version 2 of 2');

    await controller.handle({ type: 'switchBranch', messageId: after[0]!.id, index: 0 });
    assert.deepEqual(lastState().messages.map((m) => m.text), before, 'the old branch, whole');
    assert.deepEqual(lastState().messages[0]!.branch, { index: 0, count: 2 });
    await controller.handle({ type: 'switchBranch', messageId: firstId, index: 1 });
    assert.deepEqual(lastState().messages.map((m) => m.text), ['Better question', 'Plain answer to: Better question']);
    // It survives a restart: the branches are in the conversation file.
    await store.flush();
    const reopened = await ConversationStore.open((store as unknown as { dir: string }).dir, new Memento(), () => undefined);
    const stored = (await reopened.get((await store.active())!.id))!;
    assert.equal(Object.values(stored.branches ?? {})[0]?.versions.length, 2);
  });

  it('refuses an edit of a question that is not there, and loses nothing', async () => {
    current = 'plain';
    await send('Only question');
    const count = server.requests.length;
    await controller.handle({ type: 'editMessage', requestId: 'r-bad', messageId: 'u-gone', text: 'x', model: 'plain' });
    const reply = seen.find((m) => m.type === 'reply' && m.inReplyTo === 'r-bad');
    assert.equal(reply?.type === 'reply' && reply.ok, false);
    assert.match(reply?.type === 'reply' ? reply.error ?? '' : '', /not in this conversation/);
    assert.equal(server.requests.length, count, 'nothing was sent');
    assert.equal((await store.active())!.messages.length, 2);
  });

  it('regenerates an answer with another model, keeping the first answer as a branch', async () => {
    current = 'plain';
    await send('Which number?');
    const answer = (await store.active())!.messages[1]!;
    await controller.handle({ type: 'regenerate', messageId: answer.id, model: 'reasoner' });
    const messages = (await store.active())!.messages;
    assert.deepEqual(messages.map((m) => m.text), ['Which number?', 'Seven (to: Which number?)']);
    assert.equal(messages[1]!.model, 'reasoner');
    assert.equal(body(server.requests.at(-1)).model, 'deepseek-reasoner');
    await controller.handle({ type: 'switchBranch', messageId: messages[0]!.id, index: 0 });
    assert.equal(lastState().messages[1]!.text, 'Plain answer to: Which number?');
  });
});
