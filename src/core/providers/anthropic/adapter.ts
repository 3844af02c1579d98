/**
 * The Anthropic Messages API adapter. https://docs.anthropic.com/en/api/messages
 * `POST {api_base}/v1/messages` with `x-api-key` and `anthropic-version`. Anthropic has no
 * embeddings endpoint (it points to Voyage AI) and no text completion endpoint for current models,
 * so both are declared absent.
 */
import { z } from 'zod';
import type { Capabilities, HttpRequestSpec, ProviderAdapter } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { ChatRequest, OptionalChatParam } from '../../types/request';
import { parseProviderBody } from '../shared';
import { AnyModelError } from '../../types/errors';
import { messagesBody } from './convert-request';
import { parseMessage } from './map-response';
import { createStreamDecoder } from './stream-decoder';
import { parseAnthropicError } from './errors';
import { supportsStructuredOutputs } from './models';

/** https://docs.anthropic.com/en/api/versioning — the current (and only recommended) version. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** No seed, no presence/frequency penalties in the Messages API; reasoning_effort becomes a thinking budget. */
const BASE_PARAMS: readonly OptionalChatParam[] = ['tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'max_tokens', 'stop', 'user', 'reasoning_effort', 'thinking'];
const PARAMS = new Set<OptionalChatParam>(BASE_PARAMS);
const PARAMS_WITH_FORMAT = new Set<OptionalChatParam>([...BASE_PARAMS, 'response_format']);

export function anthropicCapabilities(dep: Deployment): Capabilities {
  return {
    chat: true,
    streaming: true,
    tools: true,
    vision: true,
    embeddings: false,
    completions: false,
    params: supportsStructuredOutputs(dep.model) ? PARAMS_WITH_FORMAT : PARAMS,
    promptCaching: true,
  };
}

/**
 * `{api_base}/v1/messages`; an api_base that already ends in `/v1/messages` is used as it is
 * (LiteLLM's AnthropicConfig.get_complete_url does the same).
 */
export function messagesUrl(apiBase: string): string {
  return /\/v1\/messages$/.test(apiBase) ? apiBase : `${apiBase}/v1/messages`;
}

/** The fields `POST /v1/messages/count_tokens` takes (https://docs.anthropic.com/en/api/messages-count-tokens): no max_tokens, no sampling. */
const COUNT_TOKENS_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'] as const;
const countSchema = z.object({ input_tokens: z.number().int().nonnegative() });

function messagesRequest(req: ChatRequest, dep: Deployment, stream: boolean): HttpRequestSpec {
  if (!dep.apiBase) {
    throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, model: dep.model, param: 'api_base', message: `${dep.provider}/${dep.model} needs an api_base (https://api.anthropic.com)` });
  }
  // Configured headers may add e.g. `anthropic-beta`; the key header is always ours.
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, ...dep.headers };
  if (dep.apiKey) headers['x-api-key'] = dep.apiKey;
  return { url: messagesUrl(dep.apiBase), method: 'POST', headers, body: messagesBody(req, dep, stream) };
}

export const anthropicAdapter: ProviderAdapter = {
  family: 'anthropic',
  streamFormat: 'sse',
  capabilities: anthropicCapabilities,
  buildChatRequest: messagesRequest,
  buildCountTokensRequest(req, dep) {
    const spec = messagesRequest(req, dep, false);
    const full = spec.body as Record<string, unknown>;
    const body = Object.fromEntries(COUNT_TOKENS_FIELDS.filter((k) => full[k] !== undefined).map((k) => [k, full[k]]));
    return { ...spec, url: `${spec.url}/count_tokens`, body };
  },
  parseCountTokensResponse: (body, dep) => parseProviderBody(countSchema, body, dep, 'token count').input_tokens,
  parseChatResponse: parseMessage,
  createStreamDecoder: (dep) => createStreamDecoder(dep),
  parseError: parseAnthropicError,
};
