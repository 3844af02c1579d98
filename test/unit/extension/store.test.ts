import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversationStore, type Memento } from '../../../src/extension/chat/store';

function memento(): Memento {
  const values = new Map<string, unknown>();
  return { get: <T>(k: string) => values.get(k) as T | undefined, update: async (k, v) => { values.set(k, v); } };
}

describe('conversation store', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-store-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps conversations, the active one and the draft across a restart', async () => {
    const m = memento();
    const store = await ConversationStore.open(dir, m, () => {});
    const c = store.create('How do I retry on 429?\nDetails follow', 'c-1');
    c.messages.push({ id: 'u1', role: 'user', text: 'How do I retry on 429?' }, { id: 'a1', role: 'assistant', text: 'Honour Retry-After.', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, cost: 0.0001, finishReason: 'stop' });
    await store.save(c);
    await store.saveDraft('half-typed question');
    const again = await ConversationStore.open(dir, m, () => {});
    assert.equal(again.activeId, 'c-1');
    assert.deepEqual(again.summaries().map((s) => s.title), ['How do I retry on 429?']);
    assert.deepEqual((await again.active())?.messages, c.messages);
    assert.equal(again.draft(), 'half-typed question');
  });

  it('sets a damaged file aside with a warning and keeps the rest', async () => {
    const warnings: string[] = [];
    const store = await ConversationStore.open(dir, memento(), () => {});
    const a = store.create('first', 'c-a');
    a.messages.push({ id: 'u', role: 'user', text: 'first' });
    await store.save(a);
    const b = store.create('second', 'c-b');
    b.messages.push({ id: 'u', role: 'user', text: 'second' });
    await store.save(b);
    fs.writeFileSync(path.join(dir, 'c-a.json'), '{"id":"c-a","messages":[{"role":"robot"}]');
    const again = await ConversationStore.open(dir, memento(), (w) => warnings.push(w));
    assert.equal(await again.get('c-a'), undefined);
    assert.equal((await again.get('c-b'))?.messages[0]?.text, 'second');
    assert.match(warnings[0]!, /c-a\.json is not valid .* kept as c-a\.json\.invalid-\d+/);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('c-a.json.invalid-')), 'nothing deleted');
  });

  it('rebuilds a lost index from the conversation files', async () => {
    const store = await ConversationStore.open(dir, memento(), () => {});
    const c = store.create('kept', 'c-k');
    await store.save(c);
    fs.rmSync(path.join(dir, 'index.json'));
    const again = await ConversationStore.open(dir, memento(), () => {});
    assert.deepEqual(again.summaries().map((s) => s.id), ['c-k']);
  });
});
