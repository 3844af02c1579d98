/**
 * Unified results → Responses API objects (https://platform.openai.com/docs/api-reference/responses/object):
 * the `response` with its output items — `reasoning` (the reasoning text as a summary),
 * `message` with `output_text`, `function_call` — and its usage.
 */
import type { ChatMessage, ChatResult, FinishReason, Usage } from '../../core';
import { randomBytes } from 'node:crypto';
import type { ResponsesRequest } from './schema';

export type Item = Record<string, unknown> & { type: string; id: string };

export function newId(prefix: 'resp' | 'msg' | 'fc' | 'rs'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function toResponsesUsage(u: Usage | undefined): Record<string, unknown> {
  return {
    input_tokens: u?.inputTokens ?? 0,
    input_tokens_details: { cached_tokens: u?.cachedInputTokens ?? 0 },
    output_tokens: u?.outputTokens ?? 0,
    output_tokens_details: { reasoning_tokens: u?.reasoningTokens ?? 0 },
    total_tokens: u?.totalTokens ?? 0,
  };
}

export function reasoningItem(id: string, text: string): Item {
  return { type: 'reasoning', id, summary: text ? [{ type: 'summary_text', text }] : [] };
}

export function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): Item {
  return { type: 'message', id, status, role: 'assistant', content: status === 'in_progress' ? [] : [outputTextPart(text)] };
}

export function outputTextPart(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed'): Item {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}

export function outputItems(r: ChatResult): Item[] {
  const items: Item[] = [];
  if (r.reasoning) items.push(reasoningItem(newId('rs'), r.reasoning));
  if (r.content) items.push(messageItem(newId('msg'), r.content, 'completed'));
  for (const tc of r.toolCalls) items.push(functionCallItem(newId('fc'), tc.id, tc.function.name, tc.function.arguments, 'completed'));
  return items;
}

/** A response cut short is `incomplete`, with why. */
function status(finish: FinishReason | undefined): { status: string; incomplete_details: unknown } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: finish ? 'completed' : 'in_progress', incomplete_details: null };
}

/** The response object; `finish` undefined while it is in progress. */
export function responseObject(id: string, createdAt: number, req: ResponsesRequest, output: Item[], finish?: FinishReason, usage?: Usage): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    ...status(finish),
    model: req.model,
    output,
    error: null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    store: req.store ?? true,
    temperature: req.temperature ?? null,
    text: { format: req.text?.format ?? { type: 'text' } },
    tool_choice: req.tool_choice ?? 'auto',
    tools: (req.tools ?? []).map((t) => ({ strict: null, description: null, parameters: null, ...t })),
    top_p: req.top_p ?? null,
    truncation: 'disabled',
    usage: finish ? toResponsesUsage(usage) : null,
    user: req.user ?? null,
  };
}

/** The assistant turn a response adds to its conversation, for `previous_response_id`. */
export function assistantTurn(r: Pick<ChatResult, 'content' | 'toolCalls'>): ChatMessage {
  const m: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: r.content || null };
  if (r.toolCalls.length) m.tool_calls = r.toolCalls;
  return m;
}
