/**
 * The core's entry point: one OpenAI-style interface (chat, streaming chat, text completion,
 * embeddings) over every configured deployment. Per request: budget check, response cache, the
 * router (strategy, retries, cooldowns, fallbacks) around one translated HTTP exchange, then one
 * usage record with its cost.
 */
import type { CoreConfig, Env } from './config/load';
import { resolveModelId } from './config/resolve';
import { getPreset } from './providers/registry';
import { Exchange } from './exchange';
import type { OllamaModelInfo } from './providers/ollama/context-length';
import { Router, type Routed, type RouterDeps } from './router/router';
import { ResponseCache, cacheKey, parseCachedAnswer, replayAsStream, type CachedAnswer } from './cache/response-cache';
import { isPromise, type KeyValueStore, type SharedState } from './state/types';
import { SpendLedger, UsageLog, type UsageRecord, type UsageTags } from './usage/records';
import { contextWindowOf, unitPrices } from './usage/prices';
import { estimatePromptTokens, estimateRequestTokens } from './usage/estimate';
import { Accounting } from './usage/accounting';
import type { AbortLike } from './types/abort';
import type { Deployment } from './types/deployment';
import { AnyModelError } from './types/errors';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from './types/request';
import type { ChatResult, CompletionResult, EmbeddingResult, StreamPart } from './types/result';
import type { UsageObserver } from './telemetry/observer';

export interface ClientOptions {
  env?: Env;
  /** Accept `provider/model` ids that are not in the config (the CLI does; the proxy does not). */
  allowUnconfiguredModels?: boolean;
  /** Connect timeout (DNS, TCP, TLS) per attempt; none when unset. */
  connectTimeoutMs?: number;
  /** Headers (first-byte) timeout; the total timeout comes from the deployment. */
  headersTimeoutMs?: number;
  /** Idle timeout between stream chunks when the deployment sets none. */
  streamIdleTimeoutMs?: number;
  /** Clock, randomness and sleep for the router (tests make them deterministic). */
  router?: RouterDeps;
  /** Append usage records to this JSONL file. */
  usageLogPath?: string;
  /** Keep the last user message in usage records (off by default). */
  logPrompts?: boolean;
  /** Called with every usage record. */
  onUsage?: (record: UsageRecord) => void;
  /** Telemetry observers (OpenTelemetry spans, Prometheus metrics): told of every request and attempt. */
  observers?: readonly UsageObserver[];
  /** The largest `num_ctx` sent to Ollama (providers/ollama/context-length.ts); the model's own limit when unset. */
  ollamaMaxContextTokens?: number;
  /** Problems that do not fail a request (the usage log cannot be written); Node's process warning when unset. */
  onWarning?: (message: string) => void;
  /**
   * Where the cache, rpm/tpm, cooldowns and spend live: Redis for proxy replicas (`openSharedState`),
   * this process's memory when unset (docs/architecture.md#shared-state). Fixed for the client's life.
   */
  state?: SharedState;
}

export interface CallOptions {
  /** An AbortSignal, or anything with its `aborted` flag and abort listeners. */
  signal?: AbortLike;
  /** Neither read nor write the response cache for this request. */
  noCache?: boolean;
  /** Sees this request's usage record (besides the client's `onUsage`): compare reads its cost there. */
  onUsage?: (record: UsageRecord) => void;
  /** Copied into this request's usage record (where it came from, whether it stands in offline). */
  usage?: UsageTags;
}

/** What every answer says about where it came from. */
export interface Provenance {
  deployment: Deployment;
  /** 1 when the first try answered. */
  attempts: number;
  /** Answered by a fallback model group, not the one asked for. */
  fallback: boolean;
  modelGroup: string;
  cacheHit: boolean;
}

export interface Answered<T> extends Provenance {
  value: T;
  costUsd: number;
}

export interface StreamHandle extends Provenance {
  /** The parts; stopping iteration early aborts the HTTP request. */
  parts: AsyncIterable<StreamPart>;
}

