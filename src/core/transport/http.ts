/**
 * The one transport every adapter's requests go through: node:http(s) with keep-alive, a connect
 * timeout, a headers (first-byte) timeout, a total timeout and an AbortSignal end to end. It is node:http rather than fetch
 * because fetch's web streams, Request objects and AbortSignal plumbing cost more CPU per request
 * than the whole rest of the core (measured with `npm run bench`). Errors come back as
 * AnyModelError: connection failures as APIConnection, timeouts as Timeout, HTTP errors through
 * the adapter's `parseError`, and no message ever carries the deployment's key.
 */
import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { HttpRequestSpec, UpstreamErrorInput } from '../providers/adapter';
import type { AbortLike } from '../types/abort';
import { AnyModelError, redactSecrets } from '../types/errors';
import { collectText, cutError, errorText, ResponseChunks, type ChunkSource, type CutReason } from './body';
import { truncate } from './framing';

export { bodyReadError } from './body';

export interface SendOptions {
  provider: string;
  /** Secrets to redact from any message (the deployment's key). */
  secrets: readonly (string | undefined)[];
  /**
   * Abort when no connection stands this many ms after the request started (DNS lookup, TCP
   * connect and, for https, the TLS handshake). A pooled keep-alive socket is connected already.
   * This is what tells a dead or blackholed network from a slow model within seconds.
   */
  connectTimeoutMs?: number;
  /** Abort when the response headers (the first byte of the answer) have not arrived in this many ms. */
  headersTimeoutMs?: number;
  /** Abort the whole exchange, body included, after this many ms. */
  totalTimeoutMs?: number;
  signal?: AbortLike;
  parseError(input: UpstreamErrorInput): AnyModelError;
}

export interface SentRequest {
  status: number;
  /** The response body; iterating it to the end or stopping early both release the connection. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole body as UTF-8 text; errors say why it stopped (abort, timeout, broken connection). */
  text(): Promise<string>;
  /** The body chunk by chunk, failing when nothing arrives for `idleTimeoutMs` while waiting. */
  chunks(idleTimeoutMs?: number): ChunkSource;
  /** Aborts the exchange (used when a stream consumer stops reading). */
  abort(): void;
  /** Clears the timers once the body has been read. */
  done(): void;
}

// Keep-alive agents: one connection setup per upstream, not per request.
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }) };

interface Target {
  /** What node:http makes of the URL itself (`urlToHttpOptions`), so requests are the same as from a URL. */
  options: http.RequestOptions;
  origin: string;
  secure: boolean;
  /** The host is this machine (see `isLoopbackHost`): the request never goes through a proxy. */
  loopback: boolean;
}

/**
 * Whether a URL's hostname names this machine: `localhost` and its subdomains (RFC 6761 §6.3),
 * 127.0.0.0/8, and ::1 (bare or IPv4-mapped). Such a request is for a local model (Ollama, vLLM,
 * the editor's proxy) and must never reach a proxy server.
 */
export function isLoopbackHost(hostname: string | undefined): boolean {
  if (!hostname) return false;
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  // WHATWG URL writes an IPv4-mapped address in hex: [::ffff:127.0.0.1] is [::ffff:7f00:1].
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

// Parsed request URLs. A deployment sends every request to the same few URLs, and `new URL` plus
// `urlToHttpOptions` cost ≈ 6 µs a request in the proxy profile. A memo of a pure function of
// config-derived strings, bounded, so it never changes what a request does.
const targets = new Map<string, Target>();
const MAX_TARGETS = 500;

function targetOf(url: string): Target | undefined {
  let t = targets.get(url);
  if (t) return t;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // Only the fields a request uses: the agent and ClientRequest each copy the options again per
  // request. Plain HTTP has no TLS server name: an empty one spares the agent working one out
  // from the Host header per request (node:http `normalizeServerName`).
  const o = urlToHttpOptions(parsed);
  const secure = parsed.protocol === 'https:';
  const options: http.RequestOptions = { protocol: o.protocol, hostname: o.hostname, port: o.port, path: o.path, ...(o.auth ? { auth: o.auth } : {}), ...(secure ? {} : { servername: '' }) };
  t = { options, origin: parsed.origin, secure, loopback: isLoopbackHost(parsed.hostname) };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, t);
  return t;
}

