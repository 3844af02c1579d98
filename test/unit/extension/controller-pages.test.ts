/**
 * A long conversation goes to the view a page at a time: the state carries the newest page and
 * how many messages come before it, `loadOlder` is answered from the store with the page before
 * the message named (attachments without their content, as in the state), a switched version of
 * an old question is sent with the state, and the model, the export and the store still get the
 * whole conversation. Against a mock server on 127.0.0.1 speaking OpenAI's wire format.
 */
import assert from 'node:assert/strict';
import { ChatController, type ChatDeps } from '../../../src/extension/chat/controller';
import { branchAt } from '../../../src/extension/chat/branches';
import { ConversationStore, type Conversation } from '../../../src/extension/chat/store';
import { PAGE_MESSAGES } from '../../../src/extension/chat/threadPages';
import { buildCatalog, type Catalog } from '../../../src/extension/catalog';
import { OfflineSwitch } from '../../../src/extension/offline';
import type { ChatMessage, HostMessage } from '../../../src/shared/protocol';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { openAIStreamOf } from '../../ui/streams';
import { catalogSettings, Memento } from './host-fixtures';
import { tempDir } from '../helpers/temp';



type State = Extract<HostMessage, { type: 'state' }>;
type OlderPage = Extract<HostMessage, { type: 'olderPage' }>;
const MESSAGES = 130;

describe('chat controller: a long conversation in pages', () => {
  let server: MockServer;
  let catalog: Catalog;
  let controller: ChatController;
  let store: ConversationStore;
  let conversation: Conversation;
  let seen: HostMessage[];
  let exported: Conversation | undefined;

  before(async () => {
    server = await startMockServer(() => openAIStreamOf('Answer 130.', { size: 8, delayMs: 1 }));
    catalog = await buildCatalog({
      settings: catalogSettings(), defaultModel: 'plain', keyEnv: { K: 'k' }, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 300,
      modelsSetting: [{ model_name: 'plain', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${server.url}/v1`, api_key: 'os.environ/K' } }],
    });
  });
  after(() => server.close());

  beforeEach(async () => {
    store = await ConversationStore.open(tempDir('pages'), new Memento(), () => undefined);
    seen = [];
    exported = undefined;
    conversation = store.create('Question 0', 'c-long');
    for (let i = 0; i < MESSAGES; i++) {
      conversation.messages.push(i % 2 === 0
        ? { id: `m${i}`, role: 'user', text: `Question ${i}`, ...(i === 4 ? { attachments: [{ id: 'at1', kind: 'file', name: 'src/a.ts', tokens: 3, content: 'secret file body' }] } : {}) }
        : { id: `m${i}`, role: 'assistant', text: `Answer ${i}`, model: 'plain' });
    }
    await store.save(conversation);
    await store.setActive(conversation.id);
    const deps: ChatDeps = {
      store, catalog: async () => catalog, modelOptions: () => catalog.models.map((m) => ({ id: m.id })),
      offline: new OfflineSwitch({ probe: async () => false, recheckSeconds: () => 60, onChange: () => undefined }),
      currentModel: () => 'plain', setModel: async () => undefined, offlineModel: () => undefined, autoOfflineSwitch: () => false,
      runAction: async () => undefined, editorAction: async () => undefined, warn: () => undefined, observe: (m) => seen.push(m),
      threadAction: async (_kind, c) => { exported = c; },
    };
    controller = new ChatController(deps);
    controller.attach(() => undefined);
    await controller.handle({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
  });

  const lastState = (): State => seen.filter((m): m is State => m.type === 'state').at(-1)!;
  const ids = (messages: ChatMessage[]) => messages.map((m) => m.id);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);
  const loadOlder = async (beforeMessageId: string, requestId: string): Promise<HostMessage> => {
    await controller.handle({ type: 'loadOlder', requestId, conversationId: 'c-long', beforeMessageId });
    return seen.find((m) => 'inReplyTo' in m && m.inReplyTo === requestId)!;
  };

  it('sends the newest page with the count before it, and answers loadOlder with the pages before, oldest first, from the store', async () => {
    const state = lastState();
    assert.equal(state.inReplyTo, 'r-ready');
    assert.deepEqual(ids(state.messages), range(MESSAGES - PAGE_MESSAGES, MESSAGES), 'only the newest page');
    assert.equal(state.olderMessages, MESSAGES - PAGE_MESSAGES);

    const second = await loadOlder(state.messages[0]!.id, 'r-p1') as OlderPage;
    assert.equal(second.type, 'olderPage');
    assert.equal(second.beforeMessageId, 'm80');
    assert.deepEqual(ids(second.messages), range(MESSAGES - 2 * PAGE_MESSAGES, MESSAGES - PAGE_MESSAGES));
    assert.equal(second.olderMessages, MESSAGES - 2 * PAGE_MESSAGES);

    const first = await loadOlder(second.messages[0]!.id, 'r-p2') as OlderPage;
    assert.deepEqual(ids(first.messages), range(0, MESSAGES - 2 * PAGE_MESSAGES), 'the last page is what is left');
    assert.equal(first.olderMessages, 0);
    const withFile = first.messages.find((m) => m.id === 'm4')!;
    assert.equal(withFile.attachments?.[0]?.name, 'src/a.ts', 'the chip is there');
    assert.equal(withFile.attachments?.[0]?.content, undefined, 'the file body stays in the host');
  });

  it('refuses a page before a message the conversation does not have, saying why', async () => {
    const answer = await loadOlder('m-gone', 'r-bad');
    assert.equal(answer.type, 'reply');
    assert.equal((answer as Extract<HostMessage, { type: 'reply' }>).ok, false);
    assert.match((answer as Extract<HostMessage, { type: 'reply' }>).error ?? '', /changed/);
  });

  it('sends a switched version of an old question with the state, and gives the model and the export the whole conversation', async () => {
    // m10 was edited once: its first version (and the answers after it) is a branch kept aside.
    const edited = branchAt(conversation, 'm10', { id: 'm10b', role: 'user', text: 'Question 10, edited' })!;
    conversation.messages.push({ id: 'm11b', role: 'assistant', text: 'Answer 11b', model: 'plain' });
    await store.save(conversation);
    await controller.handle({ type: 'switchBranch', messageId: edited.id, index: 0 });
    const state = lastState();
    assert.equal(state.messages[0]!.id, 'm10', 'the version switched to is in view, though older than the newest page');
    assert.deepEqual(state.messages[0]!.branch, { index: 0, count: 2 });
    assert.equal(state.olderMessages, 10);
    assert.equal(state.messages.at(-1)!.id, `m${MESSAGES - 1}`);

    await controller.handle({ type: 'send', requestId: 'r-send', messageId: 'local-1', conversationId: 'c-long', text: 'One more', model: 'plain' });
    const sent = (server.requests.at(-1)!.body as { messages: { content: string }[] }).messages;
    assert.equal(sent.length, MESSAGES + 1, 'the model gets every message, not a page');
    assert.equal(sent[0]!.content, 'Question 0');

    await controller.handle({ type: 'threadAction', kind: 'export' });
    assert.equal(exported?.messages.length, MESSAGES + 2, 'the export gets the whole conversation from the store');
  });
});
