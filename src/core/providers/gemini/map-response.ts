/**
 * Gemini GenerateContentResponse → unified result, for whole responses and stream chunks alike
 * (each SSE event of streamGenerateContent is a full GenerateContentResponse).
 * https://ai.google.dev/api/generate-content#generatecontentresponse
 */
import { z } from 'zod';
import type { ChatResult, FinishReason, Usage } from '../../types/result';
import { makeUsage } from '../../types/result';
import type { Deployment } from '../../types/deployment';
import { AnyModelError } from '../../types/errors';
import { parseProviderBody } from '../shared';

const partSchema = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  functionCall: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).nullish(), id: z.string().optional() }).optional(),
}).loose();

export const responseSchema = z.object({
  candidates: z.array(z.object({
    content: z.object({ role: z.string().optional(), parts: z.array(partSchema).optional() }).nullish(),
    finishReason: z.string().optional(),
  }).loose()).optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).loose().optional(),
  usageMetadata: z.object({
    promptTokenCount: z.number().optional(),
    candidatesTokenCount: z.number().optional(),
    cachedContentTokenCount: z.number().optional(),
    thoughtsTokenCount: z.number().optional(),
    totalTokenCount: z.number().optional(),
  }).loose().optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

export type GeminiResponse = z.infer<typeof responseSchema>;

/** https://ai.google.dev/api/generate-content#FinishReason */
export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  switch (reason) {
    case 'MAX_TOKENS': return 'length';
    case 'SAFETY': case 'RECITATION': case 'BLOCKLIST': case 'PROHIBITED_CONTENT': case 'SPII': case 'IMAGE_SAFETY': return 'content_filter';
    default: return 'stop';
  }
}

/**
 * Thinking tokens are billed as output, so outputTokens counts them (reasoningTokens says how
 * many of them were thoughts); cached prompt tokens are part of promptTokenCount already.
 */
export function mapUsage(u: GeminiResponse['usageMetadata']): Usage {
  const thoughts = u?.thoughtsTokenCount;
  return makeUsage(u?.promptTokenCount ?? 0, (u?.candidatesTokenCount ?? 0) + (thoughts ?? 0), {
    cachedInputTokens: u?.cachedContentTokenCount,
    reasoningTokens: thoughts,
    raw: u,
  });
}

export function parseGeminiResponse(body: unknown, dep: Deployment): GeminiResponse {
  const r = parseProviderBody(responseSchema, body, dep, 'response');
  if (r.promptFeedback?.blockReason && !r.candidates?.length) {
    throw new AnyModelError({ kind: 'ContentPolicyViolation', provider: dep.provider, model: dep.model, code: r.promptFeedback.blockReason, message: `gemini blocked the prompt (${r.promptFeedback.blockReason})` });
  }
  return r;
}

/** Gemini has no tool-call ids: `call_<index>` keeps them stable within an answer. */
export function toolCallId(index: number, id?: string): string {
  return id ?? `call_${index}`;
}

export function toChatResult(body: unknown, dep: Deployment): ChatResult {
  const r = parseGeminiResponse(body, dep);
  const candidate = r.candidates?.[0];
  let text = '';
  let reasoning = '';
  const toolCalls: ChatResult['toolCalls'] = [];
  for (const p of candidate?.content?.parts ?? []) {
    if (p.functionCall) toolCalls.push({ id: toolCallId(toolCalls.length, p.functionCall.id), type: 'function', function: { name: p.functionCall.name, arguments: JSON.stringify(p.functionCall.args ?? {}) } });
    else if (p.text && p.thought) reasoning += p.text;
    else if (p.text) text += p.text;
  }
  const result: ChatResult = {
    id: r.responseId ?? `gemini-${Date.now()}`,
    model: r.modelVersion ?? dep.model,
    created: Math.floor(Date.now() / 1000),
    content: text || (toolCalls.length ? null : ''),
    toolCalls,
    finishReason: mapFinishReason(candidate?.finishReason, toolCalls.length > 0),
    ...(candidate?.finishReason ? { rawFinishReason: candidate?.finishReason } : {}),
    usage: mapUsage(r.usageMetadata),
  };
  if (reasoning) result.reasoning = reasoning;
  return result;
}
