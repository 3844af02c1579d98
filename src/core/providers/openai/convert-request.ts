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
  /** The server answers `n` > 1 itself; others (Groq: "n must be 1") refuse it, so it is not sent there. */
  choices: boolean;
}

const PASS_THROUGH = [
  'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'temperature', 'top_p',
  'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'user',
] as const;

export function chatBody(req: ChatRequest, dep: Deployment, stream: boolean, opts: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: dep.model, messages: withoutAnthropicFields(req.messages) };
  for (const key of PASS_THROUGH) if (req[key] !== undefined) body[key] = req[key];
  if (req.tools?.some((t) => t.cache_control)) body.tools = req.tools.map(({ cache_control: _, ...t }) => t);
  if (req.max_tokens !== undefined) body[opts.useMaxCompletionTokens ? 'max_completion_tokens' : 'max_tokens'] = req.max_tokens;
  if (req.n !== undefined && req.n > 1 && !stream && opts.choices) body.n = req.n;
  if (stream) {
    body.stream = true;
    // Always ask for usage: accounting needs it even when the caller did not ask for it.
    if (opts.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

/**
 * The unified request's Anthropic fields (`cache_control` on parts, `thinking_blocks` and echoed
 * `reasoning_content` on assistant turns) are not OpenAI's: OpenAI caches prompts by itself and
 * rejects unknown fields. The messages are copied only when one of them is there.
 */
function withoutAnthropicFields(messages: ChatRequest['messages']): ChatRequest['messages'] {
  const extra = (m: ChatRequest['messages'][number]) =>
    (m.role === 'assistant' && (m.thinking_blocks !== undefined || m.reasoning_content !== undefined)) ||
    (Array.isArray(m.content) && m.content.some((p) => p.cache_control !== undefined));
  if (!messages.some(extra)) return messages;
  return messages.map((m) => {
    if (!extra(m)) return m;
    const copy = { ...m } as Record<string, unknown>;
    delete copy.thinking_blocks;
    delete copy.reasoning_content;
    if (Array.isArray(m.content)) copy.content = m.content.map(({ cache_control: _, ...p }) => p);
    return copy as ChatRequest['messages'][number];
  });
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
