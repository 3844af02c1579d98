/**
 * The one transport every adapter's requests go through: node:http(s) with keep-alive, a headers
 * timeout, a total timeout and an AbortSignal end to end. It is node:http rather than fetch
 * because fetch's web streams, Request objects and AbortSignal plumbing cost more CPU per request
 * than the whole rest of the core (measured with `npm run bench`). Errors come back as
 * AnyModelError: connection failures as APIConnection, timeouts as Timeout, HTTP errors through
 * the adapter's `parseError`, and no message ever carries the deployment's key.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpRequestSpec, UpstreamErrorInput } from '../providers/adapter';
import { AnyModelError, isAnyModelError, redactSecrets } from '../types/errors';
import { truncate } from './framing';

export interface SendOptions {
  provider: string;
  /** Secrets to redact from any message (the deployment's key). */
  secrets: readonly (string | undefined)[];
  /** Abort when the response headers have not arrived in this many ms. */
  headersTimeoutMs?: number;
  /** Abort the whole exchange, body included, after this many ms. */
  totalTimeoutMs?: number;
  signal?: AbortSignal;
  parseError(input: UpstreamErrorInput): AnyModelError;
}

export interface SentRequest {
  status: number;
  /** The response body; iterating it to the end or stopping early both release the connection. */
  body: AsyncIterable<Uint8Array>;
  /** Aborts the exchange (used when a stream consumer stops reading). */
  abort(): void;
  /** Clears the timers once the body has been read. */
  done(): void;
}

// Keep-alive agents: one connection setup per upstream, not per request.
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }) };

/** Sends one HTTP request and resolves once the response headers arrived with a 2xx status. */
export function sendRequest(spec: HttpRequestSpec, opts: SendOptions): Promise<SentRequest> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      return reject(new AnyModelError({ kind: 'BadRequest', provider: opts.provider, param: 'api_base', message: `${opts.provider}: "${redactSecrets(spec.url, opts.secrets)}" is not a valid URL` }));
    }
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string | number> = { accept: 'application/json, text/event-stream', ...spec.headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const lib = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    let reason: 'headers' | 'total' | 'caller' | undefined;
    let settled = false;
    const req = lib.request(url, { method: spec.method, headers, agent });
    const stop = (why: typeof reason) => { reason ??= why; req.destroy(); };
    const onCallerAbort = () => stop('caller');
    const total = opts.totalTimeoutMs ? setTimeout(() => stop('total'), opts.totalTimeoutMs) : undefined;
    const headersTimer = opts.headersTimeoutMs ? setTimeout(() => stop('headers'), opts.headersTimeoutMs) : undefined;
    const done = () => { clearTimeout(total); clearTimeout(headersTimer); opts.signal?.removeEventListener('abort', onCallerAbort); };
    if (opts.signal?.aborted) onCallerAbort();
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

    req.on('error', (err) => {
      done();
      if (!settled) reject(connectionError(err, reason, opts, url));
    });
    req.on('response', (res) => {
      clearTimeout(headersTimer);
      settled = true;
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        // Later failures (an abort, the total timeout) surface while the body is read.
        res.on('error', () => undefined);
        resolve({ status, body: bodyIterable(res, () => reason, opts.provider), abort: () => { stop('caller'); done(); }, done });
        return;
      }
      readAll(res).then((text) => {
        done();
        reject(withRetryAfter(opts.parseError({ status, body: redactSecrets(text, opts.secrets), headers: toHeaders(res.headers) }), res.headers));
      }, (err: unknown) => { done(); reject(connectionError(err, reason, opts, url)); });
    });
    req.end(body);
  });
}

/** Reads a JSON body, mapping a malformed one to a clear error. */
export async function readJson(sent: SentRequest, provider: string): Promise<unknown> {
  let text = '';
  try {
    const decoder = new TextDecoder();
    for await (const chunk of sent.body) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
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
  return new AnyModelError({ kind: 'APIConnection', provider, message: `The connection to ${provider} broke while reading the response: ${errorText(err)}`, cause: err });
}

/** The response as an async iterable whose errors say why the exchange was cut. */
async function* bodyIterable(res: http.IncomingMessage, reason: () => string | undefined, provider: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of res) yield chunk as Uint8Array;
    if (!res.complete) throw new Error('the response ended early');
  } catch (err) {
    const why = reason();
    if (why === 'caller') throw new AnyModelError({ kind: 'Aborted', provider, message: `The request to ${provider} was aborted` });
    if (why === 'total') throw new AnyModelError({ kind: 'Timeout', provider, message: `The request to ${provider} took too long` });
    throw bodyReadError(err, provider);
  }
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function connectionError(err: unknown, reason: string | undefined, opts: SendOptions, url: URL): AnyModelError {
  if (reason === 'caller') return new AnyModelError({ kind: 'Aborted', provider: opts.provider, message: `The request to ${opts.provider} was aborted` });
  if (reason === 'headers') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `${opts.provider} (${url.origin}) did not answer within ${opts.headersTimeoutMs} ms` });
  if (reason === 'total') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `The request to ${opts.provider} (${url.origin}) took longer than ${opts.totalTimeoutMs} ms` });
  return new AnyModelError({
    kind: 'APIConnection',
    provider: opts.provider,
    message: redactSecrets(`Could not reach ${opts.provider} at ${url.origin}: ${errorText(err)}`, opts.secrets),
    cause: err,
  });
}

function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return [e?.code, e?.message ?? String(err)].filter(Boolean).join(': ');
}

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
  return h;
}

/** Attaches the provider's requested delay (retry-after-ms, then Retry-After seconds or date) to the error. */
function withRetryAfter(err: AnyModelError, raw: http.IncomingHttpHeaders): AnyModelError {
  const ms = parseRetryAfter(toHeaders(raw));
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
