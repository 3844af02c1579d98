/** Mock answers the UI suites replay: what a provider streams, in the pieces it sends them. */
import { sse, type Reply } from '../unit/helpers/mock-server';

export interface StreamShape {
  /** Characters per SSE event. */
  size?: number;
  /** Milliseconds between events. */
  delayMs?: number;
  /** The usage chunk sent last (the cost line needs it). */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

/** An OpenAI chat stream of `text`: one SSE event per `size` characters, `delayMs` apart, usage last. */
export function openAIStreamOf(text: string, { size = 12, delayMs = 30, usage = { prompt_tokens: 42, completion_tokens: 120 } }: StreamShape = {}): Reply {
  const base = { id: 'chatcmpl-ui', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini' };
  const events: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  for (let i = 0; i < text.length; i += size) events.push({ ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + size) }, finish_reason: null }] });
  events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  events.push({ ...base, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
  return { kind: 'raw', contentType: 'text/event-stream', pieces: sse(events, { done: true }).split(/(?<=\n\n)/), delayMs };
}
