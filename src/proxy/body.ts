/**
 * Reading a request body as JSON, for every POST route: the checks a body must pass before any
 * validation, and the clean refusal of one that is too large (README, "Proxy security").
 */
import type http from 'node:http';
import { isUtf8 } from 'node:buffer';
import { AnyModelError } from '../core';
import { badRequest, checkDepth } from './validate';

const tooLarge = (message: string) => new AnyModelError({ kind: 'BadRequest', code: 'request_too_large', message });

/**
 * A JSON request body, refused with a clear error when it is not one this server can take: a
 * content type other than JSON (415), more than `max` bytes (413, declared or counted), bytes
 * that are not UTF-8, text that is not JSON, or JSON nested deeper than `MAX_JSON_DEPTH` (400).
 * Read with listeners: an async iterator over the request costs more than the read itself.
 * Shared by every POST route.
 */
export function readJsonBody(req: http.IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'];
    if (!isJsonContentType(type)) return reject(unsupportedMediaType(type));
    const declared = Number(req.headers['content-length']);
    if (declared > max) return reject(tooLarge(`Request body of ${declared} bytes is over the limit of ${max} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // past the limit: the rest is read and dropped, see sendError
      size += chunk.length;
      if (size > max) {
        chunks.length = 0;
        return fail(tooLarge(`Request body is over the limit of ${max} bytes`));
      }
      chunks.push(chunk);
    });
    req.on('error', fail);
    // Closed before its end: the client went away (the iterator called this a premature close).
    // Every request closes after its end too; the error (a stack trace each) only when it matters.
    req.on('close', () => { if (!settled) fail(new Error('Premature close')); });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      // toString would turn bad bytes into U+FFFD and send that upstream as if the client wrote it.
      if (!isUtf8(bytes)) return reject(badRequest('The request body is not valid UTF-8'));
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch (err) {
        return reject(badRequest(`The request body is not valid JSON: ${(err as Error).message}`));
      }
      try {
        checkDepth(body);
      } catch (err) {
        return reject(err);
      }
      resolve(body);
    });
  });
}

/**
 * `application/json` or any `+json` type, with any parameters; a charset, when named, must be
 * UTF-8 (RFC 8259 §8.1). The openai SDKs send `application/json`.
 */
function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const semi = header.indexOf(';');
  const media = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  if (media !== 'application/json' && !(media.startsWith('application/') && media.endsWith('+json'))) return false;
  if (semi < 0) return true;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(header)?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function unsupportedMediaType(type: string | undefined): AnyModelError {
  return new AnyModelError({
    kind: 'BadRequest', code: 'unsupported_media_type', param: 'content-type',
    message: `The request body must be sent as Content-Type: application/json (UTF-8), not ${type ? `"${type}"` : 'without a Content-Type'}`,
  });
}

/** How long a refused upload may go on being read (and dropped) after the answer, before the connection is cut. */
const LINGER_MS = 2000;

/**
 * A body refused before its end: answer, then close the connection without losing the answer.
 * Destroying the socket while the client still sends makes the kernel reset the connection, and
 * a client that sees a reset before it read the 413 retries the upload (openai-node does, three
 * times). So: the answer, then our FIN, and the rest of the upload read and dropped until the
 * client closes its side or LINGER_MS pass (what Go's net/http and nginx do in this case).
 */
export function closeAfterAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  res.once('finish', () => {
    const socket = req.socket;
    socket.end();
    const cut = setTimeout(() => socket.destroy(), LINGER_MS);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
  });
}
