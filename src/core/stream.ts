/**
 * A response body → stream parts, through the provider's framing and the adapter's decoder. Any
 * failure becomes a final `error` part; a consumer that stops early aborts the HTTP request.
 */
import type { ProviderAdapter, StreamDecoder } from './providers/adapter';
import { frameStream } from './transport/framing';
import { bodyReadError, type SentRequest } from './transport/http';
import { isAnyModelError } from './types/errors';
import type { StreamPart } from './types/result';

export async function* streamParts(sent: SentRequest, adapter: ProviderAdapter, decoder: StreamDecoder, provider: string, idleTimeoutMs?: number): AsyncGenerator<StreamPart> {
  let completed = false;
  try {
    for await (const events of frameStream(sent.body, adapter.streamFormat, { provider, idleTimeoutMs })) {
      for (const event of events) for (const part of decoder.onEvent(event)) yield part;
    }
    for (const part of decoder.onEnd()) yield part;
    completed = true;
  } catch (err) {
    completed = true;
    yield { type: 'error', error: isAnyModelError(err) ? err : bodyReadError(err, provider) };
  } finally {
    if (completed) sent.done();
    else sent.abort();
  }
}
