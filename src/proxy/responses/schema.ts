/**
 * The core of the OpenAI Responses API request (https://platform.openai.com/docs/api-reference/responses/create):
 * `input` as a string or items (messages, `function_call`, `function_call_output`, images),
 * `instructions`, function tools, `tool_choice`, `text.format`, `reasoning.effort`,
 * `max_output_tokens`, `stream`, `previous_response_id` and `store`. A field outside it is a 400
 * naming the field (see `parseClientBody`).
 */
import { z } from 'zod';

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.object({
  type: z.literal('input_image'),
  image_url: z.string().min(1, 'input_image needs an image_url (file_id is not supported by this proxy)'),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
/** Earlier assistant output sent back as input. */
const outputText = z.object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.unknown()).optional(), logprobs: z.array(z.unknown()).optional() });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const messageItemSchema = z.object({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  status: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage, outputText, refusal]))]),
});

const functionCallItem = z.object({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: z.string().optional(),
});

const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(inputText)]),
  status: z.string().optional(),
});

/** A reasoning item from an earlier output: its summary is the model's own, not input; it is skipped. */
const reasoningItem = z.object({ type: z.literal('reasoning'), id: z.string().optional(), summary: z.array(z.unknown()).optional(), encrypted_content: z.string().nullish() });

export const inputItemSchema = z.union([
  messageItemSchema,
  z.discriminatedUnion('type', [functionCallItem, functionCallOutputItem, reasoningItem]),
]);
export type InputItem = z.infer<typeof inputItemSchema>;

export const functionToolSchema = z.object({
  type: z.literal('function', { error: 'only function tools are supported by this proxy' }),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

export const textFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), name: z.string(), schema: z.record(z.string(), z.unknown()), description: z.string().optional(), strict: z.boolean().nullish() }),
]);

export const responsesRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItemSchema).min(1)]),
  instructions: z.string().nullish(),
  tools: z.array(functionToolSchema).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string() })]).optional(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormatSchema.optional() }).optional(),
  reasoning: z.object({ effort: z.enum(['minimal', 'low', 'medium', 'high']).nullish(), summary: z.enum(['auto', 'concise', 'detailed']).nullish() }).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().optional(),
  truncation: z.literal('disabled', { error: 'only truncation "disabled" is supported by this proxy' }).nullish(),
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** Fields with no effect on the answer that clients send routinely; accepted and ignored. */
export const IGNORED_FIELDS: ReadonlySet<string> = new Set(['service_tier', 'prompt_cache_key', 'safety_identifier', 'include', 'stream_options']);
