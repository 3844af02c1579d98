/**
 * The OpenAI-compatible HTTP server over the core (node:http, no framework: the hot path is a body
 * read, one JSON parse, one validation and the upstream call). Security rules
 * (docs/architecture.md#the-proxy-loopback-and-the-master-key): a master key when set, loopback
 * only without one, no permissive CORS and no cross-origin browser requests, capped bodies, no
 * endpoints or credentials taken from requests.
 */
import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AnyModelClient, CallOptions, Provenance, StreamHandle } from '../core';
import type { AbortLike } from '../core';
import { AnyModelError, isAnyModelError } from '../core';
import { ChunkWriter, toChatCompletion, toEmbeddingList, toErrorBody, toTextCompletion } from './openai-format';
import { validateBody } from './validate';
import { closeAfterAnswer, readJsonBody } from './body';
import { isLoopbackHost } from './net';
import { CLIENT_API_ROUTES, clientApiErrorReply, modelById, storedResponse, type ApiContext } from './client-apis';
import { ResponseStore } from './responses/store';
import { fanOut } from './fan-out';
import { MetricsEndpoint } from './metrics/endpoint';
import { OpenList, type Linked } from './open-list';

export interface ProxyOptions {
  client: AnyModelClient;
  masterKey?: string;
  maxBodyBytes?: number;
  /** One line per request; never receives a key or prompt text. */
  log?: (line: string) => void;
  /** `GET /metrics` (Prometheus); one that loads on the first scrape and needs the master key when not given. */
  metrics?: MetricsEndpoint;
}

type Json = unknown;

/** The tags of every proxied request's usage record (read, never changed: one object for all). */
const PROXY_TAGS = Object.freeze({ source: 'proxy' });

/**
 * One request's state: the client's abort, as the AbortLike the core takes (an AbortController
 * with its listeners cost ≈ 10 µs a request, for an abort that almost never happens), and the
 * deployment for the log line.
 */
class Exchange implements AbortLike, Linked<Exchange> {
  aborted = false;
  provider: string | undefined;
  /** The answer is an event stream whose headers are sent. */
  streaming = false;
  /**
   * The listeners in the order added: the first in a field, as a request almost always has one
   * (the transport's), so adding and removing it allocates nothing (a `splice` showed as 2.5 % of
   * the proxy's samples per whole answer).
   */
  private first: (() => void) | undefined;
  private more: (() => void)[] | undefined;
  /** Neighbours in the list of open exchanges while under way (open-list.ts). */
  newer: Exchange | undefined;
  older: Exchange | undefined;

  constructor(private readonly res: http.ServerResponse) {
    // The client went away before we finished: stop the upstream request too.
    res.on('close', () => { if (!res.writableFinished) this.abort(); });
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.first === undefined) this.first = listener;
    else (this.more ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.first === listener) {
      this.first = this.more?.length ? this.more.shift() : undefined;
      return;
    }
    const i = this.more?.indexOf(listener) ?? -1;
    if (i >= 0) this.more!.splice(i, 1);
  }

  /**
   * A shutdown ends this exchange: a stream gets the error as its last event, an unanswered
   * request a 503 (not retried on this connection: it closes). Returns whether it was a stream.
   */
  cut(message: string): boolean {
    const { res } = this;
    const stream = this.streaming;
    if (!res.writableEnded && !res.destroyed) {
      const body = { error: { message, type: SHUTDOWN_TYPE, param: null, code: SHUTDOWN_TYPE } };
      if (stream) res.end(`data: ${JSON.stringify(body)}\n\n`);
      else if (!res.headersSent) sendJson(res, 503, body, { connection: 'close' });
      else res.end();
    }
    this.abort();
    return stream;
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.first === undefined ? [] : [this.first, ...(this.more ?? [])];
    this.first = undefined;
    this.more = undefined;
    for (const l of listeners) l();
  }
}

/**
 * The error `type` (and `code`) of an answer cut by a shutdown. Not OpenAI's `server_error`: a
 * client can tell "the proxy stopped, try again elsewhere or later" from a provider failure or a
 * broken connection, and the SDKs hand `type` and `code` to the caller (APIError.type/.code).
 */
export const SHUTDOWN_TYPE = 'server_shutdown';

