/**
 * The hand check of common chat requests (src/proxy/common-request.ts) against the zod schema it
 * stands in for: what it takes comes out exactly as `chatRequestSchema.parse` gives it (same
 * values, same key order), and what it does not take is left to the schema: anything the schema
 * refuses, and anything it would change (strip, default) or that needs its error messages.
 */
import assert from 'node:assert/strict';
import { chatRequestSchema } from '../../../src/core';
import { commonChatRequest } from '../../../src/proxy/common-request';
import { validateBody } from '../../../src/proxy/validate';

const msgs = [{ role: 'user', content: 'Hi' }];

/** Bodies with the common shape: the hand check takes them. */
const TAKEN: Record<string, unknown>[] = [
  { model: 'm', messages: msgs },
  { messages: msgs, model: 'm' }, // key order of the client: the schema's order comes out
  { model: 'm', messages: [{ content: 'be brief', role: 'system' }, { role: 'developer', content: 'd' }, { role: 'user', content: 'q', name: 'ann' }, { role: 'assistant', content: null }, { role: 'assistant', content: 'a' }, { role: 'user', content: '' }] },
  { model: 'm', messages: msgs, stream: true, stream_options: { include_usage: true }, max_tokens: 20 },
  { model: 'm', messages: msgs, stream: false, stream_options: {}, cache: { 'no-cache': true } },
  { model: 'm', messages: msgs, temperature: 0, top_p: 1, max_completion_tokens: 5, stop: ['a', 'b'], seed: -3, presence_penalty: -1.5, frequency_penalty: 2.5, user: 'u' },
  { model: 'm', messages: msgs, temperature: 2, top_p: 0, stop: 'x', n: 8, parallel_tool_calls: false, reasoning_effort: 'minimal' },
  { model: 'm', messages: msgs, temperature: -0, n: 1, reasoning_effort: 'high', stop: [] },
  { model: 'm', messages: msgs, metadata: { a: 1 }, store: false, service_tier: 'auto' }, // ignored keys: stripped as zod does
];

/** Bodies the schema must decide (it refuses them, changes them, or they are uncommon). */
const LEFT: Record<string, unknown>[] = [
  { model: '', messages: msgs },
  { model: 3, messages: msgs },
  { messages: msgs },
  { model: 'm', messages: [] },
  { model: 'm', messages: 'hi' },
  { model: 'm' },
  { model: 'm', messages: [{ role: 'user' }] },
  { model: 'm', messages: [{ role: 'user', content: null }] },
  { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
  { model: 'm', messages: [{ role: 'user', content: 'x', extra: 1 }] }, // zod strips the extra key
  { model: 'm', messages: [{ role: 'user', content: 'x', name: 5 }] },
  { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
  { model: 'm', messages: [{ role: 'tool', tool_call_id: 'c', content: 'x' }] },
  { model: 'm', messages: [{ role: 'assistant', content: 'x', tool_calls: [] }] },
  { model: 'm', messages: [{ role: 'assistant' }] }, // no content: zod leaves the key out
  { model: 'm', messages: [null] },
  { model: 'm', messages: msgs, temperature: 2.5 },
  { model: 'm', messages: msgs, temperature: '1' },
  { model: 'm', messages: msgs, temperature: Infinity },
  { model: 'm', messages: msgs, top_p: 1.01 },
  { model: 'm', messages: msgs, max_tokens: 0 },
  { model: 'm', messages: msgs, max_tokens: 1.5 },
  { model: 'm', messages: msgs, max_tokens: 2 ** 53 },
  { model: 'm', messages: msgs, seed: 0.5 },
  { model: 'm', messages: msgs, n: 9 },
  { model: 'm', messages: msgs, n: 0 },
  { model: 'm', messages: msgs, stop: ['a', 1] },
  { model: 'm', messages: msgs, stream: 'yes' },
  { model: 'm', messages: msgs, stream_options: { include_usage: 'yes' } },
  { model: 'm', messages: msgs, stream_options: { include_usage: true, other: 1 } }, // zod strips `other`
  { model: 'm', messages: msgs, stream_options: null },
  { model: 'm', messages: msgs, cache: { ttl: 5 } },
  { model: 'm', messages: msgs, reasoning_effort: 'max' },
  { model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'f' } }] },
  { model: 'm', messages: msgs, tool_choice: 'auto' },
  { model: 'm', messages: msgs, response_format: { type: 'text' } },
  { model: 'm', messages: msgs, thinking: { type: 'disabled' } },
];

describe('proxy: the hand check of common chat requests', function () {
  it('gives back what the schema gives back, key order included, for every common body', function () {
    for (const body of TAKEN) {
      const fast = commonChatRequest(structuredClone(body));
      assert.ok(fast, `taken: ${JSON.stringify(body)}`);
      const zod = chatRequestSchema.parse(structuredClone(body));
      assert.deepEqual(fast, zod);
      assert.equal(JSON.stringify(fast), JSON.stringify(zod));
    }
  });

  it('returns a copy: the messages are new objects, so changing the result leaves the body alone', function () {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['a'] };
    const fast = commonChatRequest(body)!;
    assert.notEqual(fast.messages, body.messages);
    assert.notEqual(fast.messages[0], body.messages[0]);
    assert.notEqual(fast.stop, body.stop);
  });

  it('leaves to the schema every body it refuses or would change', function () {
    for (const body of LEFT) assert.equal(commonChatRequest(body), undefined, `left: ${JSON.stringify(body)}`);
  });

  it('validateBody answers the same with and without the hand check', function () {
    for (const body of [...TAKEN, ...LEFT]) {
      let viaProxy: unknown;
      let proxyError: string | undefined;
      try {
        viaProxy = validateBody('chat', structuredClone(body));
      } catch (err) {
        proxyError = (err as Error).message;
      }
      const zod = chatRequestSchema.safeParse(structuredClone(body));
      if (zod.success) {
        assert.equal(proxyError, undefined, JSON.stringify(body));
        assert.equal(JSON.stringify(viaProxy), JSON.stringify(zod.data));
      } else {
        assert.match(proxyError ?? '', /^Invalid request: /, JSON.stringify(body));
      }
    }
  });
});