/** One exchange under way, as the success handler of `exchange` sees it. */
interface Call {
  /** Why we cut the exchange, if we did. */
  readonly reason: CutReason;
  /** Aborts the exchange (a stream consumer stopped reading). */
  stop(): void;
  /** Clears the timers and the caller's abort listener once the body has been read. */
  done(): void;
}

/** Sends one HTTP request and resolves once the response headers arrived with a 2xx status. */
export function sendRequest(spec: HttpRequestSpec, opts: SendOptions): Promise<SentRequest> {
  return exchange(spec, opts, (res, call, resolve) => {
    // Later failures (an abort, the total timeout) surface while the body is read.
    res.on('error', () => undefined);
    resolve(new Sent(res.statusCode ?? 0, res, call, opts.provider));
  });
}

/**
 * Sends one HTTP request and resolves with its 2xx body parsed as JSON, mapping a malformed one
 * to a clear error. One promise for the whole exchange, headers and body: a whole answer is the
 * proxy's commonest request, and each async layer between the socket and the caller cost a
 * promise, a microtask and a frame kept alive while the answer was awaited (`npm run bench`,
 * profile suite).
 */
export function requestJson(spec: HttpRequestSpec, opts: SendOptions): Promise<unknown> {
  return exchange(spec, opts, (res, call, resolve, reject) => {
    collectText(res).then((text) => {
      call.done();
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new AnyModelError({ kind: 'BadGateway', provider: opts.provider, message: `${opts.provider} returned a body that is not JSON: ${truncate(text, 200)}` }));
      }
    }, (err: unknown) => {
      call.done();
      reject(cutError(err, call.reason, opts.provider));
    });
  });
}

/**
 * The exchange both of the above make: the request with its timeouts and the caller's abort. A
 * status other than 2xx becomes the adapter's error; a 2xx response goes to `ok`, which settles.
 */