export class AnyModelClient {
  readonly router: Router;
  /** Today's and all-time spend; budgets are checked against it. Survives `reconfigure`. */
  readonly spend: SpendLedger;
  /** Where the shared state lives (memory unless the client was given Redis). */
  readonly state: SharedState | undefined;
  private cache?: KeyValueStore<CachedAnswer>;
  private accounting!: Accounting;
  private usageLog?: { path: string; log: UsageLog };
  /** Observers added with `addObserver`, which outlive `reconfigure` (the options' ones are replaced by it). */
  private readonly attached: UsageObserver[] = [];
  /** One attempt with one deployment (exchange.ts); reads the options current at each attempt. */
  private readonly exchange = new Exchange(() => this.options);

  constructor(private currentConfig: CoreConfig, private options: ClientOptions = {}) {
    this.state = options.state;
    const state = this.state;
    this.spend = state ? state.spendLedger(options.router?.now ?? Date.now) : new SpendLedger();
    this.router = new Router(currentConfig, {
      priceOf: (d) => { const p = unitPrices(d, getPreset(d.provider).local); return p && (p.inputPerMTok + p.outputPerMTok) / 1e6; },
      contextWindowOf,
      ...(state ? { states: (now: () => number) => state.deploymentStates(now) } : {}),
      ...options.router,
    });
    this.applyConfig(currentConfig);
  }

  get config(): CoreConfig {
    return this.currentConfig;
  }

  /**
   * Serves a new config (and options) from now on, keeping what still applies, so that one client
   * can live as long as the editor window (see docs/architecture.md): the spend ledger (so the
   * budgets' spent amounts), the usage log, the router's cooldowns and rpm/tpm counts of
   * deployments that are still there by id, and the cached answers of deployments that still
   * serve the group they were cached for. Router clock and randomness stay those of the
   * constructor. Requests already running finish as they started.
   */
  reconfigure(config: CoreConfig, options: ClientOptions = this.options): void {
    this.options = { ...options, router: this.options.router, state: this.options.state };
    this.currentConfig = config;
    this.router.reconfigure(config);
    this.applyConfig(config);
  }

  private applyConfig(config: CoreConfig): void {
    const options = this.options;
    const c = config.settings.cache;
    if (!c.enabled) this.cache = undefined;
    else if (this.cache) {
      this.cache.resize(c.ttlSeconds * 1000, c.maxSize);
      this.cache.retain((answer) => this.stillServes(answer.modelGroup, answer.deployment));
    } else {
      const cache: KeyValueStore<CachedAnswer> = this.state
        ? this.state.keyValue<CachedAnswer>('cache', c.ttlSeconds * 1000, c.maxSize, options.router?.now, parseCachedAnswer)
        : new ResponseCache<CachedAnswer>(c.ttlSeconds * 1000, c.maxSize, options.router?.now);
      this.cache = cache;
      // Answers another replica cached are checked when read, as retain() checks local ones.
      cache.retain((answer) => this.stillServes(answer.modelGroup, answer.deployment));
    }
    const path = options.usageLogPath;
    if (this.usageLog?.path !== path) this.usageLog = path ? { path, log: new UsageLog(path, undefined, options.onWarning) } : undefined;
    this.accounting = new Accounting(config, this.spend, this.usageLog?.log, options, options.router?.now);
    this.accounting.observers = [...(options.observers ?? []), ...this.attached];
  }

  /**
   * Adds a telemetry observer for every request from now on (the proxy's Prometheus metrics, made
   * on first use); it stays through `reconfigure`. Returns what removes it.
   */
  addObserver(observer: UsageObserver): () => void {
    this.attached.push(observer);
    this.accounting.observers = [...(this.options.observers ?? []), ...this.attached];
    return () => {
      const i = this.attached.indexOf(observer);
      if (i >= 0) this.attached.splice(i, 1);
      this.accounting.observers = [...(this.options.observers ?? []), ...this.attached];
    };
  }

  /** Whether a request for `group` could still be answered by the deployment `deploymentId`. */
  private stillServes(group: string | undefined, deploymentId: string): boolean {
    if (group === undefined) return false;
    const configured = this.router.group(group);
    if (configured.length) return configured.some((d) => d.id === deploymentId);
    return this.resolveUnknown(group)?.id === deploymentId;
  }

