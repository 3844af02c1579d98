/**
 * Retry rules (openai-node's, which DESIGN §2 follows): retry 408, 409, 429, ≥500 and connection
 * errors; honour the provider's requested delay up to a cap; otherwise back off exponentially with
 * jitter. A stream is never retried once it has started delivering: callers only retry the part
 * before the first byte of the body.
 */
import { AnyModelError, isAnyModelError } from '../types/errors';

export interface RetryPolicy {
  maxRetries: number;
  /** Base delay for exponential backoff. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A provider-requested delay above this is not waited out: the error is returned instead. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/** The delay before retry number `attempt` (1-based), or undefined when the error must not be retried. */
export function retryDelay(err: unknown, attempt: number, policy: RetryPolicy, random = Math.random): number | undefined {
  const p = { ...DEFAULT_RETRY_POLICY, ...policy };
  if (attempt > p.maxRetries || !isAnyModelError(err) || !err.retryable) return undefined;
  if (err.retryAfterMs !== undefined) return err.retryAfterMs <= p.maxRetryAfterMs ? err.retryAfterMs : undefined;
  const exp = Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** (attempt - 1));
  return exp * (0.75 + random() * 0.25);
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or runs out of retries. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const delay = retryDelay(err, attempt + 1, policy);
      if (delay === undefined) throw err;
      await sleep(delay, signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(abortedError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortedError(): AnyModelError {
  return new AnyModelError({ kind: 'Aborted', message: 'The request was aborted' });
}
