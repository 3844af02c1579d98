/**
 * Stream framing: bytes → SSE events or NDJSON lines. The result is the same however the bytes are
 * split, including inside a multi-byte UTF-8 character (a streaming TextDecoder keeps the partial
 * sequence) and across CRLF line ends. SSE parsing is eventsource-parser's, which follows the
 * WHATWG spec (comments, `event:`/`data:`/`id:`/`retry:` fields, multi-line data).
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import type { RawStreamEvent, StreamFormat } from '../providers/adapter';
import { AnyModelError } from '../types/errors';

export interface FramingOptions {
  /** Fail if no bytes arrive for this long. */
  idleTimeoutMs?: number;
  provider: string;
}

/**
 * Yields the raw events of a response body in the given framing, as one batch per network read:
 * a read often holds many events, and one await per batch instead of per event keeps the cost of
 * a chunk close to that of parsing it.
 */
export function frameStream(body: AsyncIterable<Uint8Array>, format: StreamFormat, opts: FramingOptions): AsyncGenerator<RawStreamEvent[]> {
  return format === 'sse' ? sseEvents(body, opts) : ndjsonEvents(body, opts);
}

async function* sseEvents(body: AsyncIterable<Uint8Array>, opts: FramingOptions): AsyncGenerator<RawStreamEvent[]> {
  let pending: RawStreamEvent[] = [];
  let failure: AnyModelError | undefined;
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => pending.push(e.event ? { event: e.event, data: e.data } : { data: e.data }),
    onError: (e: ParseError) => {
      // A line that is neither a field nor a comment: often a bare JSON error body sent with a 200.
      failure ??= new AnyModelError({
        kind: 'BadGateway',
        provider: opts.provider,
        message: `${opts.provider} sent a stream line that is not Server-Sent Events: ${truncate(e.line ?? e.message)}`,
      });
    },
  });
  for await (const text of decodeText(body, opts)) {
    parser.feed(text);
    if (failure) throw failure;
    if (pending.length) {
      const batch = pending;
      pending = [];
      yield batch;
    }
  }
  // The spec drops an event not followed by a blank line; servers that end without one still mean it.
  parser.feed('\n\n');
  if (failure) throw failure;
  if (pending.length) yield pending;
}

async function* ndjsonEvents(body: AsyncIterable<Uint8Array>, opts: FramingOptions): AsyncGenerator<RawStreamEvent[]> {
  let buffer = '';
  for await (const text of decodeText(body, opts)) {
    buffer += text;
    const batch: RawStreamEvent[] = [];
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line.trim()) batch.push({ data: line });
    }
    if (batch.length) yield batch;
  }
  if (buffer.trim()) yield [{ data: buffer.replace(/\r$/, '') }];
}

/** Decodes a byte stream to text, enforcing an idle timeout between reads; stops the body when the consumer stops. */
async function* decodeText(body: AsyncIterable<Uint8Array>, opts: FramingOptions): AsyncGenerator<string> {
  const it = body[Symbol.asyncIterator]();
  const decoder = new TextDecoder('utf-8');
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await nextWithTimeout(it, opts);
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) yield text;
    }
    finished = true;
    const tail = decoder.decode();
    if (tail) yield tail;
  } finally {
    if (!finished) void it.return?.();
  }
}

async function nextWithTimeout(it: AsyncIterator<Uint8Array>, opts: FramingOptions): Promise<IteratorResult<Uint8Array>> {
  const ms = opts.idleTimeoutMs;
  if (!ms) return it.next();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AnyModelError({ kind: 'Timeout', provider: opts.provider, message: `${opts.provider} sent nothing for ${ms} ms in the middle of a stream` })),
      ms,
    );
  });
  try {
    return await Promise.race([it.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function truncate(s: string, max = 300): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
