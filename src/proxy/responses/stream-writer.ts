/**
 * Unified stream parts → Responses API stream events
 * (https://platform.openai.com/docs/api-reference/responses-streaming): `response.created` and
 * `response.in_progress`; per output item `response.output_item.added`, its content
 * (`response.content_part.added`, `response.output_text.delta`/`.done`, `response.content_part.done`
 * for a message; `response.function_call_arguments.delta`/`.done` for a call;
 * `response.reasoning_summary_part.added`, `response.reasoning_summary_text.delta`/`.done` for
 * reasoning) and `response.output_item.done`; then `response.completed` (or `response.incomplete`)
 * with the usage. Every event has a `sequence_number`.
 */
import type { AnyModelError, FinishReason, StreamPart, Usage } from '../../core';
import { functionCallItem, messageItem, newId, outputTextPart, reasoningItem, responseObject, type Item } from './from-unified';
import type { ResponsesRequest } from './schema';

type Event = Record<string, unknown> & { type: string };

interface OpenItem { item: Item; index: number; text: string; tool?: number }

export class ResponsesStreamWriter {
  private seq = 0;
  private readonly output: Item[] = [];
  private open: OpenItem | undefined;
  private readonly calls = new Map<number, OpenItem>();
  private readonly createdAt = Math.floor(Date.now() / 1000);

  constructor(readonly id: string, private readonly req: ResponsesRequest) {}

  /** `response.created` and `response.in_progress`, sent before the first part. */
  start(): string {
    const response = responseObject(this.id, this.createdAt, this.req, []);
    return this.sse([{ type: 'response.created', response }, { type: 'response.in_progress', response }]);
  }

  write(part: StreamPart): string {
    const events: Event[] = [];
    switch (part.type) {
      case 'text-delta':
        if (!part.text) break;
        this.ensure(events, 'message');
        this.open!.text += part.text;
        events.push({ type: 'response.output_text.delta', item_id: this.open!.item.id, output_index: this.open!.index, content_index: 0, delta: part.text, logprobs: [] });
        break;
      case 'reasoning-delta':
        if (!part.text) break;
        this.ensure(events, 'reasoning');
        this.open!.text += part.text;
        events.push({ type: 'response.reasoning_summary_text.delta', item_id: this.open!.item.id, output_index: this.open!.index, summary_index: 0, delta: part.text });
        break;
      case 'tool-call-start': {
        this.close(events);
        const item = functionCallItem(newId('fc'), part.id, part.name, '', 'in_progress');
        this.open = { item, index: this.output.length, text: '', tool: part.index };
        this.calls.set(part.index, this.open);
        this.output.push(item);
        events.push({ type: 'response.output_item.added', output_index: this.open.index, item: { ...item } });
        break;
      }
      case 'tool-call-delta': {
        const call = this.calls.get(part.index);
        if (!call || !part.argumentsDelta) break;
        call.text += part.argumentsDelta;
        events.push({ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.index, delta: part.argumentsDelta });
        break;
      }
      case 'finish':
        this.close(events);
        events.push(this.finished(part.finishReason, part.usage));
        break;
      case 'error':
        return this.sse([this.error(part.error)]);
      default:
        break; // metadata, signatures and redacted thinking have no Responses counterpart
    }
    return this.sse(events);
  }

  /** The finished response object (once `finish` was written), as `GET /v1/responses/{id}` returns it. */
  completed: Record<string, unknown> | undefined;

  private finished(finish: FinishReason, usage: Usage | undefined): Event {
    const response = responseObject(this.id, this.createdAt, this.req, this.output, finish, usage);
    this.completed = response;
    return { type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response };
  }

  private ensure(events: Event[], type: 'message' | 'reasoning'): void {
    if (this.open?.item.type === type) return;
    this.close(events);
    const item = type === 'message' ? messageItem(newId('msg'), '', 'in_progress') : reasoningItem(newId('rs'), '');
    this.open = { item, index: this.output.length, text: '' };
    this.output.push(item);
    events.push({ type: 'response.output_item.added', output_index: this.open.index, item: structuredClone(item) });
    const at = { item_id: item.id, output_index: this.open.index };
    if (type === 'message') events.push({ type: 'response.content_part.added', ...at, content_index: 0, part: outputTextPart('') });
    else events.push({ type: 'response.reasoning_summary_part.added', ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
  }

  private close(events: Event[]): void {
    const o = this.open;
    if (!o) return;
    this.open = undefined;
    const at = { item_id: o.item.id, output_index: o.index };
    let done: Item;
    if (o.item.type === 'message') {
      events.push({ type: 'response.output_text.done', ...at, content_index: 0, text: o.text, logprobs: [] });
      events.push({ type: 'response.content_part.done', ...at, content_index: 0, part: outputTextPart(o.text) });
      done = messageItem(o.item.id, o.text, 'completed');
    } else if (o.item.type === 'reasoning') {
      events.push({ type: 'response.reasoning_summary_text.done', ...at, summary_index: 0, text: o.text });
      events.push({ type: 'response.reasoning_summary_part.done', ...at, summary_index: 0, part: { type: 'summary_text', text: o.text } });
      done = reasoningItem(o.item.id, o.text);
    } else {
      events.push({ type: 'response.function_call_arguments.done', ...at, name: o.item.name, arguments: o.text });
      done = { ...o.item, arguments: o.text, status: 'completed' };
    }
    this.output[o.index] = done;
    events.push({ type: 'response.output_item.done', output_index: o.index, item: done });
  }

  /**
   * The in-band `error` event (code, message, param); the `error` object is there too, so that
   * OpenAI clients raise it as an APIError as they do for chat completion streams.
   */
  private error(err: AnyModelError): Event {
    const code = err.code ?? err.kind;
    return { type: 'error', code, message: err.message, param: err.param ?? null, error: { type: 'server_error', code, message: err.message, param: err.param ?? null } };
  }

  private sse(events: Event[]): string {
    let out = '';
    for (const e of events) {
      e.sequence_number = this.seq++;
      out += `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
    }
    return out;
  }
}
