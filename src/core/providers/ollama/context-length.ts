/**
 * Ollama's context length. Ollama cuts a prompt longer than its `num_ctx` without an error
 * (the default is a few thousand tokens, whatever the model was trained for), so a long
 * attachment would silently lose its beginning. The model's own limit comes from
 * `POST /api/show` (`model_info["<architecture>.context_length"]`, and `capabilities`, which
 * says whether the model takes images):
 * https://github.com/ollama/ollama/blob/main/docs/api.md#show-model-information
 * The request then carries `options.num_ctx` big enough for the prompt and the answer, capped by
 * the model's limit and by a setting (a large context costs memory on the user's machine).
 */
import { z } from 'zod';
import { requestJson } from '../../transport/http';
import type { Deployment } from '../../types/deployment';
import type { ChatRequest } from '../../types/request';
import { estimatePromptTokens } from '../../usage/estimate';
import { upstreamError } from '../shared';

/** What `/api/show` says about one model; fields it did not send stay undefined. */
export interface OllamaModelInfo {
  contextLength?: number;
  /** `completion`, `vision`, `tools`, `thinking`, ... (Ollama 0.6.4 and later). */
  capabilities?: string[];
}

const showSchema = z.object({
  model_info: z.record(z.string(), z.unknown()).optional(),
  capabilities: z.array(z.string()).optional(),
}).loose();

/** The smallest `num_ctx` sent: Ollama's own default, so a short prompt does not make it reload the model at another size. */
export const MIN_NUM_CTX = 4096;
/** Room kept for the answer when the request sets no `max_tokens`. */
export const DEFAULT_ANSWER_TOKENS = 2048;

export function parseShowResponse(body: unknown): OllamaModelInfo {
  const parsed = showSchema.safeParse(body);
  if (!parsed.success) return {};
  const info: OllamaModelInfo = {};
  for (const [key, value] of Object.entries(parsed.data.model_info ?? {})) {
    // The key is prefixed with the architecture: `llama.context_length`, `qwen2.context_length`, ...
    if (key.endsWith('.context_length') && typeof value === 'number' && Number.isInteger(value) && value > 0) info.contextLength = value;
  }
  if (parsed.data.capabilities) info.capabilities = parsed.data.capabilities;
  return info;
}

/**
 * The `num_ctx` for a prompt of `promptTokens`: prompt + answer, rounded up to a power of two (a
 * changed `num_ctx` reloads the model, so sizes are few and reused), at least MIN_NUM_CTX, at
 * most the model's limit and the cap. Undefined when nothing is known about the model's limit
 * and no cap is set: then Ollama's own setting stays in force.
 */
export function chooseNumCtx(opts: { promptTokens: number; answerTokens?: number; modelContextLength?: number; cap?: number }): number | undefined {
  const limits = [opts.modelContextLength, opts.cap].filter((n): n is number => typeof n === 'number' && n > 0);
  if (limits.length === 0) return undefined;
  const limit = Math.min(...limits);
  const need = opts.promptTokens + (opts.answerTokens ?? DEFAULT_ANSWER_TOKENS);
  let size = MIN_NUM_CTX;
  while (size < need) size *= 2;
  return Math.min(size, limit);
}

/**
 * A client's view of its Ollama deployments' context: what `/api/show` says about each model,
 * the window we give it, and the `num_ctx` a request goes out with. Not module state: each client
 * has its own; `cap` is read at each use, so a reconfigured client's setting applies at once.
 */
export class OllamaContext {
  private readonly cache = new OllamaModelInfoCache();

  constructor(private readonly cap: () => number | undefined) {}

  /** What `/api/show` says about the deployment's model (cached); empty when it does not answer. */
  info(dep: Deployment): Promise<OllamaModelInfo> {
    return this.cache.get(dep).catch(() => ({}));
  }

  /** The context window the deployment gets from us: its model's limit, capped by the setting. */
  async window(dep: Deployment): Promise<number | undefined> {
    const { contextLength } = await this.info(dep);
    const cap = this.cap();
    return contextLength && cap ? Math.min(contextLength, cap) : contextLength ?? cap;
  }

  /** The deployment `req` goes out with: one with a `num_ctx` that fits it, when one is known. */
  async sized(req: ChatRequest, dep: Deployment): Promise<Deployment> {
    const info = await this.info(dep);
    const numCtx = chooseNumCtx({ promptTokens: estimatePromptTokens(req.messages), answerTokens: req.max_tokens, modelContextLength: info.contextLength, cap: this.cap() });
    return numCtx ? { ...dep, providerOptions: { ...dep.providerOptions, num_ctx: numCtx } } : dep;
  }
}

/**
 * Remembers what `/api/show` said per Ollama server and model, for the life of a client (the
 * model behind a tag changes only when it is pulled again; a failed look-up is asked again the
 * next time).
 */
class OllamaModelInfoCache {
  private readonly known = new Map<string, Promise<OllamaModelInfo>>();

  constructor(private readonly timeoutMs = 3000) {}

  get(dep: Deployment): Promise<OllamaModelInfo> {
    const key = `${dep.apiBase}|${dep.model}`;
    let info = this.known.get(key);
    if (!info) {
      info = fetchOllamaModelInfo(dep, this.timeoutMs);
      this.known.set(key, info);
      info.catch(() => this.known.delete(key));
    }
    return info;
  }
}

export async function fetchOllamaModelInfo(dep: Deployment, timeoutMs = 3000): Promise<OllamaModelInfo> {
  if (!dep.apiBase) return {};
  const headers: Record<string, string> = { ...dep.headers };
  if (dep.apiKey) headers.authorization = `Bearer ${dep.apiKey}`;
  const body = await requestJson({ url: `${dep.apiBase}/api/show`, method: 'POST', headers, body: { model: dep.model } }, {
    provider: dep.provider, secrets: [dep.apiKey], headersTimeoutMs: timeoutMs, totalTimeoutMs: timeoutMs,
    parseError: (input) => upstreamError(input, dep),
  });
  return parseShowResponse(body);
}
