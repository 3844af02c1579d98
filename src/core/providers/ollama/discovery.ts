/**
 * Lists the models a local Ollama has pulled (`GET /api/tags`).
 * https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models
 */
import { z } from 'zod';
import type { HttpRequestSpec } from '../adapter';
import { requestJson } from '../../transport/http';
import { upstreamError } from '../shared';
import { AnyModelError } from '../../types/errors';

const tagsSchema = z.object({
  models: z.array(z.object({
    name: z.string(),
    model: z.string().optional(),
    size: z.number().optional(),
    details: z.object({ family: z.string().optional(), parameter_size: z.string().optional(), quantization_level: z.string().optional() }).loose().optional(),
  }).loose()),
});

export type OllamaModel = z.infer<typeof tagsSchema>['models'][number];

export function buildTagsRequest(apiBase: string): HttpRequestSpec {
  return { url: `${apiBase.replace(/\/+$/, '')}/api/tags`, method: 'GET', headers: {} };
}

export function parseTagsResponse(body: unknown): OllamaModel[] {
  const parsed = tagsSchema.safeParse(body);
  if (!parsed.success) throw new AnyModelError({ kind: 'BadGateway', provider: 'ollama', message: `ollama sent an unexpected model list: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
  return parsed.data.models;
}

export async function discoverOllamaModels(apiBase: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<OllamaModel[]> {
  const dep = { id: 'ollama', modelName: 'ollama', provider: 'ollama', model: '' };
  const body = await requestJson(buildTagsRequest(apiBase), {
    provider: 'ollama', secrets: [], signal: opts.signal,
    headersTimeoutMs: opts.timeoutMs ?? 3000, totalTimeoutMs: opts.timeoutMs ?? 3000,
    parseError: (input) => upstreamError(input, dep),
  });
  return parseTagsResponse(body);
}
