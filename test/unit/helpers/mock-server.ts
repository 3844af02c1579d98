/**
 * A mock provider server on 127.0.0.1 for tests: records every request it receives (so tests can
 * assert on the translation) and answers with JSON, SSE or NDJSON, written in the exact byte pieces
 * a test chooses (to exercise split chunks, CRLF and multi-byte characters).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions?api-version=2024-10-21`. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export type Reply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'text'; status?: number; body: string; headers?: Record<string, string> }
  /** Writes each piece as it is, `delayMs` apart; `hang` keeps the connection open afterwards. */
  | { kind: 'raw'; status?: number; contentType: string; pieces: (string | Buffer)[]; delayMs?: number; hang?: boolean; headers?: Record<string, string> }
  /** Destroys the socket without an answer. */
  | { kind: 'drop' };

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface MockServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler (for tests that change behaviour mid-way). */
  handle(handler: Handler): void;
  /** Resolves when a client closed a connection before its response ended (used to prove aborts reach upstream). */
  nextClientAbort(): Promise<void>;
  close(): Promise<void>;
}

export async function startMockServer(handler: Handler): Promise<MockServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const abortWaiters: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) abortWaiters.splice(0).forEach((w) => w());
    });
    const reply = await current(recorded);
    await send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => { current = h; },
    nextClientAbort: () => new Promise((resolve) => abortWaiters.push(resolve)),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function send(res: http.ServerResponse, reply: Reply): Promise<void> {
  switch (reply.kind) {
    case 'drop':
      res.socket?.destroy();
      return;
    case 'json':
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
      return;
    case 'text':
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body);
      return;
    case 'raw': {
      res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType, ...reply.headers });
      res.flushHeaders();
      for (const piece of reply.pieces) {
        if (res.destroyed) return;
        res.write(piece);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      }
      if (!reply.hang) res.end();
      return;
    }
  }
}

/** SSE text for a list of data payloads (objects are JSON-encoded), with optional `event:` names. */
export function sse(events: (unknown | { event: string; data: unknown })[], opts: { crlf?: boolean; done?: boolean } = {}): string {
  const nl = opts.crlf ? '\r\n' : '\n';
  let out = '';
  for (const e of events) {
    if (e && typeof e === 'object' && 'event' in e && 'data' in e) {
      const { event, data } = e as { event: string; data: unknown };
      out += `event: ${event}${nl}data: ${typeof data === 'string' ? data : JSON.stringify(data)}${nl}${nl}`;
    } else {
      out += `data: ${typeof e === 'string' ? e : JSON.stringify(e)}${nl}${nl}`;
    }
  }
  if (opts.done) out += `data: [DONE]${nl}${nl}`;
  return out;
}

/** NDJSON text: one JSON object per line. */
export function ndjson(objects: unknown[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/** Splits text into pieces of `size` bytes, cutting through multi-byte characters on purpose. */
export function splitBytes(text: string, size: number): Buffer[] {
  const buf = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** Collects an async iterable into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
