/**
 * The OpenAI adapter, and the base every OpenAI-compatible server reuses
 * (docs/architecture.md#the-adapter-contract): a preset changes only the URLs, the auth headers and
 * documented capability differences.
 */
import type { Capabilities, HttpRequestSpec, ProviderAdapter, UpstreamErrorInput } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { OptionalChatParam } from '../../types/request';
import { OPTIONAL_CHAT_PARAMS } from '../../types/request';
import { AnyModelError } from '../../types/errors';
import { upstreamError } from '../shared';
import { chatBody, completionBody, embeddingBody, wantsMaxCompletionTokens } from './convert-request';
import { parseChatResponse, parseCompletionResponse, parseEmbeddingResponse } from './map-response';
import { createChatStreamDecoder, createCompletionStreamDecoder } from './stream-decoder';

export interface OpenAICompatibleOptions {
  family: string;
  /** Full URL for an endpoint path such as `/chat/completions`. */
  url(dep: Deployment, path: '/chat/completions' | '/completions' | '/embeddings'): string;
  authHeaders(dep: Deployment): Record<string, string>;
  capabilities?: Partial<Omit<Capabilities, 'params'>> & { unsupportedParams?: readonly OptionalChatParam[] };
  /** Whether `max_tokens` must be sent as `max_completion_tokens` for this model. */
  maxCompletionTokens?(model: string): boolean;
  /** Send `stream_options.include_usage` (default true). */
  streamUsage?: boolean;
}

/** Every optional parameter but Anthropic's `thinking`, which prepare turns into reasoning_effort here. */
export const ALL_PARAMS: ReadonlySet<OptionalChatParam> = new Set(OPTIONAL_CHAT_PARAMS.filter((p) => p !== 'thinking'));

export function createOpenAICompatibleAdapter(opts: OpenAICompatibleOptions): ProviderAdapter {
  const unsupported = new Set(opts.capabilities?.unsupportedParams ?? []);
  const caps: Capabilities = {
    chat: true,
    streaming: true,
    tools: true,
    vision: true,
    embeddings: true,
    completions: true,
    ...opts.capabilities,
    params: new Set([...ALL_PARAMS].filter((p) => !unsupported.has(p))),
  };
  const bodyOptions = (dep: Deployment) => ({ useMaxCompletionTokens: opts.maxCompletionTokens?.(dep.model) ?? false, streamUsage: opts.streamUsage ?? true, choices: caps.choices ?? false });
  const request = (dep: Deployment, path: Parameters<OpenAICompatibleOptions['url']>[1], body: unknown): HttpRequestSpec => {
    if (!dep.apiBase) {
      throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, model: dep.model, param: 'api_base', message: `${dep.provider}/${dep.model} needs an api_base (the server's URL, including /v1)` });
    }
    return { url: opts.url(dep, path), method: 'POST', headers: { ...opts.authHeaders(dep), ...dep.headers }, body };
  };

  return {
    family: opts.family,
    streamFormat: 'sse',
    capabilities: () => caps,
    buildChatRequest: (req, dep, stream) => request(dep, '/chat/completions', chatBody(req, dep, stream, bodyOptions(dep))),
    parseChatResponse,
    createStreamDecoder: (dep) => createChatStreamDecoder(dep),
    buildEmbeddingRequest: (req, dep) => request(dep, '/embeddings', embeddingBody(req, dep)),
    parseEmbeddingResponse,
    buildCompletionRequest: (req, dep, stream) => request(dep, '/completions', completionBody(req, dep, stream, bodyOptions(dep))),
    parseCompletionResponse,
    createCompletionStreamDecoder: (dep) => createCompletionStreamDecoder(dep),
    parseError: (input: UpstreamErrorInput, dep: Deployment) => upstreamError(input, dep),
  };
}

/** `Authorization: Bearer <key>` when there is a key (local servers often have none). */
export function bearerAuth(dep: Deployment): Record<string, string> {
  return dep.apiKey ? { authorization: `Bearer ${dep.apiKey}` } : {};
}

/** The plain OpenAI API. */
export const openaiAdapter = createOpenAICompatibleAdapter({
  family: 'openai',
  url: (dep, path) => `${dep.apiBase}${path}`,
  authHeaders: bearerAuth,
  maxCompletionTokens: wantsMaxCompletionTokens,
  // https://platform.openai.com/docs/api-reference/chat/create#chat-create-n
  capabilities: { choices: true },
});
