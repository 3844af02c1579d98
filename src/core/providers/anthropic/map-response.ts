/**
 * Anthropic Messages response → unified result.
 * https://docs.anthropic.com/en/api/messages (response), /en/api/handling-stop-reasons
 */
import { z } from 'zod';
import type { ChatResult, FinishReason, Usage } from '../../types/result';
import { makeUsage } from '../../types/result';
import type { Deployment } from '../../types/deployment';
import { parseProviderBody } from '../shared';

export const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
}).loose();

const blockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('thinking'), thinking: z.string() }),
  z.object({ type: z.literal('redacted_thinking') }),
]);

export const messageSchema = z.object({
  id: z.string(),
  model: z.string(),
  content: z.array(z.union([blockSchema, z.object({ type: z.string() }).loose()])),
  stop_reason: z.string().nullish(),
  usage: usageSchema,
});

export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens': case 'model_context_window_exceeded': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    default: return 'stop'; // end_turn, stop_sequence, pause_turn
  }
}

/**
 * Anthropic's `input_tokens` excludes cached tokens; ours counts every prompt token, so reads
 * and writes of the prompt cache are added in.
 */
export function mapUsage(u: z.infer<typeof usageSchema> | undefined, outputTokens?: number): Usage {
  const cacheRead = u?.cache_read_input_tokens ?? 0;
  const cacheWrite = u?.cache_creation_input_tokens ?? 0;
  return makeUsage((u?.input_tokens ?? 0) + cacheRead + cacheWrite, outputTokens ?? u?.output_tokens ?? 0, {
    cachedInputTokens: u?.cache_read_input_tokens ?? undefined,
    cacheWriteInputTokens: u?.cache_creation_input_tokens ?? undefined,
    raw: u,
  });
}

export function parseMessage(body: unknown, dep: Deployment): ChatResult {
  const m = parseProviderBody(messageSchema, body, dep, 'message');
  let text = '';
  let reasoning = '';
  const toolCalls: ChatResult['toolCalls'] = [];
  for (const raw of m.content) {
    const b = raw as z.infer<typeof blockSchema>;
    if (b.type === 'text') text += b.text;
    else if (b.type === 'thinking') reasoning += b.thinking;
    else if (b.type === 'tool_use') toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
  }
  const result: ChatResult = {
    id: m.id,
    model: m.model,
    created: Math.floor(Date.now() / 1000),
    content: text || (toolCalls.length ? null : ''),
    toolCalls,
    finishReason: mapStopReason(m.stop_reason),
    usage: mapUsage(m.usage),
  };
  if (reasoning) result.reasoning = reasoning;
  return result;
}