  private resolveUnknown(model: string): Deployment | undefined {
    if (!this.options.allowUnconfiguredModels) return undefined;
    try {
      return resolveModelId(model, { env: this.options.env ?? process.env, dropParams: this.config.settings.dropParams, timeoutMs: this.config.settings.requestTimeoutMs });
    } catch {
      return undefined;
    }
  }

  /** The deployments a request for `model` may go to first: its group, or the bare id it names when unconfigured ids are allowed. */
  deploymentsFor(model: string): Deployment[] {
    const group = this.router.group(model);
    if (group.length) return group;
    const unknown = this.resolveUnknown(model);
    return unknown ? [unknown] : [];
  }

  /**
   * Refuses, before anything is sent, spend that would take today's total or a group's total past
   * its daily budget (several requests at once: a comparison). `usd` is an estimate per group.
   */
  checkProjectedSpend(items: readonly { group: string; usd: number }[]): void {
    this.accounting.checkProjected(items);
  }

  /** The model names clients can ask for (config model groups). */
  modelNames(): string[] {
    return this.router.modelNames();
  }

  async chat(req: ChatRequest, opts: CallOptions = {}): Promise<Answered<ChatResult>> {
    const track = this.accounting.start(req.model, 'chat', false, req, this.options.logPrompts, opts);
    const key = this.cacheKeyFor(req, opts);
    let hit = key ? this.cache!.get(key) : undefined;
    if (isPromise(hit)) hit = await hit;
    if (hit) return { ...this.cachedProvenance(req.model, hit.deployment), value: hit.result, costUsd: track.cacheHit(hit.deployment, req.model, hit.result) };
    const routed = await this.route(req, track, (dep) => this.exchange.chat(req, dep, opts.signal), opts);
    if (key) this.cache?.set(key, { result: routed.value, deployment: routed.deployment.id, modelGroup: req.model });
    this.router.recordTokens(routed.deployment, routed.value.usage.totalTokens);
    return answered(routed, track.success(routed, routed.value.usage, undefined, routed.value));
  }

  async streamChat(req: ChatRequest, opts: CallOptions = {}): Promise<StreamHandle> {
    const track = this.accounting.start(req.model, 'chat', true, req, this.options.logPrompts, opts);
    const key = this.cacheKeyFor(req, opts);
    let hit = key ? this.cache!.get(key) : undefined;
    if (isPromise(hit)) hit = await hit;
    if (hit) {
      track.cacheHit(hit.deployment, req.model, hit.result);
      return { ...this.cachedProvenance(req.model, hit.deployment), parts: replay(hit.result) };
    }
    const routed = await this.route(req, track, (dep) => this.exchange.streamChat(req, dep, opts.signal), opts);
    const parts = routed.value.parts(track.observe(routed, (result) => {
      if (key) this.cache?.set(key, { result, deployment: routed.deployment.id, modelGroup: req.model });
      this.router.recordTokens(routed.deployment, result.usage.totalTokens);
    }));
    return { ...provenance(routed), parts };
  }

  async complete(req: CompletionRequest, opts: CallOptions = {}): Promise<Answered<CompletionResult>> {
    const track = this.accounting.start(req.model, 'text_completion', false, undefined, false, opts);
    const routed = await this.route(req, track, (dep) => this.exchange.complete(req, dep, opts.signal), opts);
    return answered(routed, track.success(routed, routed.value.usage, undefined, routed.value));
  }

  async streamComplete(req: CompletionRequest, opts: CallOptions = {}): Promise<StreamHandle> {
    const track = this.accounting.start(req.model, 'text_completion', true, undefined, false, opts);
    const routed = await this.route(req, track, (dep) => this.exchange.streamComplete(req, dep, opts.signal), opts);
    return { ...provenance(routed), parts: routed.value.parts(track.observe(routed)) };
  }

