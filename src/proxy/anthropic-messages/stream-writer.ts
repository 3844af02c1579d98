/**
 * Unified stream parts → Anthropic Messages stream events
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming): `message_start`, a `ping`,
 * then per content block `content_block_start`, its deltas (`text_delta`, `thinking_delta` and
 * `signature_delta`, `input_json_delta`) and `content_block_stop`, then `message_delta` with the
 * stop reason and the usage (cumulative, input included), and `message_stop`. Blocks are
 * numbered in order; one is open at a time, as the API sends them.
 */
import type { AnyModelError, StreamPart } from '../../core';
import { messageId, toMessagesUsage, toStopReason, toolUseId, toAnthropicErrorBody } from './from-unified';

type Event = Record<string, unknown> & { type: string };

export function sseEvent(e: Event): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export class MessagesStreamWriter {
  private started = false;
  private id: string | undefined;
  private nextIndex = 0;
  /** The open block: its index, its type and, for a tool call, the unified tool index. */
  private open: { index: number; type: 'text' | 'thinking' | 'tool_use'; tool?: number } | undefined;
  /** Unified tool index → block index, for deltas of a tool call whose block is already closed. */
  private readonly toolBlocks = new Map<number, number>();

  constructor(private readonly model: string) {}

  /** The events for one part, as SSE text. */
  write(part: StreamPart): string {
    const events: Event[] = [];
    if (part.type === 'response-metadata') {
      this.id ??= part.id;
      return '';
    }
    if (part.type === 'error') return this.error(part.error);
    if (!this.started) events.push(...this.start());
    switch (part.type) {
      case 'text-delta':
        if (!part.text) break;
        this.ensure(events, 'text');
        events.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: part.text } });
        break;
      case 'reasoning-delta':
        if (!part.text) break;
        this.ensure(events, 'thinking');
        events.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'thinking_delta', thinking: part.text } });
        break;
      case 'reasoning-signature':
        this.ensure(events, 'thinking');
        events.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'signature_delta', signature: part.signature } });
        this.close(events);
        break;
      case 'reasoning-redacted': {
        this.close(events);
        const index = this.nextIndex++;
        events.push({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: part.data } }, { type: 'content_block_stop', index });
        break;
      }
      case 'tool-call-start': {
        this.close(events);
        const index = this.nextIndex++;
        this.open = { index, type: 'tool_use', tool: part.index };
        this.toolBlocks.set(part.index, index);
        events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolUseId(part.id), name: part.name, input: {} } });
        break;
      }
      case 'tool-call-delta': {
        const index = this.toolBlocks.get(part.index);
        if (index !== undefined && part.argumentsDelta) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part.argumentsDelta } });
        break;
      }
      case 'finish':
        this.close(events);
        events.push(
          { type: 'message_delta', delta: { stop_reason: toStopReason(part.finishReason, part.stopSequence), stop_sequence: part.stopSequence ?? null }, usage: toMessagesUsage(part.usage) },
          { type: 'message_stop' },
        );
        break;
    }
    return events.map(sseEvent).join('');
  }

  private start(): Event[] {
    this.started = true;
    const message = { id: messageId(this.id), type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: toMessagesUsage(undefined) };
    return [{ type: 'message_start', message }, { type: 'ping' }];
  }

  /** Opens a block of `type` unless one is open already. */
  private ensure(events: Event[], type: 'text' | 'thinking'): void {
    if (this.open?.type === type) return;
    this.close(events);
    const index = this.nextIndex++;
    this.open = { index, type };
    events.push({ type: 'content_block_start', index, content_block: type === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' } });
  }

  private close(events: Event[]): void {
    if (!this.open) return;
    events.push({ type: 'content_block_stop', index: this.open.index });
    this.open = undefined;
  }

  /** Anthropic's in-band `error` event; the stream ends after it. */
  private error(err: AnyModelError): string {
    return sseEvent(toAnthropicErrorBody(err) as Event);
  }
}
