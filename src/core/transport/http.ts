/**
 * The one transport every adapter's requests go through: fetch with a headers timeout, a total
 * timeout and an AbortSignal end to end. Errors come back as AnyModelError: connection failures as
 * APIConnection, timeouts as Timeout, HTTP errors through the adapter's `parseError`, and no
 * message ever carries the deployment's key.
 */
import type { HttpRequestSpec, UpstreamErrorInput } from '../providers/adapter';
import { AnyModelError, isAnyModelError, redactSecrets } from '../types/errors';
import { truncate } from './framing';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface SendOptions {
  provider: string;
  /** Secrets to redact from any message (the deployment's key). */
  secrets: readonly (string | undefined)[];
  /** Abort when the response headers have not arrived in this many ms. */
  headersTimeoutMs?: number;
  /** Abort the whole exchange, body included, after this many ms. */
  totalTimeoutMs?: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
  parseError(input: UpstreamErrorInput): AnyModelError;
}

export interface SentRequest {
  response: Response;
  /** Aborts the exchange (used when a stream consumer stops reading). */
  abort(): void;
  /** Clears the total timer once the body has been read. */
  done(): void;
}

/** Sends one HTTP request and resolves once the response headers arrived with a 2xx status. */
export async function sendRequest(spec: HttpRequestSpec, opts: SendOptions): Promise<SentRequest> {
  const controller = new AbortController();
  let reason: 'headers' | 'total' | 'caller' | undefined;
  const onCallerAbort = () => { reason ??= 'caller'; controller.abort(); };
  if (opts.signal?.aborted) onCallerAbort();
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const total = opts.totalTimeoutMs ? setTimeout(() => { reason ??= 'total'; controller.abort(); }, opts.totalTimeoutMs) : undefined;
  const headers = opts.headersTimeoutMs ? setTimeout(() => { reason ??= 'headers'; controller.abort(); }, opts.headersTimeoutMs) : undefined;
  const done = () => { clearTimeout(total); clearTimeout(headers); opts.signal?.removeEventListener('abort', onCallerAbort); };

  const init: RequestInit = { method: spec.method, headers: spec.headers, signal: controller.signal };
  if (spec.body !== undefined) {
    init.body = JSON.stringify(spec.body);
    init.headers = { 'content-type': 'application/json', ...spec.headers };
  }
  let response: Response;
  try {
    response = await (opts.fetch ?? fetch)(spec.url, init);
  } catch (err) {
    done();
    throw connectionError(err, reason, opts, spec.url);
  } finally {
    clearTimeout(headers);
  }
  if (!response.ok) {
    let body = '';
    try { body = await response.text(); } catch { /* the status alone still tells the kind */ }
    done();
    throw withRetryAfter(opts.parseError({ status: response.status, body: redactSecrets(body, opts.secrets), headers: response.headers }), response.headers);
  }
  // Later failures (body read after an abort or the total timeout) are mapped by the reader's caller.
  return {
    response,
    abort: () => { reason ??= 'caller'; controller.abort(); done(); },
    done,
  };
}

/** Reads a JSON body, mapping a malformed one to a clear error. */
export async function readJson(sent: SentRequest, provider: string): Promise<unknown> {
  let text: string;
  try {
    text = await sent.response.text();
  } catch (err) {
    throw bodyReadError(err, provider);
  } finally {
    sent.done();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AnyModelError({ kind: 'BadGateway', provider, message: `${provider} returned a body that is not JSON: ${truncate(text, 200)}` });
  }
}

/** Maps an error thrown while reading a response body (after the headers arrived). */
export function bodyReadError(err: unknown, provider: string): AnyModelError {
  if (isAnyModelError(err)) return err;
  const name = (err as { name?: string })?.name;
  if (name === 'AbortError') return new AnyModelError({ kind: 'Aborted', provider, message: `The request to ${provider} was aborted` });
  return new AnyModelError({ kind: 'APIConnection', provider, message: `The connection to ${provider} broke while reading the response: ${errorText(err)}`, cause: err });
}

function connectionError(err: unknown, reason: string | undefined, opts: SendOptions, url: string): AnyModelError {
  const where = safeOrigin(url);
  if (reason === 'caller') return new AnyModelError({ kind: 'Aborted', provider: opts.provider, message: `The request to ${opts.provider} was aborted` });
  if (reason === 'headers') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `${opts.provider} (${where}) did not answer within ${opts.headersTimeoutMs} ms` });
  if (reason === 'total') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `The request to ${opts.provider} (${where}) took longer than ${opts.totalTimeoutMs} ms` });
  return new AnyModelError({
    kind: 'APIConnection',
    provider: opts.provider,
    message: redactSecrets(`Could not reach ${opts.provider} at ${where}: ${errorText(err)}`, opts.secrets),
    cause: err,
  });
}

/** Node's fetch hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return [e?.message ?? String(err), cause].filter(Boolean).join(': ');
}

function safeOrigin(url: string): string {
  try { return new URL(url).origin; } catch { return 'an invalid URL'; }
}

/** Attaches the provider's requested delay (retry-after-ms, then Retry-After seconds or date) to the error. */
function withRetryAfter(err: AnyModelError, headers: Headers): AnyModelError {
  const ms = parseRetryAfter(headers);
  if (ms === undefined || err.retryAfterMs !== undefined) return err;
  return new AnyModelError({ kind: err.kind, message: err.message, provider: err.provider, model: err.model, status: err.status, code: err.code, param: err.param, retryAfterMs: ms, cause: err.cause });
}

/** Milliseconds from `retry-after-ms` (OpenAI, Azure) or `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
