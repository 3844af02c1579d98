/**
 * Stream framing: bytes → SSE events or NDJSON lines. The result is the same however the bytes are
 * split, including inside a multi-byte UTF-8 character (a streaming TextDecoder keeps the partial
 * sequence) and across CRLF line ends. SSE parsing is eventsource-parser's, which follows the
 * WHATWG spec (comments, `event:`/`data:`/`id:`/`retry:` fields, multi-line data).
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import type { RawStreamEvent, StreamFormat } from '../providers/adapter';
import { AnyModelError } from '../types/errors';
import { IterableChunks } from './body';

export interface FramingOptions {
  /** Fail if no bytes arrive for this long. */
  idleTimeoutMs?: number;
  provider: string;
}

/** Text in, whole events out, synchronously: the framing of one response. */
export interface Framer {
  /** The events completed by this text (often none or one; many when a read held many). Throws on a line that is not SSE. */
  feed(text: string): RawStreamEvent[];
  /** The events the end of the body completes. */
  end(): RawStreamEvent[];
}

const NONE: RawStreamEvent[] = [];

export function createFramer(format: StreamFormat, provider: string): Framer {
  return format === 'sse' ? sseFramer(provider) : ndjsonFramer();
}

function sseFramer(provider: string): Framer {
  let pending: RawStreamEvent[] = [];
  let failure: AnyModelError | undefined;
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => pending.push(e.event ? { event: e.event, data: e.data } : { data: e.data }),
    onError: (e: ParseError) => {
      // A line that is neither a field nor a comment: often a bare JSON error body sent with a 200.
      failure ??= new AnyModelError({
        kind: 'BadGateway',
        provider,
        message: `${provider} sent a stream line that is not Server-Sent Events: ${truncate(e.line ?? e.message)}`,
      });
    },
  });
  const take = () => {
    if (failure) throw failure;
    if (!pending.length) return NONE;
    const batch = pending;
    pending = [];
    return batch;
  };
  return {
    feed: (text) => { parser.feed(text); return take(); },
    // The spec drops an event not followed by a blank line; servers that end without one still mean it.
    end: () => { parser.feed('\n\n'); return take(); },
  };
}

function ndjsonFramer(): Framer {
  let buffer = '';
  return {
    feed: (text) => {
      buffer += text;
      let batch = NONE;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line.trim()) (batch === NONE ? (batch = []) : batch).push({ data: line });
      }
      return batch;
    },
    end: () => (buffer.trim() ? [{ data: buffer.replace(/\r$/, '') }] : NONE),
  };
}

/**
 * Yields the raw events of a body in the given framing, one batch per read. The core reads live
 * responses without this generator (see `streamParts`); it serves bodies given as async iterables.
 */
export async function* frameStream(body: AsyncIterable<Uint8Array>, format: StreamFormat, opts: FramingOptions): AsyncGenerator<RawStreamEvent[]> {
  const source = new IterableChunks(body, opts.provider, opts.idleTimeoutMs);
  const framer = createFramer(format, opts.provider);
  const decoder = new TextDecoder('utf-8');
  let finished = false;
  try {
    for (let chunk = await source.next(); chunk !== undefined; chunk = await source.next()) {
      const text = decoder.decode(chunk, { stream: true });
      const batch = text ? framer.feed(text) : NONE;
      if (batch.length) yield batch;
    }
    finished = true;
    const tail = decoder.decode();
    const last = [...(tail ? framer.feed(tail) : NONE), ...framer.end()];
    if (last.length) yield last;
  } finally {
    if (!finished) source.cancel();
  }
}

export function truncate(s: string, max = 300): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
