import assert from 'node:assert/strict';
import { createChatStreamDecoder } from '../../../src/core/providers/openai/stream-decoder';
import type { Deployment } from '../../../src/core/types/deployment';

const dep: Deployment = { id: 'openai/gpt-4o', modelName: 'gpt-4o', provider: 'openai', model: 'gpt-4o' };
const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o', system_fingerprint: 'fp' };
const decode = (chunk: unknown) => createChatStreamDecoder(dep).onEvent({ data: JSON.stringify(chunk) });

describe('openai stream decoder: the text-only fast path', () => {
  // Each text-only chunk next to a twin the fast path must not take (an extra field that
  // forces the schema path), so both paths are compared on the same text.
  const cases: [string, unknown][] = [
    ['first chunk with role and empty content', { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] }],
    ['a text delta', { ...base, choices: [{ index: 0, delta: { content: 'Hél' }, finish_reason: null }] }],
    ['without id, model or created', { choices: [{ delta: { content: 'x' } }] }],
    ['with null meta fields', { id: null, model: null, created: null, choices: [{ index: 0, delta: { content: 'y', role: null }, finish_reason: null }] }],
  ];
  for (const [name, chunk] of cases) {
    it(`gives the schema path's parts: ${name}`, () => {
      const twin = structuredClone(chunk) as { choices: { delta: Record<string, unknown> }[] };
      twin.choices[0]!.delta.refusal = null; // a known field the fast path does not accept: schema path
      assert.deepEqual(decode(chunk), decode(twin));
    });
  }

  it('leaves everything else to the schema: finish, usage, tools, reasoning, several choices', () => {
    assert.deepEqual(decode({ ...base, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] }), [{ type: 'response-metadata', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_700_000_000 }, { type: 'text-delta', text: 'a' }]);
    assert.deepEqual(decode({ ...base, choices: [{ index: 0, delta: { content: 'r', reasoning_content: 'think' } }] }).map((p) => p.type), ['response-metadata', 'reasoning-delta', 'text-delta']);
    assert.deepEqual(decode({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{' } }] } }] }).map((p) => p.type), ['response-metadata', 'tool-call-start', 'tool-call-delta']);
    assert.deepEqual(decode({ ...base, choices: [{ index: 0, delta: { content: 'a' } }, { index: 1, delta: { content: 'b' } }] }).filter((p) => p.type === 'text-delta'), [{ type: 'text-delta', text: 'a' }, { type: 'text-delta', text: 'b' }]);
  });

  it('still names the field of a malformed chunk', () => {
    assert.throws(() => decode({ ...base, choices: [{ index: 0, delta: { content: 42 } }] }), /unexpected stream chunk: choices\.0\.delta\.content: /);
    assert.throws(() => decode({ ...base, id: 7, choices: [{ index: 0, delta: { content: 'x' } }] }), /unexpected stream chunk: id: /);
    assert.throws(() => decode({ ...base, choices: [{ index: '0', delta: { content: 'x' } }] }), /unexpected stream chunk: choices\.0\.index: /);
  });
});
