/**
 * Unified request → OpenAI request body. The unified request already is OpenAI's shape, so this
 * mostly copies the fields a server understands, in the names it wants.
 * https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from '../../types/request';
import type { Deployment } from '../../types/deployment';

export interface BodyOptions {
  /** Models that reject `max_tokens` and want `max_completion_tokens` (o-series, gpt-5). */
  useMaxCompletionTokens: boolean;
  /** Ask for the final usage chunk (`stream_options.include_usage`); some older servers reject the field. */
  streamUsage: boolean;
}

const PASS_THROUGH = [
  'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'temperature', 'top_p',
  'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'user',
] as const;

export function chatBody(req: ChatRequest, dep: Deployment, stream: boolean, opts: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: dep.model, messages: req.messages };
  for (const key of PASS_THROUGH) if (req[key] !== undefined) body[key] = req[key];
  if (req.max_tokens !== undefined) body[opts.useMaxCompletionTokens ? 'max_completion_tokens' : 'max_tokens'] = req.max_tokens;
  if (stream) {
    body.stream = true;
    // Always ask for usage: accounting needs it even when the caller did not ask for it.
    if (opts.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

export function completionBody(req: CompletionRequest, dep: Deployment, stream: boolean, opts: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: dep.model, prompt: req.prompt };
  for (const key of ['suffix', 'echo', 'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'user'] as const) {
    if (req[key] !== undefined) body[key] = req[key];
  }
  if (stream) {
    body.stream = true;
    if (opts.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

export function embeddingBody(req: EmbeddingRequest, dep: Deployment): Record<string, unknown> {
  // Floats are asked for whatever the caller wants: the proxy re-encodes for its own client.
  const body: Record<string, unknown> = { model: dep.model, input: req.input, encoding_format: 'float' };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (req.user !== undefined) body.user = req.user;
  return body;
}

/** o1/o3/o4 and gpt-5 reasoning models refuse `max_tokens` (https://platform.openai.com/docs/guides/reasoning). */
export function wantsMaxCompletionTokens(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}