/** What the server offers beyond `http.Server`: a clean shutdown (see `start.ts` close()). */
export interface ProxyControls {
  /** From now on every answer closes its connection, and idle connections are closed as they appear. */
  beginShutdown(): void;
  /**
   * Ends what is still open: each stream gets an SSE error event (OpenAI's error shape, type
   * `server_shutdown`) and ends; a request not answered yet gets a 503 with that error. Either
   * way the upstream request is aborted. Returns how many of each were cut.
   */
  cutOpen(message: string): { streams: number; requests: number };
}

export type ProxyServer = http.Server & ProxyControls;

/** What a POST route handler gets: the parsed body (not yet validated) and the exchange. */
interface RouteContext {
  client: AnyModelClient;
  res: http.ServerResponse;
  exchange: Exchange;
  call: CallOptions;
  /** Stored Responses API answers for `previous_response_id`, one store per server. */
  responses: ResponseStore;
}

type PostRoute = (body: unknown, ctx: RouteContext) => Promise<void>;

/**
 * The POST routes, by path without `/v1`. A new client API (another wire format) is one entry
 * here: it gets the body `readJsonBody` read (size, content type, UTF-8 and depth checked),
 * validates it, calls the core and writes its answer (`sendJson`, or `sendStream` for chat
 * chunks; `drained` for another stream format).
 */
const POST_ROUTES = new Map<string, PostRoute>([
  ['/chat/completions', async (body, { client, res, exchange, call }) => {
    const chat = validateBody('chat', body);
    const several = chat.n !== undefined && chat.n > 1;
    if (chat.stream && !several) return sendStream(res, exchange, await client.streamChat(chat, call), chat.model, 'chat', chat.stream_options?.include_usage);
    const answered = several ? await fanOut(client, chat, call) : await client.chat(chat, call);
    sendJson(res, 200, toChatCompletion(answered.value, chat.model), answerHeaders(exchange, answered));
  }],
  ['/completions', async (body, { client, res, exchange, call }) => {
    const completion = validateBody('completion', body);
    if (completion.stream) return sendStream(res, exchange, await client.streamComplete(completion, call), completion.model, 'text', completion.stream_options?.include_usage);
    const answered = await client.complete(completion, call);
    sendJson(res, 200, toTextCompletion(answered.value, completion.model), answerHeaders(exchange, answered));
  }],
  ['/embeddings', async (body, { client, res, exchange, call }) => {
    const embedding = validateBody('embedding', body);
    const answered = await client.embed(embedding, call);
    sendJson(res, 200, toEmbeddingList(answered.value, embedding.model, embedding.encoding_format), answerHeaders(exchange, answered));
  }],
  // Anthropic Messages and OpenAI Responses (src/proxy/client-apis.ts).
  ...[...CLIENT_API_ROUTES].map(([path, handler]): [string, PostRoute] => [path, async (body, ctx) => handler(apiContext(ctx), body)]),
]);

