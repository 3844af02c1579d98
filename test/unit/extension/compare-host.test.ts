/**
 * Compare mode's host side through the chat controller, on plain Node with a real catalog over
 * mocks on 127.0.0.1: the columns stream into the view and the conversation with their figures, a
 * failed column keeps its error and actions and can be asked again alone, a column can be stopped
 * alone, the chosen answer becomes the next turn (the mock receives it as history), and the
 * comparison is there again when the history is opened anew.
 */
import assert from 'node:assert/strict';
import { AnyModelError } from '../../../src/core';
import { ChatController, type ChatDeps } from '../../../src/extension/chat/controller';
import { ConversationStore } from '../../../src/extension/chat/store';
import { buildCatalog, type Catalog } from '../../../src/extension/catalog';
import { OfflineSwitch } from '../../../src/extension/offline';
import type { HostMessage } from '../../../src/shared/protocol';
import { startMockServer, type MockServer, type RecordedRequest, type Reply } from '../helpers/mock-server';
import { error as openaiError } from '../mocks/openai';
import { openAIStreamOf } from '../../ui/streams';
import { waitFor } from '../helpers/wait';
import { catalogSettings, Memento } from './host-fixtures';
import { tempDir } from '../helpers/temp';



type Body = { model: string; messages: { role: string; content: string }[] };
const bodyOf = (r: RecordedRequest) => r.body as Body;

