/**
 * zod schemas for the OpenAI Chat Completions, Completions and Embeddings responses
 * (https://platform.openai.com/docs/api-reference). Loose where compatible servers differ: vLLM, TGI
 * and others omit fields such as `created`, `object` or `logprobs`, or send `null` for them.
 */
import { z } from 'zod';

const optStr = z.string().nullish();
/**
 * vLLM's extra choice field: the stop string that ended the answer, or the stop token's id
 * (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html). Only a string is a stop
 * sequence; anything else is ignored rather than failing the answer.
 */
const vllmStopReason = z.unknown().optional();

export const usageSchema = z.object({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
}).loose();

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').nullish(),
  function: z.object({ name: z.string(), arguments: z.string().nullish() }),
});

/** Fields shared by a whole response and its stream chunks. */
const responseFields = { id: optStr, model: optStr, created: z.number().nullish() };

/** Fields shared by a message and a stream delta. */
const messageFields = {
  role: optStr,
  content: optStr,
  /** A model's refusal (structured outputs); returned as content when there is no other text. */
  refusal: optStr,
  /** DeepSeek, vLLM reasoning parsers and OpenRouter return visible reasoning here. */
  reasoning_content: optStr,
  reasoning: optStr,
};

export const chatCompletionSchema = z.object({
  ...responseFields,
  choices: z.array(z.object({
    index: z.number().nullish(),
    message: z.object({ ...messageFields, tool_calls: z.array(toolCallSchema).nullish() }),
    finish_reason: optStr,
    stop_reason: vllmStopReason,
  })).min(1, 'must hold at least one choice'),
  usage: usageSchema.nullish(),
});

export const chatChunkSchema = z.object({
  ...responseFields,
  choices: z.array(z.object({
    index: z.number().nullish(),
    delta: z.object({
      ...messageFields,
      tool_calls: z.array(z.object({
        index: z.number(),
        id: optStr,
        type: optStr,
        function: z.object({ name: optStr, arguments: optStr }).nullish(),
      })).nullish(),
    }).nullish(),
    finish_reason: optStr,
    stop_reason: vllmStopReason,
  })).nullish(),
  usage: usageSchema.nullish(),
});

export const completionSchema = z.object({
  ...responseFields,
  choices: z.array(z.object({ text: z.string().nullish(), finish_reason: optStr })).default([]),
  usage: usageSchema.nullish(),
});

export const embeddingListSchema = z.object({
  model: optStr,
  data: z.array(z.object({
    index: z.number().optional(),
    /** Floats, or base64 little-endian float32 when `encoding_format: "base64"` was asked for. */
    embedding: z.union([z.array(z.number()), z.string()]),
  })),
  usage: usageSchema.nullish(),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatChunk = z.infer<typeof chatChunkSchema>;
export type OpenAIUsage = z.infer<typeof usageSchema>;
