/** OpenAI responses → unified results: finish reasons, usage, messages, embeddings. */
import type { ChatChoice, ChatResult, CompletionResult, EmbeddingResult, FinishReason, Usage } from '../../types/result';
import { makeUsage } from '../../types/result';
import type { Deployment } from '../../types/deployment';
import type { EmbeddingRequest } from '../../types/request';
import { parseProviderBody } from '../shared';
import { chatCompletionSchema, completionSchema, embeddingListSchema, type ChatCompletion, type OpenAIUsage } from './schemas';
import { isCommonChatCompletion, schemaLikeUsage } from './common-shape';

/** `function_call` is the legacy name of `tool_calls`; anything unknown means the model stopped. */
export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length': return 'length';
    case 'tool_calls': case 'function_call': return 'tool_calls';
    case 'content_filter': return 'content_filter';
    default: return 'stop';
  }
}

export function mapUsage(u: OpenAIUsage | null | undefined): Usage {
  const input = u?.prompt_tokens ?? 0;
  const output = u?.completion_tokens ?? 0;
  const usage = makeUsage(input, output, {
    cachedInputTokens: u?.prompt_tokens_details?.cached_tokens ?? undefined,
    reasoningTokens: u?.completion_tokens_details?.reasoning_tokens ?? undefined,
    raw: u ?? undefined,
  });
  if (u?.total_tokens) usage.totalTokens = u.total_tokens;
  return usage;
}

export function parseChatResponse(body: unknown, dep: Deployment): ChatResult {
  // The common shape skips zod's copy; usage.raw is then shaped as the schema would give it.
  const common = isCommonChatCompletion(body);
  const r = common ? { ...body, usage: schemaLikeUsage(body.usage) } : parseProviderBody(chatCompletionSchema, body, dep, 'chat completion');
  const choice = r.choices[0]!;
  const result: ChatResult = {
    id: r.id ?? `chatcmpl-${Date.now()}`,
    model: r.model ?? dep.model,
    created: r.created ?? Math.floor(Date.now() / 1000),
    ...toChoice(choice),
    ...(typeof choice.stop_reason === 'string' ? { stopSequence: choice.stop_reason } : {}),
    usage: mapUsage(r.usage),
  };
  // `n` > 1 answered by the server itself: the choices come in index order.
  if (r.choices.length > 1) result.moreChoices = r.choices.slice(1).map(toChoice);
  return result;
}

function toChoice(choice: ChatCompletion['choices'][number]): ChatChoice {
  const m = choice.message;
  const out: ChatChoice = {
    content: m.content ?? m.refusal ?? null,
    toolCalls: (m.tool_calls ?? []).map((tc) => ({ id: tc.id, type: 'function' as const, function: { name: tc.function.name, arguments: tc.function.arguments ?? '' } })),
    finishReason: mapFinishReason(choice.finish_reason),
    ...(choice.finish_reason ? { rawFinishReason: choice.finish_reason } : {}),
  };
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (reasoning) out.reasoning = reasoning;
  return out;
}

export function parseCompletionResponse(body: unknown, dep: Deployment): CompletionResult {
  const r = parseProviderBody(completionSchema, body, dep, 'completion');
  const choice = r.choices[0];
  return {
    id: r.id ?? `cmpl-${Date.now()}`,
    model: r.model ?? dep.model,
    created: r.created ?? Math.floor(Date.now() / 1000),
    text: choice?.text ?? '',
    finishReason: mapFinishReason(choice?.finish_reason),
    ...(choice?.finish_reason ? { rawFinishReason: choice?.finish_reason } : {}),
    usage: mapUsage(r.usage),
  };
}

export function parseEmbeddingResponse(body: unknown, dep: Deployment, _req: EmbeddingRequest): EmbeddingResult {
  const r = parseProviderBody(embeddingListSchema, body, dep, 'embedding list');
  return {
    model: r.model ?? dep.model,
    data: r.data.map((d, i) => ({ index: d.index ?? i, embedding: typeof d.embedding === 'string' ? decodeFloat32(d.embedding) : d.embedding })),
    usage: mapUsage(r.usage),
  };
}

/** base64 of little-endian float32 values → numbers. */
function decodeFloat32(b64: string): number[] {
  const bytes = Buffer.from(b64, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(bytes.readFloatLE(i));
  return out;
}
