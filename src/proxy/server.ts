/**
 * The OpenAI-compatible HTTP server over the core (node:http, no framework: the hot path is a body
 * read, one JSON parse, one validation and the upstream call). Security rules from DESIGN §3: a
 * master key when set, loopback only without one, no permissive CORS and no cross-origin browser
 * requests, capped bodies, no endpoints or credentials taken from requests.
 */
import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AnyModelClient, CallOptions, Provenance, StreamHandle } from '../core/client';
import { AnyModelError, isAnyModelError } from '../core/types/errors';
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
const JSON_HEADERS = { 'content-type': 'application/json' };

export function createProxyServer(opts: ProxyOptions): http.Server {
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const keyHash = opts.masterKey ? digest(opts.masterKey) : undefined;

  return http.createServer((req, res) => {
    const started = performance.now();
    const abort = new AbortController();
    // The client went away before we finished: stop the upstream request too.
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    handle(req, res, abort.signal)
      .catch((err) => sendError(res, toAnyModelError(err)))
      .finally(() => opts.log?.(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms${res.getHeader('x-anymodel-provider') ? ` ${String(res.getHeader('x-anymodel-provider'))}` : ''}`));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    // Browsers attach Origin to cross-origin requests; nothing legitimate calls this server from a page.
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
      throw new AnyModelError({ kind: 'PermissionDenied', message: 'Cross-origin browser requests are not accepted' });
    }
    const path = (req.url ?? '/').split('?')[0]!.replace(/^\/v1(?=\/)/, '');
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'healthy' });
    if (!keyHash && !isLoopbackHost(req.headers.host)) {
      // Without a key the server only listens on loopback; a foreign Host header means DNS rebinding.
      throw new AnyModelError({ kind: 'PermissionDenied', message: `Host "${req.headers.host ?? ''}" is not accepted` });
    }
    if (keyHash) authenticate(req, keyHash);

    if (req.method === 'GET' && path === '/spend') return sendJson(res, 200, opts.client.spend.snapshot());
    if (req.method === 'GET' && path === '/models') {
      const created = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, { object: 'list', data: opts.client.modelNames().map((id) => ({ id, object: 'model', created, owned_by: 'anymodel' })) });
    }
    if (req.method !== 'POST' || !['/chat/completions', '/completions', '/embeddings'].includes(path)) {
      throw new AnyModelError({ kind: 'NotFound', message: `No route for ${req.method} ${req.url}` });
    }
    const body = await readJsonBody(req, maxBody);
    const call: CallOptions = { signal, noCache: /no-cache|no-store/i.test(String(req.headers['cache-control'] ?? '')) };
    if (path === '/chat/completions') {
      const chat = validateBody('chat', body);
      if (chat.stream) return sendStream(res, await opts.client.streamChat(chat, call), chat.model, 'chat', chat.stream_options?.include_usage);
      const answered = await opts.client.chat(chat, call);
      setAnswerHeaders(res, answered);
      return sendJson(res, 200, toChatCompletion(answered.value, chat.model));
    }
    if (path === '/completions') {
      const completion = validateBody('completion', body);
      if (completion.stream) return sendStream(res, await opts.client.streamComplete(completion, call), completion.model, 'text', completion.stream_options?.include_usage);
      const answered = await opts.client.complete(completion, call);
      setAnswerHeaders(res, answered);
      return sendJson(res, 200, toTextCompletion(answered.value, completion.model));
    }
    const embedding = validateBody('embedding', body);
    const answered = await opts.client.embed(embedding, call);
    setAnswerHeaders(res, answered);
    return sendJson(res, 200, toEmbeddingList(answered.value, embedding.model, embedding.encoding_format));
  }
}

async function sendStream(res: http.ServerResponse, handle: StreamHandle, model: string, kind: 'chat' | 'text', includeUsage = false): Promise<void> {
  setAnswerHeaders(res, handle);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
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

/** Where the answer came from (and, for a whole answer, what it cost): never a silent switch of model. */
function setAnswerHeaders(res: http.ServerResponse, answered: Provenance & { costUsd?: number }): void {
  res.setHeader('x-anymodel-provider', answered.deployment.id);
  res.setHeader('x-anymodel-model-group', answered.modelGroup);
  res.setHeader('x-anymodel-attempts', String(answered.attempts));
  res.setHeader('x-anymodel-fallback', String(answered.fallback));
  res.setHeader('x-anymodel-cache-hit', String(answered.cacheHit));
  if (answered.costUsd !== undefined) res.setHeader('x-anymodel-response-cost', answered.costUsd.toFixed(8));
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

async function readJsonBody(req: http.IncomingMessage, max: number): Promise<Json> {
  const declared = Number(req.headers['content-length']);
  if (declared > max) throw new AnyModelError({ kind: 'BadRequest', code: 'request_too_large', message: `Request body of ${declared} bytes is over the limit of ${max} bytes` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.destroy();
      throw new AnyModelError({ kind: 'BadRequest', code: 'request_too_large', message: `Request body is over the limit of ${max} bytes` });
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text) });
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
