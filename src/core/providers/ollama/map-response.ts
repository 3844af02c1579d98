/**
 * Ollama responses and NDJSON stream chunks → unified results and parts.
 * https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 * Usage comes from `prompt_eval_count` / `eval_count` on the final (`done: true`) object;
 * prompt_eval_count is left out when the whole prompt was cached, so missing counts are 0.
 */
import { z } from 'zod';
import type { ChatResult, CompletionResult, FinishReason, Usage } from '../../types/result';
import { makeUsage } from '../../types/result';
import type { Deployment } from '../../types/deployment';
import { parseProviderBody } from '../shared';

const toolCallSchema = z.object({ function: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()).nullish() }) });

const finalFields = {
  model: z.string().optional(),
  created_at: z.string().optional(),
  done: z.boolean(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
  total_duration: z.number().optional(),
  load_duration: z.number().optional(),
  prompt_eval_duration: z.number().optional(),
  eval_duration: z.number().optional(),
};

export const chatChunkSchema = z.object({
  ...finalFields,
  message: z.object({ role: z.string().optional(), content: z.string().nullish(), thinking: z.string().nullish(), tool_calls: z.array(toolCallSchema).nullish() }).optional(),
});

export const generateChunkSchema = z.object({ ...finalFields, response: z.string().nullish(), thinking: z.string().nullish() });

type Final = { done_reason?: string | null; prompt_eval_count?: number; eval_count?: number; total_duration?: number; load_duration?: number; prompt_eval_duration?: number; eval_duration?: number };

export function mapDoneReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  return reason === 'length' ? 'length' : 'stop';
}

export function mapUsage(r: Final): Usage {
  const { prompt_eval_count, eval_count, total_duration, load_duration, prompt_eval_duration, eval_duration } = r;
  return makeUsage(prompt_eval_count ?? 0, eval_count ?? 0, { raw: { prompt_eval_count, eval_count, total_duration, load_duration, prompt_eval_duration, eval_duration } });
}

/** Ollama gives tool calls no ids: `call_<index>` keeps them stable within an answer. */
export const toolCallId = (index: number) => `call_${index}`;

export function toChatResult(body: unknown, dep: Deployment): ChatResult {
  const r = parseProviderBody(chatChunkSchema, body, dep, 'chat response');
  const toolCalls = (r.message?.tool_calls ?? []).map((tc, i) => ({ id: toolCallId(i), type: 'function' as const, function: { name: tc.function.name, arguments: JSON.stringify(tc.function.arguments ?? {}) } }));
  const result: ChatResult = {
    id: `ollama-${Date.now().toString(36)}`,
    model: r.model ?? dep.model,
    created: r.created_at ? Math.floor(Date.parse(r.created_at) / 1000) || Math.floor(Date.now() / 1000) : Math.floor(Date.now() / 1000),
    content: r.message?.content || (toolCalls.length ? null : ''),
    toolCalls,
    finishReason: mapDoneReason(r.done_reason, toolCalls.length > 0),
    ...(r.done_reason ? { rawFinishReason: r.done_reason } : {}),
    usage: mapUsage(r),
  };
  if (r.message?.thinking) result.reasoning = r.message.thinking;
  return result;
}

export function toCompletionResult(body: unknown, dep: Deployment): CompletionResult {
  const r = parseProviderBody(generateChunkSchema, body, dep, 'generate response');
  return { id: `ollama-${Date.now().toString(36)}`, model: r.model ?? dep.model, created: Math.floor(Date.now() / 1000), text: r.response ?? '', finishReason: mapDoneReason(r.done_reason, false), ...(r.done_reason ? { rawFinishReason: r.done_reason } : {}), usage: mapUsage(r) };
}
