/**
 * The Google Gemini API (Generative Language API) adapter. https://ai.google.dev/api
 * The key travels in the `x-goog-api-key` header, never in the URL (docs/architecture.md#keys).
 */
import { z } from 'zod';
import type { HttpRequestSpec, ProviderAdapter } from '../adapter';
import type { Deployment } from '../../types/deployment';
import { makeUsage } from '../../types/result';
import { AnyModelError } from '../../types/errors';
import { parseProviderBody } from '../shared';
import { generateContentBody } from './convert-request';
import { toChatResult } from './map-response';
import { createStreamDecoder } from './stream-decoder';
import { parseGeminiError } from './errors';

function request(dep: Deployment, method: string, body: unknown, query = ''): HttpRequestSpec {
  if (!dep.apiBase) throw new AnyModelError({ kind: 'BadRequest', provider: 'gemini', param: 'api_base', message: 'gemini needs an api_base' });
  const headers: Record<string, string> = { ...dep.headers };
  if (dep.apiKey) headers['x-goog-api-key'] = dep.apiKey;
  return { url: `${dep.apiBase}/v1beta/models/${encodeURIComponent(dep.model)}:${method}${query}`, method: 'POST', headers, body };
}

const embedResponseSchema = z.object({ embeddings: z.array(z.object({ values: z.array(z.number()) })) });

export const geminiAdapter: ProviderAdapter = {
  family: 'gemini',
  streamFormat: 'sse',
  capabilities: () => ({
    chat: true, streaming: true, tools: true, vision: true, embeddings: true, completions: false,
    params: new Set(['tools', 'tool_choice', 'response_format', 'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'presence_penalty', 'frequency_penalty'] as const),
  }),
  buildChatRequest: (req, dep, stream) => request(dep, stream ? 'streamGenerateContent' : 'generateContent', generateContentBody(req, dep), stream ? '?alt=sse' : ''),
  parseChatResponse: toChatResult,
  createStreamDecoder: (dep) => createStreamDecoder(dep),
  // https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
  buildEmbeddingRequest(req, dep) {
    const inputs = typeof req.input === 'string' ? [req.input] : req.input;
    return request(dep, 'batchEmbedContents', {
      requests: inputs.map((text) => ({ model: `models/${dep.model}`, content: { parts: [{ text }] }, ...(req.dimensions ? { outputDimensionality: req.dimensions } : {}) })),
    });
  },
  parseEmbeddingResponse(body, dep) {
    const r = parseProviderBody(embedResponseSchema, body, dep, 'embedding response');
    // batchEmbedContents reports no token counts.
    return { model: dep.model, data: r.embeddings.map((e, index) => ({ index, embedding: e.values })), usage: makeUsage(0, 0) };
  },
  parseError: parseGeminiError,
};
