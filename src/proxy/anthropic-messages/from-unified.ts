/**
 * Unified results and errors → Anthropic Messages wire objects
 * (https://docs.anthropic.com/en/api/messages, https://docs.anthropic.com/en/api/errors).
 */
import { anthropicType, errorRow, type AnyModelError, type ChatResult, type FinishReason, type Usage } from '../../core';

/** Anthropic's `usage`: `input_tokens` excludes the tokens read from or written to the prompt cache. */
export function toMessagesUsage(u: Usage | undefined): Record<string, number> {
  const read = u?.cachedInputTokens ?? 0;
  const write = u?.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, (u?.inputTokens ?? 0) - read - write),
    output_tokens: u?.outputTokens ?? 0,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}

/** A known stop sequence is Anthropic's `stop_sequence` reason; other providers only say "stop". */
export function toStopReason(f: FinishReason, stopSequence?: string): string {
  if (f === 'stop' && stopSequence !== undefined) return 'stop_sequence';
  switch (f) {
    case 'stop': return 'end_turn';
    case 'length': return 'max_tokens';
    case 'tool_calls': return 'tool_use';
    case 'content_filter': return 'refusal';
  }
}

/** Anthropic ids start with `msg_`; another provider's id is kept after the prefix. */
export function messageId(id: string | undefined): string {
  if (id?.startsWith('msg_')) return id;
  return `msg_${id ? id.replace(/[^A-Za-z0-9_-]/g, '') : Date.now().toString(36)}`;
}

/** Tool ids: Anthropic wants `[a-zA-Z0-9_-]+`; other providers' ids pass when they fit. */
export function toolUseId(id: string): string {
  return /^[a-zA-Z0-9_-]+$/.test(id) ? id : `toolu_${id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

export function parseInput(args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    // A model that wrote broken JSON: the client still sees what it wrote.
    return { _raw_arguments: args };
  }
}

export function toMessage(r: ChatResult, model: string): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (r.thinkingBlocks?.length) content.push(...r.thinkingBlocks.map((b) => (b.type === 'thinking' ? { type: 'thinking', thinking: b.thinking, signature: b.signature ?? '' } : { ...b })));
  else if (r.reasoning) content.push({ type: 'thinking', thinking: r.reasoning, signature: '' });
  if (r.content) content.push({ type: 'text', text: r.content });
  for (const tc of r.toolCalls) content.push({ type: 'tool_use', id: toolUseId(tc.id), name: tc.function.name, input: parseInput(tc.function.arguments) });
  return {
    id: messageId(r.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: toStopReason(r.finishReason, r.stopSequence),
    stop_sequence: r.stopSequence ?? null,
    usage: toMessagesUsage(r.usage),
  };
}

/**
 * An error as Anthropic's SDKs expect it (https://docs.anthropic.com/en/api/errors): the type
 * comes from the core's error table; an overloaded provider answers with Anthropic's own 529,
 * which those SDKs retry, and a body over the cap with 413.
 */
export function anthropicErrorType(err: Pick<AnyModelError, 'kind' | 'code'>): { type: string; status: number } {
  if (err.code === 'unsupported_media_type') return { type: 'invalid_request_error', status: 415 };
  const type = anthropicType(err.kind, err.code);
  if (type === 'request_too_large') return { type, status: 413 };
  if (type === 'overloaded_error') return { type, status: 529 };
  return { type, status: errorRow(err.kind).status };
}

export function toAnthropicErrorBody(err: Pick<AnyModelError, 'kind' | 'code' | 'message'>): Record<string, unknown> {
  return { type: 'error', error: { type: anthropicErrorType(err).type, message: err.message } };
}