/** What a client API translator gets: the core, the call options and the answer's writers. */
function apiContext({ client, res, exchange, call, responses }: RouteContext): ApiContext {
  return {
    client, call, responses,
    sendJson: (status, body, answered) => sendJson(res, status, body, answered ? answerHeaders(exchange, answered) : undefined),
    startStream(answered) {
      res.writeHead(200, { ...answerHeaders(exchange, answered), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      exchange.streaming = true;
    },
    gone: () => res.writableEnded || res.destroyed,
    write: (text) => (text && !res.write(text) ? drained(res) : undefined),
    end: (text) => { if (!res.writableEnded && !res.destroyed) res.end(text); },
  };
}

export function createProxyServer(opts: ProxyOptions): ProxyServer {
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const keyHash = opts.masterKey ? digest(opts.masterKey) : undefined;
  // The Host header accepted last: clients send the same one on every request.
  let loopbackHost: string | undefined;
  // The exchanges under way, for a shutdown to cut.
  const open = new OpenList<Exchange>();
  let closing = false;
  // `previous_response_id` for the Responses API, within this process.
  const responses = new ResponseStore(opts.client.state);

  const metrics = opts.metrics ?? new MetricsEndpoint(opts.client);
  const server = http.createServer((req, res) => { void serve(req, res); });
  server.once('close', () => metrics.dispose());
  const controls: ProxyControls = {
    beginShutdown() {
      closing = true;
      server.closeIdleConnections();
    },
    cutOpen(message) {
      let streams = 0;
      let requests = 0;
      for (const exchange of open) {
        if (exchange.cut(message)) streams++;
        else requests++;
      }
      return { streams, requests };
    },
  };
  return Object.assign(server, controls);

  /** One request, start to end (one async function: each layer would be a frame kept per request in flight). */
  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const exchange = new Exchange(res);
    open.add(exchange);
    if (closing) res.shouldKeepAlive = false;
    try {
      // Browsers attach Origin to cross-origin requests; nothing legitimate calls this server from a page.
      if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
        throw new AnyModelError({ kind: 'PermissionDenied', message: 'Cross-origin browser requests are not accepted' });
      }
      const url = req.url ?? '/';
      const query = url.indexOf('?');
      const bare = query < 0 ? url : url.slice(0, query);
      const path = bare.startsWith('/v1/') ? bare.slice(3) : bare;
      const route = req.method === 'POST' ? POST_ROUTES.get(path) : undefined;
      checkHost(req.headers.host, !(req.method === 'GET' && path === '/health'));
      if (route) {
        if (keyHash) authenticate(req, keyHash);
        const body = await readJsonBody(req, maxBody);
        const cacheControl = req.headers['cache-control'];
        const call: CallOptions = { signal: exchange, noCache: cacheControl !== undefined && /no-cache|no-store/i.test(cacheControl), usage: PROXY_TAGS };
        await route(body, { client: opts.client, res, exchange, call, responses });
      } else {
        await answerOther(req, res, path);
      }
    } catch (err) {
      const e = toAnyModelError(err);
      sendError(req, res, e, clientApiErrorReply(req.url, e));
    } finally {
      open.delete(exchange);
      // While shutting down, a connection whose answer just ended is idle: close it.
      if (closing) {
        const closeIdle = () => setImmediate(() => server.closeIdleConnections());
        if (res.writableFinished) closeIdle();
        else res.once('close', closeIdle);
      }
      opts.log?.(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms${exchange.provider ? ` ${exchange.provider}` : ''}`);
    }
  }

  /** Without a master key, only loopback Host headers (`checked`: false for GET /health, answered to any). */
  function checkHost(host: string | undefined, checked: boolean): void {
    if (keyHash || !checked || (host !== undefined && host === loopbackHost)) return;
    // Without a key the server only listens on loopback; a foreign Host header means DNS rebinding.
    if (!isLoopbackHost(host)) throw new AnyModelError({ kind: 'PermissionDenied', message: `Host "${host ?? ''}" is not accepted` });
    loopbackHost = host;
  }

  /** Every route but the POST ones: health, metrics, spend, models, stored responses. */
  async function answerOther(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    // With shared state, whether its Redis answers (the proxy serves either way: docs/architecture.md#shared-state).
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, opts.client.state ? { status: 'healthy', shared_state: opts.client.state.health() } : { status: 'healthy' });
    const isMetrics = req.method === 'GET' && path === '/metrics';
    if (isMetrics && metrics.isPublic) return metrics.serve(res);
    if (keyHash) authenticate(req, keyHash);
    if (isMetrics) return metrics.serve(res);
    if (req.method === 'GET' && path === '/spend') return sendJson(res, 200, await spendReport(opts.client));
    if (req.method === 'GET' && path === '/models') {
      const created = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, { object: 'list', data: opts.client.modelNames().map((id) => ({ id, object: 'model', created, owned_by: 'anymodel' })) });
    }
    if (req.method === 'GET' && path.startsWith('/models/')) return sendJson(res, 200, modelById(opts.client, path));
    if ((req.method === 'GET' || req.method === 'DELETE') && path.startsWith('/responses/')) return sendJson(res, 200, await storedResponse(req.method, path, responses));
    throw new AnyModelError({ kind: 'NotFound', message: `No route for ${req.method} ${req.url}` });
  }
}

/**
 * This process's totals, and today's spend as the budgets count it: with shared state, every
 * replica's (docs/architecture.md#shared-state), so any replica answers for the whole team.
 */
async function spendReport(client: AnyModelClient): Promise<unknown> {
  const day = new Date().toISOString().slice(0, 10);
  return { ...client.spend.snapshot(), today: { day, ...(await client.spend.dayTotals(day)), sharedBy: client.state?.backend === 'redis' ? 'every replica' : 'this process' } };
}

async function sendStream(res: http.ServerResponse, exchange: Exchange, handle: StreamHandle, model: string, kind: 'chat' | 'text', includeUsage = false): Promise<void> {
  res.writeHead(200, { ...answerHeaders(exchange, handle), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  exchange.streaming = true;
  const writer = new ChunkWriter(model, kind);
  for await (const part of handle.parts) {
    // Gone, or ended by a shutdown: leaving the loop aborts the upstream request.
    if (res.writableEnded || res.destroyed) return;
    if (part.type === 'error') {
      // OpenAI's in-band error event: clients raise it as an APIError. No [DONE] follows a failure.
      res.end(`data: ${JSON.stringify(toErrorBody(part.error))}\n\n`);
      return;
    }
    const out = writer.sse(part);
    // The client reads slower than the provider writes: wait until it caught up rather than
    // hold the rest of the answer in memory. Not pulling the next part pauses the upstream
    // socket (ResponseChunks), so the provider is held back too. No promise when write() says
    // there is room, which is almost always.
    if (out && !res.write(out)) await drained(res);
  }
  if (res.writableEnded || res.destroyed) return;
  res.end(`${includeUsage ? `data: ${JSON.stringify(writer.usageChunk())}\n\n` : ''}data: [DONE]\n\n`);
}

/** Resolves on `drain`, or when the response closes first (the client went away: never drains). */
export function drained(res: http.ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Where the answer came from (and, for a whole answer, what it cost): never a silent switch of
 * model. Given to `writeHead` with the rest: one call instead of a `setHeader` per header.
 */
function answerHeaders(exchange: Exchange, answered: Provenance & { costUsd?: number }): Record<string, string> {
  exchange.provider = answered.deployment.id;
  const headers: Record<string, string> = {
    'x-anymodel-provider': answered.deployment.id,
    'x-anymodel-model-group': answered.modelGroup,
    'x-anymodel-attempts': String(answered.attempts),
    'x-anymodel-fallback': String(answered.fallback),
    'x-anymodel-cache-hit': String(answered.cacheHit),
  };
  if (answered.costUsd !== undefined) headers['x-anymodel-response-cost'] = answered.costUsd.toFixed(8);
  return headers;
}

function authenticate(req: http.IncomingMessage, keyHash: Buffer): void {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = m?.[1] ?? (typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined);
  // Compare digests so the comparison time does not depend on where the strings differ.
  if (!given || !timingSafeEqual(digest(given.trim()), keyHash)) {
    throw new AnyModelError({ kind: 'Authentication', message: given ? 'Invalid API key for this proxy' : 'Missing API key: send Authorization: Bearer <key>' });
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** `headers`: the answer's own (answerHeaders makes a fresh object per answer), completed here. */
function sendJson(res: http.ServerResponse, status: number, body: Json, headers: Record<string, string | number> = {}): void {
  const text = JSON.stringify(body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(status, headers);
  res.end(text);
}

/** Statuses our own checks answer with that the error kinds do not name. */
const STATUS_BY_CODE: Record<string, number> = { request_too_large: 413, unsupported_media_type: 415 };

/** `reply`: the status and body of a client API with its own error shape (Anthropic Messages). */
function sendError(req: http.IncomingMessage, res: http.ServerResponse, err: AnyModelError, reply?: { status: number; body: unknown }): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (err.kind === 'Aborted') {
    res.destroy();
    return;
  }
  if (err.retryAfterMs !== undefined) res.setHeader('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
  const status = (err.code ? STATUS_BY_CODE[err.code] : undefined) ?? err.httpStatus;
  sendJson(res, reply?.status ?? status, reply?.body ?? toErrorBody(err));
  if (err.code === 'request_too_large' && !req.complete) closeAfterAnswer(req, res);
}

function toAnyModelError(err: unknown): AnyModelError {
  if (isAnyModelError(err)) return err;
  return new AnyModelError({ kind: 'InternalServer', message: `Internal error: ${(err as Error)?.message ?? String(err)}`, cause: err });
}
