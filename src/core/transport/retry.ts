/**
 * Waiting between attempts. The router decides whether to retry
 * (docs/architecture.md#retries-and-fallbacks: it is the only retry loop); this file only says how
 * long to wait and waits, abortably.
 */
import type { AbortLike } from '../types/abort';
import { AnyModelError } from '../types/errors';

/** Exponential backoff with jitter (as openai-node): 0.5 s, 1 s, 2 s, … up to 8 s, minus up to 25 %. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(8_000, 500 * 2 ** attempt);
  return exp * (0.75 + random() * 0.25);
}

export function sleep(ms: number, signal?: AbortLike): Promise<void> {
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
