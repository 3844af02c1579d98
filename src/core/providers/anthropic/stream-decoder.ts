/**
 * Anthropic stream events → stream parts.
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * - `message_start` carries the id, model and input usage; `message_delta` the stop reason and the
 *   usage so far (cumulative totals, output tokens included); `message_stop` ends the message.
 * - Content arrives as blocks: `content_block_start` (text, tool_use, thinking, ...), then
 *   `content_block_delta`s (text_delta, input_json_delta with `partial_json`, thinking_delta,
 *   signature_delta, citations_delta), then `content_block_stop`.
 * - `ping` is a keep-alive. An `error` event (e.g. overloaded_error) can arrive after the 200.
 * - "In accordance with our versioning policy, we may add new event types": unknown event types are
 *   skipped, as are unknown block and delta types. A data line that is not JSON is still an error
 *   (docs/architecture.md#streams), and so is a stream that ends without `message_stop` (cut
 *   short).
 */
import type { RawStreamEvent, StreamDecoder } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { FinishReason, StreamPart } from '../../types/result';
import { AnyModelError } from '../../types/errors';
import { parseEventJson, parseProviderBody } from '../shared';
import { truncate } from '../../transport/framing';
import { mapStopReason } from './map-stop-reason';
import { mapUsage, mergeUsage } from './map-usage';
import { anthropicBodyError } from './errors';
import { KNOWN_EVENT_TYPES, streamEventSchema, type AnthropicUsage, type ContentBlock } from './schemas';

interface OpenBlock {
  type: string;
  /** For tool_use blocks: the unified tool call index (tool calls are numbered from 0). */
  toolIndex?: number;
  /** Whether any argument text was sent for this tool call. */
  sentArguments?: boolean;
}

export function createStreamDecoder(dep: Deployment): StreamDecoder {
  let usage: AnthropicUsage | undefined;
  let finishReason: FinishReason = 'stop';
  let rawFinishReason: string | undefined;
  let stopSequence: string | undefined;
  let started = false;
  let stopped = false;
  let toolCount = 0;
  const blocks = new Map<number, OpenBlock>();

  const malformed = (what: string) => new AnyModelError({ kind: 'BadGateway', provider: dep.provider, model: dep.model, message: `${dep.provider} sent a malformed stream: ${what}` });

  const startBlock = (index: number, b: ContentBlock): StreamPart[] => {
    if (blocks.has(index)) throw malformed(`content block ${index} started twice`);
    const open: OpenBlock = { type: b.type };
    blocks.set(index, open);
    if (b.type === 'text' && b.text) return [{ type: 'text-delta', text: b.text as string }];
    if (b.type === 'thinking' && b.thinking) return [{ type: 'reasoning-delta', text: b.thinking as string }];
    if (b.type === 'redacted_thinking' && typeof b.data === 'string') return [{ type: 'reasoning-redacted', data: b.data }];
    if (b.type !== 'tool_use') return [];
    open.toolIndex = toolCount++;
    const parts: StreamPart[] = [{ type: 'tool-call-start', index: open.toolIndex, id: b.id as string, name: b.name as string }];
    // The start block carries `input: {}` and the arguments follow as input_json_delta; a gateway
    // that sends the whole input up front is read the same way.
    const input = b.input as Record<string, unknown> | null | undefined;
    if (input && Object.keys(input).length) {
      parts.push({ type: 'tool-call-delta', index: open.toolIndex, argumentsDelta: JSON.stringify(input) });
      open.sentArguments = true;
    }
    return parts;
  };

  const blockAt = (index: number): OpenBlock => {
    const open = blocks.get(index);
    if (!open) throw malformed(`a delta for content block ${index}, which was never started`);
    return open;
  };

  return {
    onEvent(raw: RawStreamEvent): StreamPart[] {
      let json = parseEventJson(raw.data, dep);
      let type = (json as { type?: unknown } | null)?.type;
      // Every data payload repeats its event name as `type`; a gateway that drops it still names the event.
      if (typeof type !== 'string' && raw.event && json && typeof json === 'object' && !Array.isArray(json)) {
        type = raw.event;
        json = { ...json, type };
      }
      if (typeof type !== 'string') throw malformed(`an event without a type: ${truncate(raw.data, 200)}`);
      if (!KNOWN_EVENT_TYPES.has(type) || stopped) return [];
      const e = parseProviderBody(streamEventSchema, json, dep, `${type} event`);
      switch (e.type) {
        case 'message_start':
          started = true;
          usage = e.message.usage ?? undefined;
          return [{ type: 'response-metadata', id: e.message.id, model: e.message.model }];
        case 'content_block_start':
          return startBlock(e.index, e.content_block);
        case 'content_block_delta': {
          const open = blockAt(e.index);
          const d = e.delta;
          if (d.type === 'text_delta') return d.text ? [{ type: 'text-delta', text: d.text as string }] : [];
          if (d.type === 'thinking_delta') return d.thinking ? [{ type: 'reasoning-delta', text: d.thinking as string }] : [];
          // input_json_delta also streams the input of server tools (server_tool_use), which are not ours to report.
          if (d.type === 'input_json_delta' && open.toolIndex !== undefined && d.partial_json) {
            open.sentArguments = true;
            return [{ type: 'tool-call-delta', index: open.toolIndex, argumentsDelta: d.partial_json as string }];
          }
          if (d.type === 'signature_delta' && open.type === 'thinking') return [{ type: 'reasoning-signature', signature: d.signature as string }];
          return []; // citations_delta, empty pieces and future delta types
        }
        case 'content_block_stop': {
          const open = blockAt(e.index);
          // A tool without arguments may stream none at all; its arguments are still an object.
          if (open.toolIndex !== undefined && !open.sentArguments) {
            open.sentArguments = true;
            return [{ type: 'tool-call-delta', index: open.toolIndex, argumentsDelta: '{}' }];
          }
          return [];
        }
        case 'message_delta':
          if (e.delta.stop_reason) {
            finishReason = mapStopReason(e.delta.stop_reason);
            rawFinishReason = e.delta.stop_reason;
          }
          if (e.delta.stop_sequence) stopSequence = e.delta.stop_sequence;
          usage = mergeUsage(usage, e.usage);
          return [];
        case 'message_stop':
          if (!started) throw malformed('message_stop before message_start');
          stopped = true;
          return [{ type: 'finish', finishReason, ...(rawFinishReason ? { rawFinishReason } : {}), ...(stopSequence ? { stopSequence } : {}), usage: mapUsage(usage) }];
        case 'error':
          throw anthropicBodyError(e.error, e.request_id, dep, 'stream error');
        case 'ping':
          return [];
      }
    },
    onEnd(): StreamPart[] {
      if (!stopped) {
        throw new AnyModelError({ kind: 'APIConnection', provider: dep.provider, model: dep.model, message: `The ${dep.provider} stream ended before message_stop: the answer is incomplete` });
      }
      return [];
    },
  };
}
