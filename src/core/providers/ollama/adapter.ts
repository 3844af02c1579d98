/**
 * Ollama's native API. https://github.com/ollama/ollama/blob/main/docs/api.md
 * Both `ollama/` and `ollama_chat/` use /api/chat (LiteLLM's `ollama/` uses /api/generate): the
 * chat endpoint applies the model's chat template, tools and images, which is what a chat wants.
 * /api/generate serves the text completion endpoint.
 */
import { z } from 'zod';
import type { HttpRequestSpec, ProviderAdapter } from '../adapter';
import type { Deployment } from '../../types/deployment';
import { makeUsage } from '../../types/result';
import { AnyModelError } from '../../types/errors';
import { parseProviderBody } from '../shared';
import { chatBody, generateBody } from './convert-request';
import { toChatResult, toCompletionResult } from './map-response';
import { createStreamDecoder } from './stream-decoder';
import { ollamaError } from './errors';

function request(dep: Deployment, path: string, body: unknown): HttpRequestSpec {
  if (!dep.apiBase) throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'api_base', message: 'ollama needs an api_base' });
  // A key is only sent when configured: Ollama behind an auth proxy, or ollama.com.
  const headers: Record<string, string> = { ...dep.headers };
  if (dep.apiKey) headers.authorization = `Bearer ${dep.apiKey}`;
  return { url: `${dep.apiBase}${path}`, method: 'POST', headers, body };
}

const embedSchema = z.object({ model: z.string().optional(), embeddings: z.array(z.array(z.number())), prompt_eval_count: z.number().optional() });

export const ollamaAdapter: ProviderAdapter = {
  family: 'ollama',
  streamFormat: 'ndjson',
  // Tools and images depend on the model; Ollama refuses them with a clear error where unsupported.
  capabilities: () => ({
    chat: true, streaming: true, tools: true, vision: true, embeddings: true, completions: true,
    params: new Set(['tools', 'tool_choice', 'response_format', 'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'presence_penalty', 'frequency_penalty'] as const),
  }),
  buildChatRequest: (req, dep, stream) => request(dep, '/api/chat', chatBody(req, dep, stream)),
  parseChatResponse: toChatResult,
  createStreamDecoder: (dep) => createStreamDecoder(dep, 'chat'),
  buildCompletionRequest: (req, dep, stream) => request(dep, '/api/generate', generateBody(req, dep, stream)),
  parseCompletionResponse: toCompletionResult,
  createCompletionStreamDecoder: (dep) => createStreamDecoder(dep, 'generate'),
  // https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings
  buildEmbeddingRequest: (req, dep) => request(dep, '/api/embed', { model: dep.model, input: req.input, ...(req.dimensions ? { dimensions: req.dimensions } : {}), ...(dep.providerOptions?.keep_alive !== undefined ? { keep_alive: dep.providerOptions.keep_alive } : {}) }),
  parseEmbeddingResponse(body, dep) {
    const r = parseProviderBody(embedSchema, body, dep, 'embedding response');
    return { model: r.model ?? dep.model, data: r.embeddings.map((embedding, index) => ({ index, embedding })), usage: makeUsage(r.prompt_eval_count ?? 0, 0) };
  },
  parseError: (input, dep) => ollamaError(input.status, input.body, dep),
};
