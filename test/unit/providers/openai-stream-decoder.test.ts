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

  // A whole stream's parts, onEnd included: finish and usage chunks only show in the finish part.
  const run = (chunks: unknown[]) => {
    const d = createChatStreamDecoder(dep);
    return [...chunks.flatMap((c) => d.onEvent({ data: JSON.stringify(c) })), ...d.onEnd()];
  };
  const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 1, audio_tokens: 0 }, extra: 'kept' };
  const ends: [string, unknown[]][] = [
    ['finish, then the usage chunk', [{ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }, { ...base, choices: [], usage }]],
    ['finish with text and usage on the same chunk (vLLM)', [{ ...base, choices: [{ index: 0, delta: { content: 'end', role: 'assistant' }, finish_reason: 'length' }], usage }]],
    ['finish without meta fields and without usage', [{ choices: [{ delta: { content: null }, finish_reason: 'tool_calls' }] }]],
    ['usage with null details', [{ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'content_filter' }] }, { choices: [], usage: { prompt_tokens: 1, completion_tokens: null, prompt_tokens_details: null } }]],
  ];
  for (const [name, chunks] of ends) {
    it(`gives the schema path's parts at the end of a stream: ${name}`, () => {
      // Twins the fast path must not take: a refusal field in the delta, choices null instead of [].
      const twins = structuredClone(chunks).map((c) => {
        const x = c as { choices: { delta: Record<string, unknown> }[] | null };
        if (x.choices?.length) x.choices[0]!.delta.refusal = null;
        else x.choices = null;
        return x;
      });
      assert.deepEqual(run(chunks), run(twins));
      assert.equal(run(chunks).at(-1)?.type, 'finish');
    });
  }

  it('leaves everything else to the schema: tools, reasoning, several choices, odd finish and usage chunks', () => {
    assert.deepEqual(decode({ ...base, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] }), [{ type: 'response-metadata', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_700_000_000 }, { type: 'text-delta', text: 'a' }]);
    assert.throws(() => decode({ ...base, choices: [], usage: { prompt_tokens: 'many' } }), /unexpected stream chunk: usage\.prompt_tokens: /);
    assert.throws(() => decode({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 7 }] }), /unexpected stream chunk: choices\.0\.finish_reason: /);
    // JSON.parse makes Infinity of 1e400, which the schema refuses.
    assert.throws(() => createChatStreamDecoder(dep).onEvent({ data: '{"created":1e400,"choices":[{"delta":{},"finish_reason":"stop"}]}' }), /unexpected stream chunk: created: /);
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
