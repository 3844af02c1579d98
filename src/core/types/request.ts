/**
 * The unified chat request. It is the OpenAI Chat Completions request shape (the interface every
 * OpenAI client already speaks), validated with zod at every boundary where it enters the core.
 * https://platform.openai.com/docs/api-reference/chat/create
 */
import { z } from 'zod';

/**
 * Anthropic's prompt-cache marker, which LiteLLM accepts on OpenAI-format content parts and tools
 * and passes to Anthropic (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).
 * Adapters of providers that cache on their own (OpenAI, Gemini) leave it out.
 */
export const cacheControlSchema = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

export const textPartSchema = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControlSchema.optional() });

export const imagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    /** An https URL or a `data:image/...;base64,` URL. */
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
  cache_control: cacheControlSchema.optional(),
});

export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema]);

export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

/**
 * Anthropic thinking blocks on an assistant turn, LiteLLM's `thinking_blocks`: a multi-turn tool
 * conversation with extended thinking must send them back with their `signature` unchanged
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks).
 */
export const thinkingBlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }),
  z.object({ type: z.literal('redacted_thinking'), data: z.string() }),
]);

export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.union([z.string(), z.array(textPartSchema)]), name: z.string().optional() }),
  z.object({ role: z.literal('developer'), content: z.union([z.string(), z.array(textPartSchema)]), name: z.string().optional() }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(contentPartSchema)]), name: z.string().optional() }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(textPartSchema), z.null()]).optional(),
    tool_calls: z.array(toolCallSchema).optional(),
    name: z.string().optional(),
    thinking_blocks: z.array(thinkingBlockSchema).optional(),
    /** The reasoning text a client echoes back (LiteLLM's field); providers do not take it as input. */
    reasoning_content: z.string().nullish(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: z.union([z.string(), z.array(textPartSchema)]) }),
]);

export const toolDefinitionSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** A JSON Schema object describing the arguments. */
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().optional(),
  }),
  cache_control: cacheControlSchema.optional(),
});

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

export const thinkingParamSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
  z.object({ type: z.literal('disabled') }),
]);

/** Sampling and output parameters shared by chat and text completion. */
const samplingShape = {
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  /** OpenAI's newer name for max_tokens; folded into max_tokens by `normalizeChatRequest`. */
  max_completion_tokens: z.number().int().positive().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  user: z.string().optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
};

export const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  tools: z.array(toolDefinitionSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  /** Anthropic's extended thinking control; for other providers it becomes their reasoning control (see `reasoningBudget`). */
  thinking: thinkingParamSchema.optional(),
  /** Several answers: the proxy fans out up to 8 parallel requests, for every provider (see src/proxy/fan-out.ts); never sent upstream. */
  n: z.number().int().min(1).max(8, 'n is at most 8 on this proxy').optional(),
  /** LiteLLM's per-request cache controls: `{"no-cache": true}` skips the response cache. */
  cache: z.object({ 'no-cache': z.boolean().optional() }).optional(),
  ...samplingShape,
});

export const completionRequestSchema = z.object({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  suffix: z.string().optional(),
  echo: z.boolean().optional(),
  ...samplingShape,
});

export const embeddingRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.number().int().positive().optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().optional(),
});

export type TextPart = z.infer<typeof textPartSchema>;
export type ImagePart = z.infer<typeof imagePartSchema>;
export type ContentPart = z.infer<typeof contentPartSchema>;
export type ToolCall = z.infer<typeof toolCallSchema>;
export type CacheControl = z.infer<typeof cacheControlSchema>;
export type ThinkingBlock = z.infer<typeof thinkingBlockSchema>;
export type ThinkingParam = z.infer<typeof thinkingParamSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
export type ResponseFormat = z.infer<typeof responseFormatSchema>;
export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type EmbeddingRequest = z.infer<typeof embeddingRequestSchema>;

/** The optional request parameters an adapter may or may not support (used by `drop_params`). */
export const OPTIONAL_CHAT_PARAMS = [
  'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'thinking', 'temperature', 'top_p',
  'max_tokens', 'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'user',
] as const;
export type OptionalChatParam = (typeof OPTIONAL_CHAT_PARAMS)[number];

/** Text of a message's content, whatever its form (string or parts). Image parts are skipped. */
export function contentText(content: string | readonly ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** `stop` as a list, whatever form the caller used. */
export function stopList(stop: ChatRequest['stop']): string[] | undefined {
  if (stop === undefined) return undefined;
  return typeof stop === 'string' ? [stop] : stop;
}

/**
 * Thinking-token budgets for `reasoning_effort`, LiteLLM's (DEFAULT_REASONING_EFFORT_*_THINKING_BUDGET
 * in litellm/constants.py); 1024 is Anthropic's minimum budget.
 */
export const EFFORT_BUDGETS = { minimal: 1024, low: 1024, medium: 2048, high: 4096 } as const;

/**
 * The thinking budget a request asks for, from `thinking` or else `reasoning_effort`: a number of
 * tokens, 0 for thinking switched off, undefined when the request says nothing.
 */
export function reasoningBudget(req: Pick<ChatRequest, 'thinking' | 'reasoning_effort'>): number | undefined {
  if (req.thinking) return req.thinking.type === 'enabled' ? req.thinking.budget_tokens : 0;
  return req.reasoning_effort ? EFFORT_BUDGETS[req.reasoning_effort] : undefined;
}

/** A thinking budget as an OpenAI `reasoning_effort` (the nearest effort at or above it). */
export function effortForBudget(budget: number): 'low' | 'medium' | 'high' {
  return budget <= EFFORT_BUDGETS.low ? 'low' : budget <= EFFORT_BUDGETS.medium ? 'medium' : 'high';
}
