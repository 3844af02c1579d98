/** Anthropic Messages API adapter and preset. https://docs.anthropic.com/en/api/messages */
import type { ProviderAdapter } from '../adapter';
import type { ProviderPreset } from '../preset';
import { AnyModelError } from '../../types/errors';
import { messagesBody } from './convert-request';
import { parseMessage } from './map-response';
import { createStreamDecoder } from './stream-decoder';
import { parseAnthropicError } from './errors';

/** https://docs.anthropic.com/en/api/versioning */
export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicAdapter: ProviderAdapter = {
  family: 'anthropic',
  streamFormat: 'sse',
  capabilities: () => ({
    chat: true, streaming: true, tools: true, vision: true, embeddings: false, completions: false,
    // No seed, penalties or OpenAI-style response_format in the Messages API.
    params: new Set(['tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'max_tokens', 'stop', 'user'] as const),
  }),
  buildChatRequest(req, dep, stream) {
    if (!dep.apiBase) throw new AnyModelError({ kind: 'BadRequest', provider: 'anthropic', param: 'api_base', message: 'anthropic needs an api_base' });
    const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, ...dep.headers };
    if (dep.apiKey) headers['x-api-key'] = dep.apiKey;
    return { url: `${dep.apiBase}/v1/messages`, method: 'POST', headers, body: messagesBody(req, dep, stream) };
  },
  parseChatResponse: parseMessage,
  createStreamDecoder: (dep) => createStreamDecoder(dep),
  parseError: parseAnthropicError,
};

export const anthropicPresets: Record<string, ProviderPreset> = {
  anthropic: { adapter: anthropicAdapter, defaultApiBase: 'https://api.anthropic.com', apiKeyEnv: ['ANTHROPIC_API_KEY'], apiBaseEnv: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'], keyRequired: true, local: false, docs: 'https://docs.anthropic.com/en/api/messages' },
};
