/**
 * The Anthropic Messages request as clients send it to `POST /v1/messages` and
 * `/v1/messages/count_tokens` (https://docs.anthropic.com/en/api/messages). Strict where a field
 * would change the answer: a block or field we cannot honour is a 400 naming it, never dropped.
 */
import { cacheControlSchema } from '../../core';
import { z } from 'zod';

const cache = { cache_control: cacheControlSchema.nullish() };

const textBlock = z.object({ type: z.literal('text'), text: z.string(), citations: z.null().optional(), ...cache });
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.object({ type: z.literal('url'), url: z.string() }),
  ]),
  ...cache,
});
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()), ...cache });
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  ...cache,
});
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

export const blockSchema = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]);
export type MessagesBlock = z.infer<typeof blockSchema>;
export type MessagesImage = z.infer<typeof imageBlock>;
export type MessagesText = z.infer<typeof textBlock>;

export const messageParamSchema = z.object({
  role: z.enum(['user', 'assistant']),
  // A string is one text block; read as such, a bad block gets zod's error naming it and its type.
  content: z.preprocess((v) => (typeof v === 'string' ? [{ type: 'text', text: v }] : v), z.array(blockSchema)),
});
export type MessageParam = z.infer<typeof messageParamSchema>;

export const toolSchema = z.object({
  /** Custom tools only; server tools (`web_search_20250305`, ...) run at Anthropic and are refused. */
  type: z.literal('custom').optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  ...cache,
});

export const toolChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

export const messagesRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageParamSchema).min(1),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: z.discriminatedUnion('type', [
    z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1) }),
    z.object({ type: z.literal('disabled') }),
  ]).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
  /** Accepted and ignored: it picks Anthropic's capacity tier, not the answer. */
  service_tier: z.string().optional(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/** count_tokens takes the request without max_tokens and the output settings. */
export const countTokensRequestSchema = messagesRequestSchema.pick({ model: true, messages: true, system: true, tools: true, tool_choice: true, thinking: true });
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
