/**
 * One attempt with one deployment: the request translated by the deployment's adapter, sent over
 * the transport, the answer translated back. The client (client.ts) puts the budget, the response
 * cache, the router and the accounting around it; the router calls these once per attempt.
 *
 * None of these functions is async: each returns the transport's promise chained with the parse,
 * so an attempt keeps no frame of its own while the request is in flight
 * (docs/architecture.md#one-proxy-request).
 */
import { getPreset, keyedAdapter } from './providers/registry';
import type { HttpRequestSpec, ProviderAdapter, StreamDecoder } from './providers/adapter';
import { prepareChatRequest, unsupported, withWarningParts, withWarnings } from './prepare';
import { requestJson, sendRequest, type SendOptions } from './transport/http';
import { OllamaContext, type OllamaModelInfo } from './providers/ollama/context-length';
import { streamParts, type StreamObserver } from './stream';
import type { AbortLike } from './types/abort';
import type { Deployment } from './types/deployment';
import { AnyModelError } from './types/errors';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from './types/request';
import type { ChatResult, CompletionResult, EmbeddingResult, StreamPart } from './types/result';

/** The client options an exchange reads, at the time of each attempt (they change on `reconfigure`). */
export interface ExchangeOptions {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
  ollamaMaxContextTokens?: number;
}

/** A stream whose headers arrived (the router may no longer retry it), waiting for its observer. */
export interface OpenStream {
  parts(observer: StreamObserver): AsyncIterable<StreamPart>;
}

export class Exchange {
  private readonly ollama: OllamaContext;

  constructor(private readonly options: () => ExchangeOptions) {
    this.ollama = new OllamaContext(() => this.options().ollamaMaxContextTokens);
  }

  chat(req: ChatRequest, dep: Deployment, signal: AbortLike | undefined): Promise<ChatResult> {
    const adapter = keyedAdapter(dep);
    const prepared = prepareChatRequest(req, dep, adapter.capabilities(dep), false);
    return this.sized(prepared, dep, adapter, (sized) =>
      this.sendJson(dep, adapter, adapter.buildChatRequest(prepared, sized, false), signal, (body) => withWarnings(adapter.parseChatResponse(body, dep), prepared)));
  }

  streamChat(req: ChatRequest, dep: Deployment, signal: AbortLike | undefined): Promise<OpenStream> {
    const adapter = keyedAdapter(dep);
    const prepared = prepareChatRequest(req, dep, adapter.capabilities(dep), true);
    return this.sized(prepared, dep, adapter, (sized) =>
      this.openStream(dep, adapter, adapter.buildChatRequest(prepared, sized, true), signal, () => withWarningParts(adapter.createStreamDecoder(dep, prepared), prepared)));
  }

  complete(req: CompletionRequest, dep: Deployment, signal: AbortLike | undefined): Promise<CompletionResult> {
    const adapter = keyedAdapter(dep);
    if (!adapter.capabilities(dep).completions || !adapter.buildCompletionRequest || !adapter.parseCompletionResponse) throw unsupported(dep, 'the text completion endpoint');
    const parse = adapter.parseCompletionResponse.bind(adapter);
    return this.sendJson(dep, adapter, adapter.buildCompletionRequest(withDefaults(req, dep), dep, false), signal, (body) => parse(body, dep));
  }

  streamComplete(req: CompletionRequest, dep: Deployment, signal: AbortLike | undefined): Promise<OpenStream> {
    const adapter = keyedAdapter(dep);
    if (!adapter.capabilities(dep).completions || !adapter.buildCompletionRequest || !adapter.createCompletionStreamDecoder) throw unsupported(dep, 'streamed text completion');
    const decoder = adapter.createCompletionStreamDecoder.bind(adapter);
    return this.openStream(dep, adapter, adapter.buildCompletionRequest(withDefaults(req, dep), dep, true), signal, () => decoder(dep));
  }

