import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../../src/core/transport/http';
import { retryDelay, withRetries } from '../../../src/core/transport/retry';
import { AnyModelError, classifyUpstreamError, redactSecrets } from '../../../src/core/types/errors';

const err = (kind: AnyModelError['kind'], retryAfterMs?: number) => new AnyModelError({ kind, message: kind, retryAfterMs });

describe('retry rules', () => {
  it('reads retry-after-ms first, then Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now), 3000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(parseRetryAfter(new Headers()), undefined);
  });

  it('retries 408, 409, 429, 5xx and connection errors, nothing else', () => {
    for (const kind of ['Timeout', 'Conflict', 'RateLimit', 'InternalServer', 'ServiceUnavailable', 'APIConnection'] as const) {
      assert.notEqual(retryDelay(err(kind), 1, { maxRetries: 2 }), undefined, kind);
    }
    for (const kind of ['BadRequest', 'Authentication', 'NotFound', 'ContextWindowExceeded', 'ContentPolicyViolation', 'Aborted'] as const) {
      assert.equal(retryDelay(err(kind), 1, { maxRetries: 2 }), undefined, kind);
    }
    assert.equal(retryDelay(err('RateLimit'), 3, { maxRetries: 2 }), undefined, 'past maxRetries');
  });

  it('honours a requested delay up to the cap and refuses to sleep past it', () => {
    assert.equal(retryDelay(err('RateLimit', 1500), 1, { maxRetries: 2 }), 1500);
    assert.equal(retryDelay(err('RateLimit', 120_000), 1, { maxRetries: 2, maxRetryAfterMs: 60_000 }), undefined);
  });

  it('backs off exponentially with jitter', () => {
    const d1 = retryDelay(err('InternalServer'), 1, { maxRetries: 5, initialDelayMs: 100 }, () => 1)!;
    const d3 = retryDelay(err('InternalServer'), 3, { maxRetries: 5, initialDelayMs: 100 }, () => 1)!;
    assert.equal(d1, 100);
    assert.equal(d3, 400);
  });

  it('stops at the first non-retryable error and counts attempts', async () => {
    let calls = 0;
    await assert.rejects(withRetries(async () => { calls++; throw err(calls < 2 ? 'RateLimit' : 'BadRequest', 1); }, { maxRetries: 5 }), { kind: 'BadRequest' });
    assert.equal(calls, 2);
  });
});

describe('errors', () => {
  it('classifies context window and content policy errors that arrive as a 400', () => {
    assert.equal(classifyUpstreamError(400, 'context_length_exceeded', 'x'), 'ContextWindowExceeded');
    assert.equal(classifyUpstreamError(400, undefined, 'prompt is too long: 210000 tokens > 200000 maximum'), 'ContextWindowExceeded');
    assert.equal(classifyUpstreamError(400, 'content_filter', 'filtered'), 'ContentPolicyViolation');
    assert.equal(classifyUpstreamError(400, undefined, 'missing field'), 'BadRequest');
    assert.equal(classifyUpstreamError(429, undefined, 'context length'), 'RateLimit');
  });

  it('redacts keys in messages, known ones and key-shaped ones', () => {
    const text = 'bad key sk-proj-abcdefghijklmnop for Authorization: Bearer abc.def.ghi123 and my-custom-key-42';
    const out = redactSecrets(text, ['my-custom-key-42']);
    assert.doesNotMatch(out, /abcdefghijklmnop|abc\.def\.ghi123|my-custom-key-42/);
    assert.equal(new AnyModelError({ kind: 'Authentication', message: 'Invalid key AIzaSyA1234567890abcdefghijklmnopqrstu' }).message.includes('AIza'), false);
  });
});