function exchange<T>(spec: HttpRequestSpec, opts: SendOptions, ok: (res: http.IncomingMessage, call: Call, resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const target = targetOf(spec.url);
    if (!target) {
      return reject(new AnyModelError({ kind: 'BadRequest', provider: opts.provider, param: 'api_base', message: `${opts.provider}: "${redactSecrets(spec.url, opts.secrets)}" is not a valid URL` }));
    }
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string | number> = { accept: 'application/json, text/event-stream', ...spec.headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    let settled = false;
    const reqOptions: http.RequestOptions = { ...target.options, method: spec.method, headers, agent: agents[target.secure ? 'https:' : 'http:'] };
    // A host may patch `http.request` to route requests through its proxy settings: VS Code's
    // extension host does (@vscode/proxy-agent `createHttpPatch`, with `http.proxySupport`
    // "override", the default, it replaces even an explicit agent). Remote requests go through
    // `request` so they honour `http.proxy`/`http.noProxy`; a loopback one is built as a
    // ClientRequest, which is what `request` does unpatched, so it is always direct. Why, and
    // what VS Code itself treats as local: docs/architecture.md "Proxies".
    const req = target.loopback ? new http.ClientRequest(reqOptions) : (target.secure ? https : http).request(reqOptions);
    const { connectTimeoutMs: connectMs, headersTimeoutMs: headersMs, totalTimeoutMs: totalMs, signal } = opts;
    const call = {
      reason: undefined as CutReason,
      stop: (why: CutReason = 'caller') => { call.reason ??= why; req.destroy(); },
      done: () => { clearTimeout(total); clearTimeout(headersTimer); clearTimeout(connectTimer); signal?.removeEventListener('abort', onCallerAbort); },
    };
    const onCallerAbort = () => call.stop('caller');
    // One timer per request when the headers timeout is not shorter than the total one (as the
    // client sets them): the total timer fires first, so a headers timer could never say anything.
    const total = totalMs ? setTimeout(call.stop, totalMs, 'total') : undefined;
    const headersTimer = headersMs && !(totalMs && totalMs <= headersMs) ? setTimeout(call.stop, headersMs, 'headers') : undefined;
    // Started only for a socket that is still connecting (DNS, TCP, TLS): a reused keep-alive one,
    // the common case, is connected (and secured) already and needs no timer.
    let connectTimer: NodeJS.Timeout | undefined;
    if (connectMs) {
      req.once('socket', (socket) => {
        if (!socket.connecting || call.reason) return;
        connectTimer = setTimeout(call.stop, connectMs, 'connect');
        socket.once(target.secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
    }
    if (signal) {
      if (signal.aborted) onCallerAbort();
      signal.addEventListener('abort', onCallerAbort, { once: true });
    }

    req.on('error', (err) => {
      call.done();
      if (!settled) reject(connectionError(err, call.reason, opts, target.origin));
    });
    req.on('response', (res) => {
      clearTimeout(headersTimer);
      clearTimeout(connectTimer);
      settled = true;
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return ok(res, call, resolve, reject);
      readAll(res).then((text) => {
        call.done();
        reject(withHeaderHints(opts.parseError({ status, body: redactSecrets(text, opts.secrets), headers: toHeaders(res.headers) }), res.headers));
      }, (err: unknown) => { call.done(); reject(connectionError(err, call.reason, opts, target.origin)); });
    });
    req.end(body);
  });
}

class Sent implements SentRequest {
  constructor(readonly status: number, private readonly res: http.IncomingMessage, private readonly call: Call, private readonly provider: string) {}

  get body(): AsyncIterable<Uint8Array> {
    return bodyIterable(this.res, () => this.call.reason, this.provider);
  }

  text(): Promise<string> {
    return collectText(this.res).catch((err: unknown) => { throw cutError(err, this.call.reason, this.provider); });
  }

  chunks(idleTimeoutMs?: number): ChunkSource {
    return new ResponseChunks(this.res, () => this.call.reason, this.provider, idleTimeoutMs);
  }

  abort(): void {
    this.call.stop();
    this.call.done();
  }

  done(): void {
    this.call.done();
  }
}

/** The response as an async iterable whose errors say why the exchange was cut. */
async function* bodyIterable(res: http.IncomingMessage, reason: () => CutReason, provider: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of res) yield chunk as Uint8Array;
    if (!res.complete) throw new Error('the response ended early');
  } catch (err) {
    throw cutError(err, reason(), provider);
  }
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function connectionError(err: unknown, reason: CutReason, opts: SendOptions, origin: string): AnyModelError {
  if (reason === 'caller') return new AnyModelError({ kind: 'Aborted', provider: opts.provider, message: `The request to ${opts.provider} was aborted` });
  if (reason === 'connect') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `${opts.provider} (${origin}) did not accept a connection within ${opts.connectTimeoutMs} ms` });
  if (reason === 'headers') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `${opts.provider} (${origin}) did not answer within ${opts.headersTimeoutMs} ms` });
  if (reason === 'total') return new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `The request to ${opts.provider} (${origin}) took longer than ${opts.totalTimeoutMs} ms` });
  return new AnyModelError({
    kind: 'APIConnection',
    provider: opts.provider,
    message: redactSecrets(`Could not reach ${opts.provider} at ${origin}: ${errorText(err)}`, opts.secrets),
    cause: err,
  });
}

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
  return h;
}

/**
 * Attaches what the response headers say about retrying: the requested delay (retry-after-ms, then
 * Retry-After in seconds or as a date) and `x-should-retry`, which openai-node obeys over the status
 * when it is exactly `true` or `false` (openai-node src/client.ts `shouldRetry`; a non-standard
 * header OpenAI's servers send).
 */
function withHeaderHints(err: AnyModelError, raw: http.IncomingHttpHeaders): AnyModelError {
  const headers = toHeaders(raw);
  const ms = err.retryAfterMs === undefined ? parseRetryAfter(headers) : undefined;
  const hint = headers.get('x-should-retry');
  const shouldRetry = hint === 'true' ? true : hint === 'false' ? false : undefined;
  if (ms === undefined && shouldRetry === undefined) return err;
  return err.with({ ...(ms !== undefined ? { retryAfterMs: ms } : {}), ...(shouldRetry !== undefined ? { shouldRetry } : {}) });
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
