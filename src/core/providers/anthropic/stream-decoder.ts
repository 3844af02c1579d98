/**
 * Anthropic stream events → stream parts. https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * message_start carries the input usage, message_delta the stop reason and the cumulative output
 * usage, message_stop ends the message. `ping` is a keep-alive; an `error` event (e.g.
 * overloaded_error) can arrive mid-stream with a 200 status. New event types may be added
 * (versioning policy), so unknown ones are skipped; a data line that is not JSON is an error.
 */
import { z } from 'zod';
import type { RawStreamEvent, StreamDecoder } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { FinishReason, StreamPart } from '../../types/result';
import { AnyModelError } from '../../types/errors';
import { parseEventJson, parseProviderBody } from '../shared';
import { mapStopReason, mapUsage, usageSchema } from './map-response';
import { anthropicErrorKind } from './errors';

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string(), model: z.string(), usage: usageSchema }) }),
  z.object({ type: z.literal('content_block_start'), index: z.number(), content_block: z.object({ type: z.string(), id: z.string().optional(), name: z.string().optional(), text: z.string().optional(), thinking: z.string().optional() }).loose() }),
  z.object({ type: z.literal('content_block_delta'), index: z.number(), delta: z.object({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional(), thinking: z.string().optional() }).loose() }),
  z.object({ type: z.literal('content_block_stop'), index: z.number() }),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullish() }).loose(), usage: usageSchema.nullish() }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }) }),
]);

const KNOWN = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);

export function createStreamDecoder(dep: Deployment): StreamDecoder {
  let inputUsage: z.infer<typeof usageSchema> | undefined;
  let outputTokens = 0;
  let finishReason: FinishReason = 'stop';
  let stopped = false;
  /** Content block index → tool call index (tool calls are numbered from 0 among tool_use blocks). */
  const toolIndex = new Map<number, number>();

  return {
    onEvent(raw: RawStreamEvent): StreamPart[] {
      const json = parseEventJson(raw.data, dep) as { type?: unknown };
      if (typeof json?.type !== 'string' || !KNOWN.has(json.type)) return [];
      const e = parseProviderBody(eventSchema, json, dep, 'stream event');
      switch (e.type) {
        case 'message_start':
          inputUsage = e.message.usage;
          outputTokens = e.message.usage.output_tokens ?? 0;
          return [{ type: 'response-metadata', id: e.message.id, model: e.message.model }];
        case 'content_block_start': {
          const b = e.content_block;
          if (b.type === 'tool_use' && b.id && b.name) {
            const index = toolIndex.size;
            toolIndex.set(e.index, index);
            return [{ type: 'tool-call-start', index, id: b.id, name: b.name }];
          }
          if (b.type === 'text' && b.text) return [{ type: 'text-delta', text: b.text }];
          return [];
        }
        case 'content_block_delta': {
          const d = e.delta;
          if (d.type === 'text_delta' && d.text) return [{ type: 'text-delta', text: d.text }];
          if (d.type === 'thinking_delta' && d.thinking) return [{ type: 'reasoning-delta', text: d.thinking }];
          if (d.type === 'input_json_delta' && d.partial_json) {
            const index = toolIndex.get(e.index);
            if (index === undefined) throw new AnyModelError({ kind: 'BadGateway', provider: dep.provider, model: dep.model, message: `anthropic sent tool input for block ${e.index}, which is not a tool_use block` });
            return [{ type: 'tool-call-delta', index, argumentsDelta: d.partial_json }];
          }
          return []; // signature_delta and future delta types carry nothing to show
        }
        case 'message_delta':
          if (e.delta.stop_reason) finishReason = mapStopReason(e.delta.stop_reason);
          if (e.usage?.output_tokens != null) outputTokens = e.usage.output_tokens; // cumulative
          return [];
        case 'message_stop':
          stopped = true;
          return [];
        case 'error':
          throw new AnyModelError({ kind: anthropicErrorKind(e.error.type), provider: dep.provider, model: dep.model, code: e.error.type, message: `anthropic stream error (${e.error.type}): ${e.error.message}` });
        default:
          return [];
      }
    },
    onEnd(): StreamPart[] {
      if (!stopped) throw new AnyModelError({ kind: 'APIConnection', provider: dep.provider, model: dep.model, message: 'The anthropic stream ended before message_stop' });
      return [{ type: 'finish', finishReason, usage: mapUsage(inputUsage, outputTokens) }];
    },
  };
}
