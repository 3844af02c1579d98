/**
 * Reading a response body. A whole answer is gathered with `data`/`end` listeners; a stream is read
 * one chunk at a time through a `ChunkSource`. Both replace layers of async iterators (Node's
 * Readable iterator, then a generator per stage), each of which cost a promise and a microtask per
 * chunk: measured with `npm run bench`, those layers were a large part of a streamed chunk's CPU.
 * Errors say why the body stopped: the caller aborted, the total or idle timeout passed, or the
 * connection broke.
 */
import type http from 'node:http';
import { AnyModelError, isAnyModelError } from '../types/errors';

/** Why the exchange was cut on our side, if it was. */
export type CutReason = 'connect' | 'headers' | 'total' | 'caller' | undefined;

/** One chunk at a time; `undefined` at the end. Rejects with an AnyModelError. */
export interface ChunkSource {
  next(): Promise<Uint8Array | undefined>;
  /** Stops reading and releases the body (the consumer stopped early). */
  cancel(): void;
}

/** Maps an error thrown while reading a response body (after the headers arrived). */
export function bodyReadError(err: unknown, provider: string): AnyModelError {
  if (isAnyModelError(err)) return err;
  return new AnyModelError({ kind: 'APIConnection', provider, message: `The connection to ${provider} broke while reading the response: ${errorText(err)}`, cause: err });
}

export function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return [e?.code, e?.message ?? String(err)].filter(Boolean).join(': ');
}

/** The error for a body that stopped, given why the exchange was cut (if we cut it). */
export function cutError(err: unknown, reason: CutReason, provider: string): AnyModelError {
  if (reason === 'caller') return new AnyModelError({ kind: 'Aborted', provider, message: `The request to ${provider} was aborted` });
  if (reason === 'total') return new AnyModelError({ kind: 'Timeout', provider, message: `The request to ${provider} took too long` });
  return bodyReadError(err, provider);
}

const endedEarly = () => new Error('the response ended early');

/**
 * The whole body as text (UTF-8, decoded once). Rejects with the error as it came (a broken
 * connection, or a body cut before its end), for the caller to map with `cutError`.
 */
export function collectText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', fail);
    res.on('end', () => {
      if (!res.complete) return fail(endedEarly());
      settled = true;
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      // A UTF-8 byte order mark is not text (TextDecoder, used before, dropped it too).
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
    // Destroyed without 'end' or 'error' (as the Readable iterator reports a premature close).
    // Every body closes after its end too: make the error (a stack trace) only when it is one.
    res.on('close', () => { if (!settled) fail(endedEarly()); });
  });
}

/**
 * Measures the idle timeout with one timer per stream instead of one per chunk: the timer only
 * checks how long the current wait has lasted and re-arms itself for the rest.
 */
class IdleWatch {
  private waitingSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number, private readonly onIdle: () => void) {}

  waiting(): void {
    this.waitingSince = performance.now();
    this.timer ??= setTimeout(() => this.check(), this.ms);
  }

  arrived(): void {
    this.waitingSince = undefined;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingSince = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.waitingSince === undefined) return; // re-armed by the next wait
    const left = this.waitingSince + this.ms - performance.now();
    if (left <= 0) this.onIdle();
    else this.timer = setTimeout(() => this.check(), left);
  }
}

export function idleError(provider: string, ms: number): AnyModelError {
  return new AnyModelError({ kind: 'Timeout', provider, message: `${provider} sent nothing for ${ms} ms in the middle of a stream` });
}

/**
 * Chunks of a live response. Reads in flowing mode and pauses the socket while a chunk waits for
 * the consumer, so a slow consumer holds back the provider as the iterator did.
 */
export class ResponseChunks implements ChunkSource {
  private readonly queue: Uint8Array[] = [];
  private waiter: { resolve(v: Uint8Array | undefined): void; reject(e: unknown): void } | undefined;
  private ended = false;
  private failure: AnyModelError | undefined;
  private readonly idle: IdleWatch | undefined;

  constructor(private readonly res: http.IncomingMessage, private readonly reason: () => CutReason, private readonly provider: string, idleTimeoutMs?: number) {
    if (idleTimeoutMs) this.idle = new IdleWatch(idleTimeoutMs, () => this.fail(idleError(provider, idleTimeoutMs), true));
    res.on('data', (c: Uint8Array) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        this.idle?.arrived();
        w.resolve(c);
      } else {
        this.queue.push(c);
        res.pause();
      }
    });
    res.on('end', () => {
      if (!res.complete) this.fail(cutError(endedEarly(), reason(), provider));
      else this.finish();
    });
    res.on('error', (err) => this.fail(cutError(err, reason(), provider)));
    res.on('close', () => { if (!this.ended) this.fail(cutError(endedEarly(), reason(), provider)); });
  }

  next(): Promise<Uint8Array | undefined> {
    const c = this.queue.shift();
    if (c) {
      if (!this.queue.length) this.res.resume();
      return Promise.resolve(c);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.idle?.waiting();
    });
  }

  cancel(): void {
    this.idle?.stop();
    if (!this.ended) {
      this.ended = true;
      this.res.destroy();
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.idle?.stop();
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve(undefined);
  }

  /** `stopBody`: our idle timeout cut it, so the connection must go too. */
  private fail(err: AnyModelError, stopBody = false): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = err;
    this.idle?.stop();
    if (stopBody) this.res.destroy();
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }
}

/** A ChunkSource over any async iterable of bytes (tests, and bodies that are not a live response). */
export class IterableChunks implements ChunkSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private finished = false;

  constructor(body: AsyncIterable<Uint8Array>, private readonly provider: string, private readonly idleTimeoutMs?: number) {
    this.it = body[Symbol.asyncIterator]();
  }

  async next(): Promise<Uint8Array | undefined> {
    const ms = this.idleTimeoutMs;
    let r: IteratorResult<Uint8Array>;
    if (!ms) {
      r = await this.it.next();
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(idleError(this.provider, ms)), ms); });
      try {
        r = await Promise.race([this.it.next(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
    if (r.done) this.finished = true;
    return r.done ? undefined : r.value;
  }

  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    void this.it.return?.();
  }
}
