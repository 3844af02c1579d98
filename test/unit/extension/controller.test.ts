/**
 * The chat controller on plain Node (it imports no `vscode`), with a real catalog over mock
 * servers on 127.0.0.1: retry repeats the answer it was asked to, with that answer's model; a
 * local model whose Ollama does not answer says what to do, before the first question and in the
 * thread; a withheld key asks to be allowed.
 */
import assert from 'node:assert/strict';
import { ChatController, type ChatDeps } from '../../../src/extension/chat/controller';
import { ConversationStore } from '../../../src/extension/chat/store';
import { buildCatalog, type Catalog } from '../../../src/extension/catalog';
import { OfflineSwitch } from '../../../src/extension/offline';
import type { ErrorAction, HostMessage } from '../../../src/shared/protocol';
import { startOpenAIMock } from '../mocks/openai';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { waitFor } from '../helpers/wait';
import { catalogSettings, Memento } from './host-fixtures';
import { tempDir } from '../helpers/temp';



interface Harness {
  controller: ChatController;
  seen: HostMessage[];
  actions: [Exclude<ErrorAction, 'retry'>, string][];
  setCurrent(model: string): void;
  store: ConversationStore;
}

async function harness(catalog: Catalog, current: string): Promise<Harness> {
  const store = await ConversationStore.open(tempDir('ctl'), new Memento(), () => undefined);
  const seen: HostMessage[] = [];
  const actions: Harness['actions'] = [];
  let model = current;
  const offline = new OfflineSwitch({ probe: async () => false, recheckSeconds: () => 60, onChange: () => undefined });
  const deps: ChatDeps = {
    store,
    catalog: async () => catalog,
    modelOptions: () => catalog.models.map((m) => ({ id: m.id })),
    offline,
    currentModel: () => model,
    setModel: async (m) => { model = m; },
    offlineModel: () => undefined,
    autoOfflineSwitch: () => false,
    runAction: async (kind, m) => { actions.push([kind, m]); },
    editorAction: async () => undefined,
    warn: () => undefined,
    observe: (m) => seen.push(m),
  };
  const controller = new ChatController(deps);
  controller.attach(() => undefined);
  await controller.handle({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
  return { controller, seen, actions, setCurrent: (m) => { model = m; }, store };
}

let n = 0;
const send = (h: Harness, text: string, model: string) => h.controller.handle({ type: 'send', requestId: `r${++n}`, messageId: `local-${n}`, conversationId: null, text, model });
const lastUser = (body: unknown) => ((body as { messages: { role: string; content: string }[] }).messages.filter((m) => m.role === 'user').at(-1)?.content);
const errors = (h: Harness) => h.seen.filter((m): m is Extract<HostMessage, { type: 'streamError' }> => m.type === 'streamError');

describe('chat controller: retry', () => {
  let failing: MockServer;
  let working: MockServer;
  let catalog: Catalog;
  before(async () => {
    failing = await startMockServer(() => ({ kind: 'json', status: 400, body: { error: { message: 'This model cannot take that request', type: 'invalid_request_error', param: null, code: null } } }));
    working = await startOpenAIMock({ apiKey: 'k' });
    catalog = await buildCatalog({
      settings: catalogSettings(), defaultModel: 'second', keyEnv: { K: 'k' }, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 300,
      modelsSetting: [
        { model_name: 'first', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${failing.url}/v1`, api_key: 'os.environ/K' } },
        { model_name: 'second', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${working.url}/v1`, api_key: 'os.environ/K' } },
      ],
    });
  });
  after(async () => { await failing.close(); await working.close(); });

  it('retries the failed answer with its own model, not the one picked since', async () => {
    const h = await harness(catalog, 'first');
    await send(h, 'question for first', 'first');
    const failed = (await h.store.active())!.messages.at(-1)!;
    assert.equal(failed.model, 'first');
    assert.ok(failed.error);
    h.setCurrent('second');
    const [a, b] = [failing.requests.length, working.requests.length];
    await h.controller.handle({ type: 'retry', messageId: failed.id });
    assert.equal(failing.requests.length, a + 1, 'asked the failed answer\'s model again');
    assert.equal(working.requests.length, b, 'not the current model');
    assert.equal(lastUser(failing.requests.at(-1)!.body), 'question for first');
    const messages = (await h.store.active())!.messages;
    assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant'], 'the failed answer was replaced, not added to');
  });

  it('the error button\'s retry (action with the message id) does the same', async () => {
    const h = await harness(catalog, 'first');
    await send(h, 'again for first', 'first');
    const failed = (await h.store.active())!.messages.at(-1)!;
    h.setCurrent('second');
    const a = failing.requests.length;
    await h.controller.handle({ type: 'action', kind: 'retry', messageId: failed.id });
    assert.equal(failing.requests.length, a + 1);
  });

  it('retrying an older answer asks its question again at the end, with its model, and keeps the thread', async () => {
    const h = await harness(catalog, 'first');
    await send(h, 'old question', 'first');
    const conversationId = (await h.store.active())!.id;
    const failed = (await h.store.active())!.messages.at(-1)!;
    await h.controller.handle({ type: 'send', requestId: 'r-2', messageId: 'local-second', conversationId, text: 'new question', model: 'second' });
    assert.equal((await h.store.active())!.messages.at(-1)!.text, 'Hello from openai: new question');
    const a = failing.requests.length;
    await h.controller.handle({ type: 'retry', messageId: failed.id });
    assert.equal(failing.requests.length, a + 1);
    assert.equal(lastUser(failing.requests.at(-1)!.body), 'old question');
    const messages = (await h.store.active())!.messages;
    assert.deepEqual(messages.map((m) => [m.role, m.role === 'user' ? m.text : m.model]), [
      ['user', 'old question'], ['assistant', 'first'], ['user', 'new question'], ['assistant', 'second'], ['user', 'old question'], ['assistant', 'first'],
    ]);
    assert.ok(h.seen.some((m) => m.type === 'messageAdded' && m.message.text === 'old question'), 'the view is told about the repeated question');
  });

  it('an action on a failed answer runs for that answer\'s model', async () => {
    const h = await harness(catalog, 'first');
    await send(h, 'key for first', 'first');
    const failed = (await h.store.active())!.messages.at(-1)!;
    h.setCurrent('second');
    await h.controller.handle({ type: 'action', kind: 'setKey', messageId: failed.id });
    await h.controller.handle({ type: 'action', kind: 'pickModel' });
    assert.deepEqual(h.actions, [['setKey', 'first'], ['pickModel', 'second']]);
  });
});

describe('chat controller: a local model whose Ollama does not answer', () => {
  // The first-run setup: the default model on the Ollama that anymodel.ollamaBaseUrl names, not running
  // (a closed port on 127.0.0.1 stands for it, so that an Ollama on this machine cannot interfere).
  const localCatalog = () => buildCatalog({
    settings: catalogSettings({ ollamaBaseUrl: 'http://127.0.0.1:9' }), defaultModel: 'ollama_chat/llama3.2', keyEnv: {}, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 300, modelsSetting: [],
  });

  it('says before the first question that Ollama is not running, with what to do as actions', async () => {
    const catalog = await localCatalog();
    const h = await harness(catalog, 'ollama_chat/llama3.2');
    const models = await waitFor(() => h.seen.find((m): m is Extract<HostMessage, { type: 'models' }> => m.type === 'models'));
    assert.equal(models.modelProblem?.kind, 'OllamaNotRunning');
    assert.match(models.modelProblem!.message, /Ollama is not running at http:\/\/127\.0\.0\.1:9/);
    assert.match(models.modelProblem!.message, /ollama serve/);
    assert.match(models.modelProblem!.message, /ollama pull llama3\.2/);
    assert.match(models.modelProblem!.message, /pick a cloud model and set its API key/);
    assert.deepEqual(models.modelProblem!.actions, ['startOllama', 'pullModel', 'pickModel']);
  });

  it('answers the first question with that advice instead of ECONNREFUSED, and retry among the actions', async () => {
    const catalog = await localCatalog();
    const h = await harness(catalog, 'ollama_chat/llama3.2');
    await send(h, 'hello?', 'ollama_chat/llama3.2');
    const error = errors(h).at(-1)!;
    assert.equal(error.kind, 'OllamaNotRunning');
    assert.doesNotMatch(error.message, /ECONNREFUSED/);
    assert.match(error.message, /Start Ollama/);
    assert.deepEqual(error.actions, ['startOllama', 'pullModel', 'pickModel', 'retry']);
    await h.controller.handle({ type: 'action', kind: 'pullModel', messageId: (await h.store.active())!.messages.at(-1)!.id });
    assert.deepEqual(h.actions.at(-1), ['pullModel', 'ollama_chat/llama3.2']);
  });
});

describe('chat controller: a default key withheld from a custom address', () => {
  it('fails with an error whose action asks to allow that address', async () => {
    const server = await startOpenAIMock({ apiKey: 'sk-default' });
    try {
      const catalog = await buildCatalog({
        settings: catalogSettings(), defaultModel: 'elsewhere', keyEnv: { OPENAI_API_KEY: 'sk-default' }, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 300,
        modelsSetting: [{ model_name: 'elsewhere', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${server.url}/v1` } }],
      });
      const h = await harness(catalog, 'elsewhere');
      await send(h, 'may I?', 'elsewhere');
      const error = errors(h).at(-1)!;
      assert.equal(error.kind, 'KeyNotAllowed');
      assert.match(error.message, new RegExp(`did not send your OPENAI_API_KEY there`));
      assert.ok(error.message.includes(new URL(server.url).origin));
      assert.ok(!error.message.includes('sk-default'), 'the key is never in a message');
      assert.deepEqual(error.actions, ['allowKey', 'pickModel']);
      for (const r of server.requests) assert.equal(r.headers.authorization, undefined);
    } finally {
      await server.close();
    }
  });
});

