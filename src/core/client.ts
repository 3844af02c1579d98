/**
 * The core's entry point: one OpenAI-style interface (chat, streaming chat, text completion,
 * embeddings) over every configured deployment. It resolves the model, prepares the request,
 * lets the adapter translate, and sends through the one transport. Retries happen here, and only
 * before a stream has delivered anything.
 */
import type { CoreConfig, Env } from './config/load';
import { resolveModelId } from './config/resolve';
import { getPreset } from './providers/registry';
import type { HttpRequestSpec, ProviderAdapter, StreamDecoder } from './providers/adapter';
import type { ProviderPreset } from './providers/preset';
import { prepareChatRequest, unsupported } from './prepare';
import { frameStream } from './transport/framing';
import { bodyReadError, readJson, sendRequest, type FetchLike, type SentRequest } from './transport/http';
import { withRetries } from './transport/retry';
import type { Deployment } from './types/deployment';
import { AnyModelError, isAnyModelError } from './types/errors';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from './types/request';
import type { ChatResult, CompletionResult, EmbeddingResult, StreamPart } from './types/result';

export interface ClientOptions {
  env?: Env;
  fetch?: FetchLike;
  /** Accept `provider/model` ids that are not in the config (the CLI does; the proxy does not). */
  allowUnconfiguredModels?: boolean;
  /** Headers timeout; the total timeout comes from the deployment. */
  headersTimeoutMs?: number;
  /** Idle timeout between stream chunks when the deployment sets none. */
  streamIdleTimeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Answered<T> {
  value: T;
  deployment: Deployment;
  /** 1 when the first try answered. */
  attempts: number;
}

export interface StreamHandle {
  deployment: Deployment;
  attempts: number;
  /** The parts; stopping iteration early aborts the HTTP request. */
  parts: AsyncIterable<StreamPart>;
}

export class AnyModelClient {
  constructor(readonly config: CoreConfig, private readonly options: ClientOptions = {}) {}

  /** The model names clients can ask for (config model groups). */
  modelNames(): string[] {
    return [...new Set(this.config.deployments.map((d) => d.modelName))];
  }

  /** The deployment a model name resolves to: the group's first by `order`, or a bare provider/model id. */
  resolve(model: string): Deployment {
    const group = this.config.deployments.filter((d) => d.modelName === model);
    if (group.length) return group.reduce((a, b) => ((b.order ?? Infinity) < (a.order ?? Infinity) ? b : a));
    if (this.options.allowUnconfiguredModels) {
      return resolveModelId(model, { env: this.options.env ?? process.env, dropParams: this.config.settings.dropParams, timeoutMs: this.config.settings.requestTimeoutMs });
    }
    throw new AnyModelError({
      kind: 'NotFound',
      param: 'model',
      message: `Model "${model}" is not configured. Available: ${this.modelNames().join(', ') || '(none)'}`,
    });
  }

  async chat(req: ChatRequest, opts: CallOptions = {}): Promise<Answered<ChatResult>> {
    const dep = this.resolve(req.model);
    const { adapter } = this.checked(dep);
    const prepared = prepareChatRequest({ ...req, stream: false }, dep, adapter.capabilities(dep));
    const spec = adapter.buildChatRequest(prepared, dep, false);
    return this.sendJson(dep, spec, opts, (body) => adapter.parseChatResponse(body, dep));
  }

  async streamChat(req: ChatRequest, opts: CallOptions = {}): Promise<StreamHandle> {
    const dep = this.resolve(req.model);
    const { adapter } = this.checked(dep);
    const prepared = prepareChatRequest({ ...req, stream: true }, dep, adapter.capabilities(dep));
    const spec = adapter.buildChatRequest(prepared, dep, true);
    return this.sendStream(dep, adapter, spec, opts, () => adapter.createStreamDecoder(dep, prepared));
  }

  async complete(req: CompletionRequest, opts: CallOptions = {}): Promise<Answered<CompletionResult>> {
    const dep = this.resolve(req.model);
    const { adapter } = this.checked(dep);
    if (!adapter.capabilities(dep).completions || !adapter.buildCompletionRequest || !adapter.parseCompletionResponse) throw unsupported(dep, 'the text completion endpoint');
    const spec = adapter.buildCompletionRequest(withDefaults(req, dep), dep, false);
    const parse = adapter.parseCompletionResponse.bind(adapter);
    return this.sendJson(dep, spec, opts, (body) => parse(body, dep));
  }