  embed(req: EmbeddingRequest, dep: Deployment, signal: AbortLike | undefined): Promise<EmbeddingResult> {
    const adapter = keyedAdapter(dep);
    if (!adapter.capabilities(dep).embeddings || !adapter.buildEmbeddingRequest || !adapter.parseEmbeddingResponse) throw unsupported(dep, 'embeddings');
    const parse = adapter.parseEmbeddingResponse.bind(adapter);
    return this.sendJson(dep, adapter, adapter.buildEmbeddingRequest(req, dep), signal, (body) => parse(body, dep, req));
  }

  /**
   * The input tokens the provider counts for a chat request (Anthropic's count_tokens); undefined
   * when its adapter has no such endpoint or that provider's server lacks it (404). Only a
   * provider that counts needs the key: no key is asked for otherwise.
   */
  async countTokens(req: ChatRequest, dep: Deployment, signal: AbortLike | undefined): Promise<number | undefined> {
    const adapter = getPreset(dep.provider).adapter;
    if (!adapter.buildCountTokensRequest || !adapter.parseCountTokensResponse) return undefined;
    keyedAdapter(dep);
    const parse = adapter.parseCountTokensResponse.bind(adapter);
    const prepared = prepareChatRequest(req, dep, adapter.capabilities(dep), false);
    try {
      return await this.sendJson(dep, adapter, adapter.buildCountTokensRequest(prepared, dep), signal, (body) => parse(body, dep));
    } catch (err) {
      if (err instanceof AnyModelError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  /** What `/api/show` says about an Ollama deployment's model (cached); empty when it does not answer. */
  ollamaModelInfo(dep: Deployment): Promise<OllamaModelInfo> {
    return this.ollama.info(dep);
  }

  /** The context window an Ollama deployment gets from us: its model's limit, capped by the option. */
  ollamaContextWindow(dep: Deployment): Promise<number | undefined> {
    return this.ollama.window(dep);
  }

  /**
   * `next` with the deployment for this request: an Ollama one with a `num_ctx` that fits the
   * prompt, unless the config fixed one (Ollama cuts a longer prompt without an error:
   * providers/ollama/context-length.ts). Any other goes on at once, without a promise to wait for.
   */
  private sized<T>(req: ChatRequest, dep: Deployment, adapter: ProviderAdapter, next: (dep: Deployment) => Promise<T>): Promise<T> {
    if (adapter.family !== 'ollama' || dep.providerOptions?.num_ctx !== undefined) return next(dep);
    return this.ollama.sized(req, dep).then(next);
  }

  private sendJson<T>(dep: Deployment, adapter: ProviderAdapter, spec: HttpRequestSpec, signal: AbortLike | undefined, parse: (body: unknown) => T): Promise<T> {
    return requestJson(spec, this.sendOptions(dep, adapter, signal)).then(parse);
  }

  /** Resolves once the response headers arrived; the parts start once the caller has its observer. */
  private async openStream(dep: Deployment, adapter: ProviderAdapter, spec: HttpRequestSpec, signal: AbortLike | undefined, decoder: () => StreamDecoder): Promise<OpenStream> {
    const sent = await sendRequest(spec, this.sendOptions(dep, adapter, signal));
    const d = decoder();
    const idle = dep.streamIdleTimeoutMs ?? this.options().streamIdleTimeoutMs;
    return { parts: (observer) => streamParts(sent, adapter, d, dep.provider, idle, observer) };
  }

  private sendOptions(dep: Deployment, adapter: ProviderAdapter, signal: AbortLike | undefined): SendOptions {
    const options = this.options();
    return {
      provider: dep.provider,
      secrets: [dep.apiKey, dep.azureAdToken],
      connectTimeoutMs: options.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? dep.timeoutMs,
      totalTimeoutMs: dep.timeoutMs,
      signal,
      parseError: (input) => adapter.parseError(input, dep),
    };
  }
}

/** A deployment's default parameters under the request's own (text completion requests). */
function withDefaults<T extends object>(req: T, dep: Deployment): T {
  return { ...(dep.defaults as Partial<T>), ...req };
}