describe('chat controller: compare mode', function () {
  this.timeout(30_000);
  let mock: MockServer;
  let catalog: Catalog;
  let failNext = true;
  before(async () => {
    mock = await startMockServer((req): Reply => {
      const { model } = bodyOf(req);
      if (model === 'flaky' && failNext) return openaiError('openai', 400, 'flaky refuses this once.', 'invalid_request');
      if (model === 'endless') return { ...(openAIStreamOf('and on and on and on', { size: 2, delayMs: 150 }) as Extract<Reply, { kind: 'raw' }>), hang: true };
      return openAIStreamOf(`${model} answers: ${bodyOf(req).messages.at(-1)!.content}`, { size: 6, delayMs: model === 'slow' ? 60 : 5, usage: { prompt_tokens: 42, completion_tokens: 120 } });
    });
    catalog = await buildCatalog({
      settings: catalogSettings(), defaultModel: 'quick', keyEnv: { K: 'k' }, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 300,
      modelsSetting: ['quick', 'slow', 'flaky', 'endless'].map((m) => ({ model_name: m, litellm_params: { model: m === 'quick' ? 'openai/gpt-4o-mini' : `openai/${m}`, api_base: `${mock.url}/v1`, api_key: 'os.environ/K' } })),
    });
  });
  after(() => mock.close());

  async function harness(extra: Partial<ChatDeps> = {}, dir = tempDir('compare')) {
    const store = await ConversationStore.open(dir, new Memento(), () => undefined);
    const seen: HostMessage[] = [];
    let model = 'quick';
    const deps: ChatDeps = {
      store, catalog: async () => catalog, modelOptions: () => catalog.models.map((m) => ({ id: m.id })),
      offline: new OfflineSwitch({ probe: async () => false, recheckSeconds: () => 60, onChange: () => undefined }),
      currentModel: () => model, setModel: async (m) => { model = m; }, offlineModel: () => undefined, autoOfflineSwitch: () => false,
      runAction: async () => undefined, editorAction: async () => undefined, warn: () => undefined, observe: (m) => seen.push(m),
      pickCompareModels: async () => ['quick', 'slow'],
      ...extra,
    };
    const controller = new ChatController(deps);
    controller.attach(() => undefined);
    await controller.handle({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
    return { controller, store, seen, dir, model: () => model };
  }

  it('streams each column, keeps a failed one\'s error apart, asks it again alone, and continues with the chosen answer', async () => {
    const h = await harness();
    mock.requests.length = 0;
    failNext = true;
    await h.controller.handle({ type: 'compare', requestId: 'r1', messageId: 'cmp-1', conversationId: null, text: 'Which sort is stable?', models: ['quick', 'slow', 'flaky'] });
    const entry = (await h.store.active())!.messages.at(-1)!;
    assert.equal(entry.role, 'compare');
    const [quick, slow, flaky] = entry.compare!.columns;
    assert.deepEqual([quick!.status, slow!.status, flaky!.status], ['done', 'done', 'error']);
    assert.equal(quick!.text, 'gpt-4o-mini answers: Which sort is stable?');
    assert.equal(slow!.text, 'slow answers: Which sort is stable?');
    assert.deepEqual(quick!.usage, { inputTokens: 42, outputTokens: 120, totalTokens: 162 });
    assert.ok(quick!.cost! > 0 && quick!.ttftMs! >= 0 && quick!.totalMs! >= quick!.ttftMs!);
    assert.equal(slow!.cost, null, 'openai/slow has no known price');
    assert.equal(flaky!.error!.kind, 'BadRequest');
    assert.deepEqual(flaky!.error!.actions, ['pickModel', 'retry']);
    // The view got each column's text tagged with its column, and the end.
    const deltas = h.seen.filter((m): m is Extract<HostMessage, { type: 'compareDelta' }> => m.type === 'compareDelta');
    assert.equal(deltas.filter((d) => d.columnId === slow!.id).map((d) => d.text).join(''), slow!.text);
    assert.ok(h.seen.some((m) => m.type === 'compareEnd' && m.messageId === 'cmp-1'));
    assert.equal(h.controller.busy, false);

    failNext = false;
    await h.controller.handle({ type: 'compareAction', messageId: 'cmp-1', columnId: flaky!.id, kind: 'retry' });
    const again = (await h.store.active())!.messages.at(-1)!.compare!.columns;
    assert.deepEqual(again.map((c) => c.status), ['done', 'done', 'done']);
    assert.equal(again[2]!.text, 'flaky answers: Which sort is stable?');
    assert.equal(again[0]!.text, quick!.text, 'the other columns are as they were');

    await h.controller.handle({ type: 'continueCompare', messageId: 'cmp-1', columnId: slow!.id });
    assert.equal(h.model(), 'slow', 'the conversation goes on with the chosen model');
    assert.ok(h.seen.some((m) => m.type === 'compareChosen' && m.columnId === slow!.id));
    const conversationId = (await h.store.active())!.id;
    await h.controller.handle({ type: 'send', requestId: 'r2', messageId: 'local-2', conversationId, text: 'And why?', model: 'slow' });
    assert.deepEqual(bodyOf(mock.requests.at(-1)!).messages, [
      { role: 'user', content: 'Which sort is stable?' },
      { role: 'assistant', content: 'slow answers: Which sort is stable?' },
      { role: 'user', content: 'And why?' },
    ]);

    // Opened anew (a reload): the comparison, its figures and the choice are there.
    await h.store.flush();
    const reopened = await harness({}, h.dir);
    const restored = (await reopened.store.active())!.messages;
    assert.deepEqual(restored.map((m) => m.role), ['compare', 'user', 'assistant']);
    assert.equal(restored[0]!.compare!.chosenColumnId, slow!.id);
    assert.deepEqual(restored[0]!.compare!.columns.map((c) => c.text), again.map((c) => c.text));
    assert.deepEqual(restored[0]!.compare!.columns[0]!.usage, quick!.usage);
  });

  it('stops one column while the other finishes', async () => {
    const h = await harness();
    const done = h.controller.handle({ type: 'compare', requestId: 'r3', messageId: 'cmp-2', conversationId: null, text: 'Go on', models: ['endless', 'slow'] });
    await waitFor(() => h.seen.some((m) => m.type === 'compareDelta' && m.messageId === 'cmp-2'), 'the first text');
    const columns = (await h.store.active())!.messages.at(-1)!.compare!.columns;
    assert.equal(h.controller.busy, true);
    await h.controller.handle({ type: 'stopCompare', messageId: 'cmp-2', columnId: columns[0]!.id });
    await done;
    assert.deepEqual(columns.map((c) => c.status), ['stopped', 'done']);
    assert.equal(columns[1]!.text, 'slow answers: Go on');
    assert.ok(columns[0]!.text.length < 'and on and on and on'.length);
  });

  it('sends the chat\'s system prompt to every column, and asks the budget once per model first', async () => {
    const admitted: string[] = [];
    const h = await harness({
      instructions: async () => ({ system: 'Answer in one line.', info: null, paths: new Map() }),
      admit: async (model, free) => { admitted.push(`${model}${free ? ' (free)' : ''}`); },
    });
    mock.requests.length = 0;
    await h.controller.handle({ type: 'compare', requestId: 'r4', messageId: 'cmp-3', conversationId: null, text: 'Name a heap.', models: ['quick', 'slow'] });
    assert.deepEqual(admitted.sort(), ['quick', 'slow']);
    const sent = mock.requests.map((r) => bodyOf(r).messages);
    assert.equal(sent.length, 2);
    for (const messages of sent) assert.deepEqual(messages.map((m) => [m.role, m.content]), [['system', 'Answer in one line.'], ['user', 'Name a heap.']]);
  });

  it('sends nothing when the budget refuses, and every column says why', async () => {
    const h = await harness({ admit: async () => { throw new AnyModelError({ kind: 'BudgetExceeded', code: 'budget_exceeded', message: 'Daily budget spent for all models.' }); } });
    mock.requests.length = 0;
    await h.controller.handle({ type: 'compare', requestId: 'r5', messageId: 'cmp-4', conversationId: null, text: 'Name a trie.', models: ['quick', 'slow'] });
    assert.equal(mock.requests.length, 0);
    const columns = (await h.store.active())!.messages.at(-1)!.compare!.columns;
    assert.deepEqual(columns.map((c) => [c.status, c.error?.kind, c.error?.actions]), [['error', 'BudgetExceeded', ['pickModel']], ['error', 'BudgetExceeded', ['pickModel']]]);
  });

  it('sends the question\'s attachments to every column, keeps them with the entry, and shows the view only their chips', async () => {
    const file = { id: 'att-1', kind: 'file' as const, name: 'src/sort.ts', tokens: 9, content: 'export const sort = (a: number[]) => a.sort();' };
    const taken: string[][] = [];
    const h = await harness({ attachments: { take: (ids) => { taken.push([...ids]); return [file]; }, restore: () => undefined, attach: async () => undefined, remove: async () => undefined, shown: () => [], tokens: () => 0, mentions: async () => [] } });
    mock.requests.length = 0;
    await h.controller.handle({ type: 'compare', requestId: 'r6', messageId: 'cmp-5', conversationId: null, text: 'Is this stable?', models: ['quick', 'slow'], attachmentIds: ['att-1'] });
    assert.deepEqual(taken, [['att-1']]);
    const sent = mock.requests.map((r) => (r.body as { messages: { content: unknown }[] }).messages.at(-1)!.content);
    assert.equal(sent.length, 2);
    for (const content of sent) assert.deepEqual(content, [{ type: 'text', text: file.content }, { type: 'text', text: 'Is this stable?' }]);
    const entry = (await h.store.active())!.messages.at(-1)!;
    assert.deepEqual(entry.attachments, [file], 'the stored entry keeps the content (a retried column sends it again)');
    const added = h.seen.find((m): m is Extract<HostMessage, { type: 'messageAdded' }> => m.type === 'messageAdded' && m.message.id === 'cmp-5');
    assert.deepEqual(added!.message.attachments, [{ id: 'att-1', kind: 'file', name: 'src/sort.ts', tokens: 9 }], 'the view gets the chip, not the content');
  });
});
