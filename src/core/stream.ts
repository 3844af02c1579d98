/**
 * A response body → stream parts, through the provider's framing and the adapter's decoder. Any
 * failure becomes a final `error` part; a consumer that stops early aborts the HTTP request.
 *
 * One generator does the whole way from socket chunk to part: reading, UTF-8 decoding, framing,
 * decoding and the accounting observer are plain calls inside it. A generator (or async iterator)
 * per stage cost a promise and a microtask per chunk at each layer, which was most of the core's
 * CPU per streamed chunk (`npm run bench`, core suite).
 */
import type { ProviderAdapter, StreamDecoder } from './providers/adapter';
import { createFramer } from './transport/framing';
import { bodyReadError } from './transport/body';
import type { SentRequest } from './transport/http';
import { isAnyModelError } from './types/errors';
import type { StreamPart } from './types/result';

/** Sees every part just before the consumer does, and the end of the stream, however it ends. */
export interface StreamObserver {
  part(part: StreamPart): void;
  /** Called once when the stream is over: finished, failed, or left by its consumer. */
  end(): void;
}

export async function* streamParts(sent: SentRequest, adapter: ProviderAdapter, decoder: StreamDecoder, provider: string, idleTimeoutMs?: number, observer?: StreamObserver): AsyncGenerator<StreamPart> {
  const source = sent.chunks(idleTimeoutMs);
  let completed = false;
  try {
    try {
      const framer = createFramer(adapter.streamFormat, provider);
      const text = new TextDecoder('utf-8');
      for (let chunk = await source.next(); chunk !== undefined; chunk = await source.next()) {
        for (const event of framer.feed(text.decode(chunk, { stream: true }))) {
          for (const part of decoder.onEvent(event)) {
            observer?.part(part);
            yield part;
          }
        }
      }
      const tail = text.decode();
      for (const event of tail ? [...framer.feed(tail), ...framer.end()] : framer.end()) {
        for (const part of decoder.onEvent(event)) {
          observer?.part(part);
          yield part;
        }
      }
      for (const part of decoder.onEnd()) {
        observer?.part(part);
        yield part;
      }
      completed = true;
    } catch (err) {
      completed = true;
      source.cancel(); // a decoding failure leaves the rest of the body unread: close it
      const part: StreamPart = { type: 'error', error: isAnyModelError(err) ? err : bodyReadError(err, provider) };
      observer?.part(part);
      yield part;
    }
  } finally {
    if (completed) sent.done();
    else {
      source.cancel();
      sent.abort();
    }
    observer?.end();
  }
}
