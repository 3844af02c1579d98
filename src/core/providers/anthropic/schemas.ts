/**
 * zod schemas for everything the Anthropic Messages API sends back: the message, its content
 * blocks, usage, the stream events and the error body. Objects are `loose()` because Anthropic's
 * versioning policy lets it add fields at any time (https://docs.anthropic.com/en/api/versioning);
 * block and delta types we do not know are accepted as such and skipped by the callers.
 */
import { z } from 'zod';

/**
 * https://docs.anthropic.com/en/api/messages (response `usage`). `input_tokens` excludes the
 * tokens read from or written to the prompt cache; the total prompt is the sum of all three.
 * In `message_delta` every field is a cumulative total and may be null or absent.
 */
export const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  /** A read-only breakdown of output_tokens (thinking tokens are part of output_tokens). */
  output_tokens_details: z.object({ thinking_tokens: z.number().nullish() }).loose().nullish(),
}).loose();
export type AnthropicUsage = z.infer<typeof usageSchema>;

/** The block types we read; any other type (server tools, citations, future ones) is skipped. */
export const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set(['text', 'tool_use', 'thinking', 'redacted_thinking']);

const textBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()).nullish() }).loose();
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string() }).loose();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking') }).loose();
const otherBlock = z.object({ type: z.string().refine((t) => !KNOWN_BLOCK_TYPES.has(t), 'malformed content block') }).loose();

/** A known block must be well-formed; an unknown one only needs a type. */
export const contentBlockSchema = z.union([textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock, otherBlock]);
export type ContentBlock = z.infer<typeof contentBlockSchema>;

/** https://docs.anthropic.com/en/api/messages — the non-streaming response. */
export const messageSchema = z.object({
  id: z.string(),
  type: z.literal('message').optional(),
  model: z.string(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: usageSchema,
}).loose();

/** https://docs.anthropic.com/en/api/errors — `{type:"error", error:{type, message}, request_id}`. */
export const errorBodySchema = z.object({
  type: z.literal('error').optional(),
  error: z.object({ type: z.string(), message: z.string().optional() }).loose(),
  request_id: z.string().nullish(),
}).loose();
export type AnthropicErrorBody = z.infer<typeof errorBodySchema>;

const KNOWN_DELTA_TYPES: ReadonlySet<string> = new Set(['text_delta', 'input_json_delta', 'thinking_delta', 'signature_delta']);

/** Deltas of a content block; `citations_delta` and future types only need a type. */
const deltaSchema = z.union([
  z.object({ type: z.literal('text_delta'), text: z.string() }).loose(),
  z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }).loose(),
  z.object({ type: z.literal('thinking_delta'), thinking: z.string() }).loose(),
  z.object({ type: z.literal('signature_delta'), signature: z.string() }).loose(),
  z.object({ type: z.string().refine((t) => !KNOWN_DELTA_TYPES.has(t), 'malformed delta') }).loose(),
]);

/**
 * The stream events, https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types:
 * message_start, content_block_start/delta/stop, message_delta, message_stop, ping and error.
 */
export const streamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string(), model: z.string(), usage: usageSchema.nullish() }).loose() }),
  z.object({ type: z.literal('content_block_start'), index: z.number().int().nonnegative(), content_block: contentBlockSchema }),
  z.object({ type: z.literal('content_block_delta'), index: z.number().int().nonnegative(), delta: deltaSchema }),
  z.object({ type: z.literal('content_block_stop'), index: z.number().int().nonnegative() }),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).loose(), usage: usageSchema.nullish() }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string().optional() }).loose(), request_id: z.string().nullish() }),
]);
export type StreamEvent = z.infer<typeof streamEventSchema>;

export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);
