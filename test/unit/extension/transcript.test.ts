/**
 * A conversation as Markdown, as an exported JSON file imported back (with its branches), a bad
 * import refused with what is wrong, and searching stored conversations by text.
 */
import assert from 'node:assert/strict';
import { searchConversations } from '../../../src/extension/chat/history-search';
import { parseExport, toExportJson, toMarkdown, type Transcript } from '../../../src/extension/chat/transcript';

const conversation: Transcript = {
  title: 'Retry loop', updatedAt: 1_700_000_000_000,
  messages: [
    { id: 'u1', role: 'user', text: 'How do I back off?', slot: 'u0' },
    { id: 'a1', role: 'assistant', text: 'Honour `Retry-After`.', model: 'claude', reasoning: { text: 'Think about 429.', durationMs: 2000 } },
    { id: 'n1', role: 'notice', text: 'Offline: using the local model.' },
  ],
  branches: { u0: { versions: [[{ id: 'u0', role: 'user', text: 'Old question', slot: 'u0' }], null], active: 1 } },
};

describe('chat transcript: Markdown, export and import', () => {
  it('writes the whole conversation as Markdown, thoughts folded', () => {
    assert.equal(toMarkdown(conversation), [
      '# Retry loop', '## You', 'How do I back off?', '## AnyModel (claude)',
      '<details><summary>Thinking</summary>\n\nThink about 429.\n\n</details>', 'Honour `Retry-After`.', '> Offline: using the local model.',
    ].join('\n\n') + '\n');
  });

  it('imports what it exported, branches and all', () => {
    const back = parseExport(toExportJson(conversation));
    assert.deepEqual(back, { ok: true, conversation });
  });

  it('refuses a file that is not JSON, not ours, or has a bad message, naming what is wrong', () => {
    const bad = (text: string) => { const r = parseExport(text); assert.equal(r.ok, false); return r.ok ? '' : r.error; };
    assert.match(bad('{"format":'), /^not JSON/);
    assert.equal(bad('{"messages":[]}'), 'not an AnyModel conversation: "format" must be "anymodel.conversation", and it is missing');
    const file = JSON.parse(toExportJson(conversation));
    file.messages[1].role = 'robot';
    assert.equal(bad(JSON.stringify(file)), 'messages.1.role: expected "user" or "assistant" or "notice"');
    delete file.messages[1].role;
    file.messages[0].text = 42;
    assert.match(bad(JSON.stringify(file)), /^messages\.0\.text: expected string/);
  });
});

describe('chat history search', () => {
  const stored = [
    { id: 'c1', title: 'Retry loop', updatedAt: 1, messages: [{ id: 'm', role: 'user' as const, text: 'How should the router back off on 429?' }] },
    { id: 'c2', title: 'Docker', updatedAt: 3, messages: [{ id: 'm', role: 'user' as const, text: 'Why is my image large?' }, { id: 'n', role: 'assistant' as const, text: 'Use a multi-stage build; the router is not involved.' }] },
    { id: 'c3', title: 'Notes', updatedAt: 2, messages: [{ id: 'm', role: 'notice' as const, text: 'router offline' }] },
  ];

  it('finds every conversation holding all the words, newest first, with the line that matched', () => {
    const hits = searchConversations(stored, 'ROUTER');
    assert.deepEqual(hits.map((h) => h.id), ['c2', 'c1'], 'notices are not searched');
    assert.equal(hits[0]!.snippet, 'Use a multi-stage build; the router is not involved.');
    assert.equal(hits[0]!.matches, 1);
    assert.deepEqual(searchConversations(stored, 'router 429').map((h) => h.id), ['c1']);
    assert.deepEqual(searchConversations(stored, 'docker').map((h) => h.id), ['c2'], 'titles count');
    assert.deepEqual(searchConversations(stored, 'kubernetes'), []);
  });

  it('lists everything, newest first, for an empty query', () => {
    assert.deepEqual(searchConversations(stored, '  ').map((h) => h.id), ['c2', 'c3', 'c1']);
  });
});
