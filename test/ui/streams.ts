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

/**
 * A DeepSeek-style OpenAI-compatible stream: `reasoning_content` deltas first, then the answer in
 * `content` (https://api-docs.deepseek.com/guides/reasoning_model), `thinkMs` between the last
 * thought and the first word, so the thinking time is measurable.
 */
export function openAIReasoningStreamOf(reasoning: string, text: string, { size = 12, delayMs = 30, thinkMs = 0 }: StreamShape & { thinkMs?: number } = {}): Reply {
  const base = { id: 'chatcmpl-ui-r', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'deepseek-reasoner' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const events: unknown[] = [chunk({ role: 'assistant', content: null, reasoning_content: '' })];
  for (let i = 0; i < reasoning.length; i += size) events.push(chunk({ content: null, reasoning_content: reasoning.slice(i, i + size) }));
  const thoughts = events.length;
  for (let i = 0; i < text.length; i += size) events.push(chunk({ content: text.slice(i, i + size), reasoning_content: null }));
  events.push(chunk({}, 'stop'));
  events.push({ ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 90, total_tokens: 120, completion_tokens_details: { reasoning_tokens: 40 } } });
  const pieces = sse(events, { done: true }).split(/(?<=\n\n)/);
  if (thinkMs > 0) {
    // The pause: the pieces before the first answer chunk go at `delayMs`, then one slow gap.
    return { kind: 'raw', contentType: 'text/event-stream', pieces: [...pieces.slice(0, thoughts), ...Array.from({ length: Math.ceil(thinkMs / Math.max(1, delayMs)) }, () => ''), ...pieces.slice(thoughts)], delayMs };
  }
  return { kind: 'raw', contentType: 'text/event-stream', pieces, delayMs };
}