  async streamComplete(req: CompletionRequest, opts: CallOptions = {}): Promise<StreamHandle> {
    const dep = this.resolve(req.model);
    const { adapter } = this.checked(dep);
    if (!adapter.capabilities(dep).completions || !adapter.buildCompletionRequest || !adapter.createCompletionStreamDecoder) throw unsupported(dep, 'streamed text completion');
    const spec = adapter.buildCompletionRequest(withDefaults(req, dep), dep, true);
    const decoder = adapter.createCompletionStreamDecoder.bind(adapter);
    return this.sendStream(dep, adapter, spec, opts, () => decoder(dep));
  }

  async embed(req: EmbeddingRequest, opts: CallOptions = {}): Promise<Answered<EmbeddingResult>> {
    const dep = this.resolve(req.model);
    const { adapter } = this.checked(dep);
    if (!adapter.capabilities(dep).embeddings || !adapter.buildEmbeddingRequest || !adapter.parseEmbeddingResponse) throw unsupported(dep, 'embeddings');
    const spec = adapter.buildEmbeddingRequest(req, dep);
    const parse = adapter.parseEmbeddingResponse.bind(adapter);
    return this.sendJson(dep, spec, opts, (body) => parse(body, dep, req));
  }

  /** The adapter for a deployment, after checking that a key is there when the provider needs one. */
  private checked(dep: Deployment): ProviderPreset {
    const preset = getPreset(dep.provider);
    if (preset.keyRequired && !dep.apiKey && !dep.azureAdToken) {
      throw new AnyModelError({
        kind: 'Authentication',
        provider: dep.provider,
        model: dep.model,
        message: `No API key for ${dep.provider} (${dep.modelName}). Set ${preset.apiKeyEnv.join(' or ') || 'api_key'} or litellm_params.api_key.`,
      });
    }
    return preset;
  }

  private send(dep: Deployment, spec: HttpRequestSpec, opts: CallOptions, adapter: ProviderAdapter): Promise<SentRequest> {
    return sendRequest(spec, {
      provider: dep.provider,
      secrets: [dep.apiKey, dep.azureAdToken],
      headersTimeoutMs: this.options.headersTimeoutMs ?? dep.timeoutMs,
      totalTimeoutMs: dep.timeoutMs,
      signal: opts.signal,
      fetch: this.options.fetch,
      parseError: (input) => adapter.parseError(input, dep),
    });
  }

  private async sendJson<T>(dep: Deployment, spec: HttpRequestSpec, opts: CallOptions, parse: (body: unknown) => T): Promise<Answered<T>> {
    const adapter = getPreset(dep.provider).adapter;
    let attempts = 0;
    const value = await withRetries(async () => {
      attempts++;
      const sent = await this.send(dep, spec, opts, adapter);
      return parse(await readJson(sent, dep.provider));
    }, { maxRetries: this.config.settings.numRetries }, opts.signal);
    return { value, deployment: dep, attempts };
  }

  private async sendStream(dep: Deployment, adapter: ProviderAdapter, spec: HttpRequestSpec, opts: CallOptions, decoder: () => StreamDecoder): Promise<StreamHandle> {
    let attempts = 0;
    // Retries cover only the exchange up to the response headers; once the body flows, never again.
    const sent = await withRetries(async () => {
      attempts++;
      return this.send(dep, spec, opts, adapter);
    }, { maxRetries: this.config.settings.numRetries }, opts.signal);
    const idleTimeoutMs = dep.streamIdleTimeoutMs ?? this.options.streamIdleTimeoutMs;
    return { deployment: dep, attempts, parts: streamParts(sent, adapter, decoder(), dep.provider, idleTimeoutMs) };
  }
}

/** Adapter stream events → stream parts. Any failure becomes a final `error` part; an early stop aborts the request. */
async function* streamParts(sent: SentRequest, adapter: ProviderAdapter, decoder: StreamDecoder, provider: string, idleTimeoutMs?: number): AsyncGenerator<StreamPart> {
  const body = sent.response.body;
  let completed = false;
  try {
    if (!body) throw new AnyModelError({ kind: 'BadGateway', provider, message: `${provider} answered a stream request with no body` });
    for await (const event of frameStream(body, adapter.streamFormat, { provider, idleTimeoutMs })) {
      for (const part of decoder.onEvent(event)) yield part;
    }
    for (const part of decoder.onEnd()) yield part;
    completed = true;
  } catch (err) {
    completed = true;
    yield { type: 'error', error: isAnyModelError(err) ? err : bodyReadError(err, provider) };
  } finally {
    if (completed) sent.done();
    else sent.abort();
  }
}

function withDefaults<T extends object>(req: T, dep: Deployment): T {
  return { ...(dep.defaults as Partial<T>), ...req };
}