  async embed(req: EmbeddingRequest, opts: CallOptions = {}): Promise<Answered<EmbeddingResult>> {
    const track = this.accounting.start(req.model, 'embeddings', false, undefined, false, opts);
    const routed = await this.route(req, track, (dep) => this.exchange.embed(req, dep, opts.signal), opts);
    return answered(routed, track.success(routed, routed.value.usage, undefined, { model: routed.value.model }));
  }

  /**
   * A chat request's input tokens, counted by the provider where its adapter can (Anthropic's
   * count_tokens, exact) and estimated otherwise, or where that provider's server has no such
   * endpoint (404). Not a model call: no router, no budget, nothing spent or accounted.
   */
  async countTokens(req: ChatRequest, opts: CallOptions = {}): Promise<{ inputTokens: number; exact: boolean }> {
    const dep = this.router.group(this.router.resolveAlias(req.model))[0] ?? this.resolveUnknown(req.model);
    if (!dep) throw new AnyModelError({ kind: 'NotFound', param: 'model', message: `No model named "${req.model}" is configured` });
    const counted = await this.exchange.countTokens(req, dep, opts.signal);
    return counted === undefined ? { inputTokens: estimateRequestTokens(req), exact: false } : { inputTokens: counted, exact: true };
  }

  /**
   * Budget check, then the router; a failure is recorded before it is thrown. Not an async
   * function: every caller awaits it already, and each async layer is a frame kept per request
   * in flight (docs/architecture.md#one-proxy-request).
   */
  private route<T>(req: { model: string; messages?: unknown }, track: ReturnType<Accounting['start']>, call: (dep: Deployment) => Promise<T>, opts: CallOptions): Promise<Routed<T>> {
    const fail = (err: unknown): never => {
      track.failure(err);
      throw err;
    };
    const run = () => this.router.run(req.model, call, {
      signal: opts.signal,
      onAttempt: track.onAttempt,
      promptTokens: req.messages && this.config.settings.contextWindowFallbacks[this.router.resolveAlias(req.model)] ? estimatePromptTokens(req.messages as ChatRequest['messages']) : undefined,
      resolveUnknown: this.options.allowUnconfiguredModels
        ? (model) => resolveModelId(model, { env: this.options.env ?? process.env, dropParams: this.config.settings.dropParams, timeoutMs: this.config.settings.requestTimeoutMs })
        : undefined,
    });
    let budget: void | Promise<void> = undefined;
    try {
      budget = this.accounting.checkBudget(req.model);
    } catch (err) {
      fail(err); // thrown inside the caller's await: the same rejection as from an async function
    }
    return (budget ? budget.then(run) : run()).catch(fail);
  }

  private cacheKeyFor(req: ChatRequest, opts: CallOptions): string | undefined {
    if (!this.cache || opts.noCache || req.cache?.['no-cache']) return undefined;
    return cacheKey(req);
  }

  private cachedProvenance(model: string, deploymentId: string): Provenance {
    const group = this.router.group(model);
    const deployment = group.find((d) => d.id === deploymentId) ?? group[0] ?? this.resolveUnknown(model)!;
    return { deployment, attempts: 0, fallback: false, modelGroup: model, cacheHit: true };
  }

  /** What `/api/show` says about an Ollama deployment's model (cached); empty when it does not answer. */
  ollamaModelInfo(dep: Deployment): Promise<OllamaModelInfo> {
    return this.exchange.ollamaModelInfo(dep);
  }

  /** The context window an Ollama deployment gets from us: its model's limit, capped by the option. */
  ollamaContextWindow(dep: Deployment): Promise<number | undefined> {
    return this.exchange.ollamaContextWindow(dep);
  }
}

function provenance<T>(r: Routed<T>): Provenance {
  return { deployment: r.deployment, attempts: r.attempts, fallback: r.fallback, modelGroup: r.modelGroup, cacheHit: false };
}

function answered<T>(r: Routed<T>, costUsd: number): Answered<T> {
  return { deployment: r.deployment, attempts: r.attempts, fallback: r.fallback, modelGroup: r.modelGroup, cacheHit: false, value: r.value, costUsd };
}

async function* replay(result: ChatResult): AsyncGenerator<StreamPart> {
  yield* replayAsStream(result);
}
