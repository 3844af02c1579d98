import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../../src/core/transport/http';
import { backoffMs, sleep } from '../../../src/core/transport/retry';
import { AnyModelError, classifyUpstreamError, redactSecrets } from '../../../src/core/types/errors';

describe('retry timing', () => {
  it('reads retry-after-ms first, then Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now), 3000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(parseRetryAfter(new Headers()), undefined);
  });

  it('backs off exponentially with jitter', () => {
    assert.equal(backoffMs(0, () => 1), 500);
    assert.equal(backoffMs(2, () => 1), 2000);
    assert.equal(backoffMs(2, () => 0), 1500);
    assert.equal(backoffMs(10, () => 1), 8000);
  });

  it('sleeps abortably', async () => {
    const ctrl = new AbortController();
    const p = sleep(10_000, ctrl.signal);
    ctrl.abort();
    await assert.rejects(p, { kind: 'Aborted' });
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
    assert.equal(redactSecrets('api_key=abcd1234efgh5678'), 'api_key=[redacted]');
    // Ordinary words after "key" are not keys: OpenAI's own 401 message stays readable.
    assert.equal(redactSecrets('Incorrect API key provided. You can find your API key at https://x'), 'Incorrect API key provided. You can find your API key at https://x');
  });
});
