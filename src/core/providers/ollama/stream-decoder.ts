/**
 * Ollama NDJSON stream → stream parts. Each line is a chunk with the next piece of
 * `message.content` (or `response` for /api/generate); tool calls arrive whole; the last line has
 * `done: true` and the counts. A line `{"error":"…"}` is an error mid-stream, and a stream that ends
 * without `done: true` was cut short.
 */
import type { RawStreamEvent, StreamDecoder } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { StreamPart } from '../../types/result';
import { AnyModelError } from '../../types/errors';
import { parseEventJson, parseProviderBody } from '../shared';
import { chatChunkSchema, generateChunkSchema, mapDoneReason, mapUsage, toolCallId } from './map-response';
import { ollamaError } from './errors';

export function createStreamDecoder(dep: Deployment, kind: 'chat' | 'generate'): StreamDecoder {
  let toolCalls = 0;
  let finished: StreamPart | undefined;
  return {
    onEvent(raw: RawStreamEvent): StreamPart[] {
      const json = parseEventJson(raw.data, dep);
      if (json && typeof json === 'object' && 'error' in json) throw ollamaError(500, raw.data, dep);
      const parts: StreamPart[] = [];
      if (kind === 'chat') {
        const c = parseProviderBody(chatChunkSchema, json, dep, 'stream chunk');
        if (c.message?.thinking) parts.push({ type: 'reasoning-delta', text: c.message.thinking });
        if (c.message?.content) parts.push({ type: 'text-delta', text: c.message.content });
        for (const tc of c.message?.tool_calls ?? []) {
          const index = toolCalls++;
          parts.push({ type: 'tool-call-start', index, id: toolCallId(index), name: tc.function.name });
          parts.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(tc.function.arguments ?? {}) });
        }
        if (c.done) finished = { type: 'finish', finishReason: mapDoneReason(c.done_reason, toolCalls > 0), ...(c.done_reason ? { rawFinishReason: c.done_reason } : {}), usage: mapUsage(c) };
      } else {
        const c = parseProviderBody(generateChunkSchema, json, dep, 'stream chunk');
        if (c.response) parts.push({ type: 'text-delta', text: c.response });
        if (c.done) finished = { type: 'finish', finishReason: mapDoneReason(c.done_reason, false), ...(c.done_reason ? { rawFinishReason: c.done_reason } : {}), usage: mapUsage(c) };
      }
      return parts;
    },
    onEnd(): StreamPart[] {
      if (!finished) throw new AnyModelError({ kind: 'APIConnection', provider: dep.provider, model: dep.model, message: 'The ollama stream ended before done: true' });
      return [finished];
    },
  };
}
