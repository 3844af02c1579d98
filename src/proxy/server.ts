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
import { badRequest, validateBody } from './validate';
import { isLoopbackHost } from './net';

export interface ProxyOptions {
  client: AnyModelClient;
  masterKey?: string;
  maxBodyBytes?: number;
  /** One line per request; never receives a key or prompt text. */
  log?: (line: string) => void;
}

type Json = unknown;
const ROUTES = new Set(['/chat/completions', '/completions', '/embeddings']);

/**
 * One request's state: the client's abort, as the AbortLike the core takes (an AbortController
 * with its listeners cost ≈ 10 µs a request, for an abort that almost never happens), and the
 * deployment for the log line.
 */
class Exchange implements AbortLike {
  aborted = false;
  provider: string | undefined;
  private listeners: (() => void)[] | undefined;

  constructor(res: http.ServerResponse) {
    // The client went away before we finished: stop the upstream request too.
    res.on('close', () => { if (!res.writableFinished) this.abort(); });
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const l of listeners) l();
  }
}

export function createProxyServer(opts: ProxyOptions): http.Server {
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const keyHash = opts.masterKey ? digest(opts.masterKey) : undefined;
  // The Host header accepted last: clients send the same one on every request.
  let loopbackHost: string | undefined;

  return http.createServer((req, res) => { void serve(req, res); });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const exchange = new Exchange(res);
    try {
      await handle(req, res, exchange);
    } catch (err) {
      sendError(res, toAnyModelError(err));
    } finally {
      opts.log?.(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms${exchange.provider ? ` ${exchange.provider}` : ''}`);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, exchange: Exchange): Promise<void> {
    // Browsers attach Origin to cross-origin requests; nothing legitimate calls this server from a page.
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
      throw new AnyModelError({ kind: 'PermissionDenied', message: 'Cross-origin browser requests are not accepted' });
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = (query < 0 ? url : url.slice(0, query)).replace(/^\/v1(?=\/)/, '');
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'healthy' });
    const host = req.headers.host;
    if (!keyHash && (host === undefined || host !== loopbackHost)) {
      // Without a key the server only listens on loopback; a foreign Host header means DNS rebinding.
      if (!isLoopbackHost(host)) throw new AnyModelError({ kind: 'PermissionDenied', message: `Host "${host ?? ''}" is not accepted` });
      loopbackHost = host;
    }
    if (keyHash) authenticate(req, keyHash);

    if (req.method === 'GET' && path === '/spend') return sendJson(res, 200, opts.client.spend.snapshot());
    if (req.method === 'GET' && path === '/models') {
      const created = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, { object: 'list', data: opts.client.modelNames().map((id) => ({ id, object: 'model', created, owned_by: 'anymodel' })) });
    }
    if (req.method !== 'POST' || !ROUTES.has(path)) {
      throw new AnyModelError({ kind: 'NotFound', message: `No route for ${req.method} ${req.url}` });
    }
    const body = await readJsonBody(req, maxBody);
    const cacheControl = req.headers['cache-control'];
    const call: CallOptions = { signal: exchange, noCache: cacheControl !== undefined && /no-cache|no-store/i.test(cacheControl) };
    if (path === '/chat/completions') {
      const chat = validateBody('chat', body);
      if (chat.stream) return sendStream(res, exchange, await opts.client.streamChat(chat, call), chat.model, 'chat', chat.stream_options?.include_usage);
      const answered = await opts.client.chat(chat, call);
      return sendJson(res, 200, toChatCompletion(answered.value, chat.model), answerHeaders(exchange, answered));
    }
    if (path === '/completions') {
      const completion = validateBody('completion', body);
      if (completion.stream) return sendStream(res, exchange, await opts.client.streamComplete(completion, call), completion.model, 'text', completion.stream_options?.include_usage);
      const answered = await opts.client.complete(completion, call);
      return sendJson(res, 200, toTextCompletion(answered.value, completion.model), answerHeaders(exchange, answered));
    }
    const embedding = validateBody('embedding', body);
    const answered = await opts.client.embed(embedding, call);
    return sendJson(res, 200, toEmbeddingList(answered.value, embedding.model, embedding.encoding_format), answerHeaders(exchange, answered));
  }
}

async function sendStream(res: http.ServerResponse, exchange: Exchange, handle: StreamHandle, model: string, kind: 'chat' | 'text', includeUsage = false): Promise<void> {
  res.writeHead(200, { ...answerHeaders(exchange, handle), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const writer = new ChunkWriter(model, kind);
  for await (const part of handle.parts) {
    if (res.destroyed) return; // leaving the loop aborts the upstream request
    if (part.type === 'error') {
      // OpenAI's in-band error event: clients raise it as an APIError. No [DONE] follows a failure.
      res.end(`data: ${JSON.stringify(toErrorBody(part.error))}\n\n`);
      return;
    }
    let out = '';
    for (const chunk of writer.chunks(part)) out += `data: ${JSON.stringify(chunk)}\n\n`;
    if (out) res.write(out);
  }
  res.end(`${includeUsage ? `data: ${JSON.stringify(writer.usageChunk())}\n\n` : ''}data: [DONE]\n\n`);
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

/** The body, read with listeners: an async iterator over the request costs more than the read itself. */
function readJsonBody(req: http.IncomingMessage, max: number): Promise<Json> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > max) return reject(new AnyModelError({ kind: 'BadRequest', code: 'request_too_large', message: `Request body of ${declared} bytes is over the limit of ${max} bytes` }));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > max) {
        req.destroy();
        return fail(new AnyModelError({ kind: 'BadRequest', code: 'request_too_large', message: `Request body is over the limit of ${max} bytes` }));
      }
      chunks.push(chunk);
    });
    req.on('error', fail);
    // Closed before its end: the client went away (the iterator called this a premature close).
    req.on('close', () => fail(new Error('Premature close')));
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(badRequest(`The request body is not valid JSON: ${(err as Error).message}`));
      }
    });
  });
}

function sendJson(res: http.ServerResponse, status: number, body: Json, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: AnyModelError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const status = err.kind === 'BadRequest' && err.code === 'request_too_large' ? 413 : err.httpStatus;
  if (err.retryAfterMs !== undefined) res.setHeader('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
  if (err.kind === 'Aborted') {
    res.destroy();
    return;
  }
  sendJson(res, status, toErrorBody(err));
}

function toAnyModelError(err: unknown): AnyModelError {
  if (isAnyModelError(err)) return err;
  return new AnyModelError({ kind: 'InternalServer', message: `Internal error: ${(err as Error)?.message ?? String(err)}`, cause: err });
}
