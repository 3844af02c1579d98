/**
 * The router: the only retry loop (docs/architecture.md#retries-and-fallbacks). For a model group
 * it picks a deployment by strategy, retries per the error policy with cooldowns and Retry-After,
 * and once the group gives up, moves along the fallback lists. A stream counts as answered once its
 * headers arrived, so nothing is retried or switched after the first token reached the caller.
 */
import type { CoreConfig } from '../config/load';
import type { AbortLike } from '../types/abort';
import type { Deployment } from '../types/deployment';
import { AnyModelError, isAnyModelError } from '../types/errors';
import { backoffMs, sleep as defaultSleep } from '../transport/retry';
import { DeploymentStates } from './deployment-state';
import { policyOf, retryScope } from './policy';
import { pickDeployment, type PickContext, type RoutingStrategy } from './strategies';
import type { AttemptRecord } from '../telemetry/observer';

export interface RouterDeps {
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortLike) => Promise<void>;
  /** Price per token of a deployment (cost-based routing). */
  priceOf?: (dep: Deployment) => number | undefined;
  /** Context window of a deployment (pre-call context window fallbacks). */
  contextWindowOf?: (dep: Deployment) => number | undefined;
  /** Where the deployments' state lives (shared state: docs/architecture.md#shared-state); memory when unset. */
  states?: (now: () => number) => DeploymentStates;
}

export interface Routed<T> {
  value: T;
  deployment: Deployment;
  attempts: number;
  /** The model group that answered differs from the one asked for. */
  fallback: boolean;
  modelGroup: string;
}

export interface RouteOptions {
  signal?: AbortLike;
  /** Estimated prompt tokens, for the pre-call context window check. */
  promptTokens?: number;
  /** Resolves a group name that is not configured (the CLI accepts bare provider/model ids). */
  resolveUnknown?: (model: string) => Deployment | undefined;
  /** Told of each attempt when it ends (telemetry: one child span per attempt); absent without telemetry. */
  onAttempt?: (a: AttemptRecord) => void;
}

export class Router {
  readonly states: DeploymentStates;
  private strategy!: RoutingStrategy;
  /** The strategy reads rpm/tpm (and honours the limits). */
  private usageBased = false;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortLike) => Promise<void>;
  private cooldownMs!: number;
  private allowedFails!: number;
  private maxRetryAfterMs!: number;
  private readonly priceOf: (dep: Deployment) => number | undefined;
  /** What the strategy reads, made once per config rather than once per request. */
  private pick!: PickContext;
  /** Model name → its deployments, built from `config.deployments` (and rebuilt if that list changes). */
  private groups = new Map<string, Deployment[]>();
  private groupsFrom: { list: Deployment[]; length: number } | undefined;

  constructor(private config: CoreConfig, private readonly deps: RouterDeps = {}) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? defaultSleep;
    this.states = deps.states?.(this.now) ?? new DeploymentStates(this.now);
    this.priceOf = deps.priceOf ?? (() => undefined);
    this.applySettings(config);
  }

  /**
   * Serves a new config from now on. What the router learned about deployments that are still
   * there (same id: cooldowns, failures, rpm/tpm this minute, latencies) is kept; the state of
   * deployments the new config dropped is forgotten. A request already running finishes on the
   * deployment it picked.
   */
  reconfigure(config: CoreConfig): void {
    const kept = new Set(config.deployments.map((d) => d.id));
    const dropped = this.config.deployments.filter((d) => !kept.has(d.id)).map((d) => d.id);
    this.config = config;
    this.groupsFrom = undefined;
    this.states.forget(dropped);
    this.applySettings(config);
  }

  private applySettings(config: CoreConfig): void {
    const rs = config.router;
    this.strategy = rs.routing_strategy ?? 'simple-shuffle';
    this.usageBased = this.strategy.startsWith('usage-based');
    // LiteLLM's defaults: allowed_fails 3 per minute, cooldown_time 5 s.
    this.allowedFails = rs.allowed_fails ?? 3;
    this.cooldownMs = 1000 * (rs.cooldown_time ?? 5);
    this.maxRetryAfterMs = 1000 * (rs.retry_after ?? 10);
    this.pick = {
      states: this.states, random: this.random, priceOf: this.priceOf,
      latencyWindowMs: 1000 * Number(rs.routing_strategy_args?.ttl ?? 3600),
      latencyBuffer: Number(rs.routing_strategy_args?.lowest_latency_buffer ?? 0),
    };
  }

  /** The deployments of a model group, or of the group an alias names (a copy: callers may keep or change it). */
  group(model: string): Deployment[] {
    return [...this.groupOf(this.resolveAlias(model))];
  }

  /**
   * The group a requested name goes to: `model_group_alias` first, as LiteLLM's router looks the
   * alias up before the groups (https://docs.litellm.ai/docs/proxy/configs, model_group_alias).
   */
  resolveAlias(model: string): string {
    return this.config.settings.modelGroupAlias[model]?.model ?? model;
  }

  /** The names clients can ask for: the groups, then the aliases that are not hidden. */
  modelNames(): string[] {
    const names = new Set(this.config.deployments.map((d) => d.modelName));
    for (const [alias, { hidden }] of Object.entries(this.config.settings.modelGroupAlias)) if (!hidden) names.add(alias);
    return [...names];
  }

  /** The group's deployments without a copy, for reading only: a lookup, not a filter per request. */
  private groupOf(model: string): readonly Deployment[] {
    const list = this.config.deployments;
    if (this.groupsFrom?.list !== list || this.groupsFrom.length !== list.length) {
      this.groups = new Map();
      for (const d of list) {
        const g = this.groups.get(d.modelName);
        if (g) g.push(d);
        else this.groups.set(d.modelName, [d]);
      }
      this.groupsFrom = { list, length: list.length };
    }
    return this.groups.get(model) ?? [];
  }

  async run<T>(requested: string, call: (dep: Deployment) => Promise<T>, opts: RouteOptions = {}): Promise<Routed<T>> {
    const s = this.config.settings;
    const model = this.resolveAlias(requested);
    let attempts = 0;
    // The groups tried, for the fallbacks: made only when the first group fails.
    let tried: Set<string> | undefined;
    let current = model;
    let lastError: unknown;
    for (;;) {
      const group = this.groupOf(current);
      const deployments = group.length ? group : [opts.resolveUnknown?.(current)].filter((d): d is Deployment => !!d);
      if (!deployments.length) {
        throw new AnyModelError({ kind: 'NotFound', param: 'model', code: 'model_not_found', message: `Model "${current}" is not configured. Available: ${[...new Set(this.config.deployments.map((d) => d.modelName))].join(', ') || '(none)'}` });
      }
      let fallbackKind: 'generic' | 'context_window' | 'content_policy' | 'none';
      if (this.overWindow(deployments, opts.promptTokens) && s.contextWindowFallbacks[current]?.length) {
        fallbackKind = 'context_window';
        lastError = new AnyModelError({ kind: 'ContextWindowExceeded', message: `The prompt (about ${opts.promptTokens} tokens) is longer than ${current}'s context window` });
      } else {
        try {
          const { value, deployment } = await this.tryGroup(current, deployments, call, opts, () => attempts++);
          return { value, deployment, attempts, fallback: current !== model, modelGroup: current };
        } catch (err) {
          lastError = err;
          fallbackKind = isAnyModelError(err) ? policyOf(err).fallback : 'none';
        }
      }
      (tried ??= new Set()).add(current);
      const next = this.nextGroup(model, fallbackKind, tried);
      if (!next) throw lastError;
      current = next;
    }
  }

  /** Tries one group: up to num_retries + 1 attempts across its deployments. */
  private async tryGroup<T>(groupName: string, deployments: readonly Deployment[], call: (dep: Deployment) => Promise<T>, opts: RouteOptions, count: () => void): Promise<{ value: T; deployment: Deployment }> {
    const { signal, onAttempt } = opts;
    const maxAttempts = this.config.settings.numRetries + 1;
    let lastError: unknown;
    // The deployments that failed in this group (made on the first failure).
    let failedHere: Set<string> | undefined;
    const counts = this.usageBased;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const elsewhere = lastError !== undefined && isAnyModelError(lastError) && retryScope(lastError) === 'elsewhere';
      const pool = elsewhere ? deployments.filter((d) => !failedHere?.has(d.id)) : deployments;
      // Shared state (Redis): what other replicas cooled down or counted. In memory: no promise, no wait.
      const refreshing = this.states.refresh(pool, counts);
      if (refreshing) await refreshing;
      let dep: Deployment | undefined;
      for (;;) {
        dep = pickDeployment(pool, this.strategy, this.pick);
        if (!dep) break;
        // Another replica may have taken the last request of its rpm since the refresh: pick again.
        const reserved = this.states.reserve(dep, counts);
        if (reserved === true || (reserved !== false && await reserved)) break;
      }
      if (!dep) {
        if (lastError) throw lastError;
        throw this.noneAvailable(pool);
      }
      count();
      const started = this.now();
      try {
        const value = await call(dep);
        const ended = this.now();
        this.states.finish(dep, ended - started);
        onAttempt?.({ deployment: dep, modelGroup: groupName, startedAt: started, endedAt: ended, cooledDown: false });
        return { value, deployment: dep };
      } catch (err) {
        this.states.finish(dep, undefined);
        lastError = err;
        (failedHere ??= new Set()).add(dep.id);
        if (!isAnyModelError(err)) {
          onAttempt?.({ deployment: dep, modelGroup: groupName, startedAt: started, endedAt: this.now(), error: err, cooledDown: false });
          throw err;
        }
        const policy = policyOf(err);
        const wait = err.retryAfterMs;
        const tooLong = wait !== undefined && wait > this.maxRetryAfterMs;
        let coolFor: number | undefined;
        // As in LiteLLM, a group of one is never cooled down: that would turn one error into an outage.
        if (deployments.length > 1) {
          if (policy.cooldown === 'now' || tooLong) coolFor = Math.max(this.cooldownMs, wait ?? 0);
          else if (policy.cooldown === 'count' && this.states.fail(dep, this.allowedFails)) coolFor = this.cooldownMs;
        }
        if (coolFor !== undefined) this.states.coolDown(dep, coolFor);
        onAttempt?.({ deployment: dep, modelGroup: groupName, startedAt: started, endedAt: this.now(), error: err, cooledDown: coolFor !== undefined });
        if (policy.retry === 'no' || attempt + 1 >= maxAttempts) throw err;
        if (tooLong && deployments.length === 1) throw err; // do not sleep that long: let a fallback answer
        if (policy.retry === 'elsewhere' && deployments.every((d) => failedHere!.has(d.id))) throw err;
        // Wait only when the next pick may be this same deployment and it asked for a short pause.
        const others = deployments.some((d) => d.id !== dep.id && !this.states.isCooling(d));
        if (!others && !this.states.isCooling(dep)) await this.sleep(wait ?? backoffMs(attempt, this.random), signal);
      }
    }
    throw lastError;
  }

  /**
   * Nothing to pick: a 429 when a deployment is only at its rpm/tpm limit for this minute (as
   * LiteLLM's router answers, with the seconds to the next minute), else a 503 (all cooling down).
   */
  private noneAvailable(pool: readonly Deployment[]): AnyModelError {
    const name = pool[0]?.modelName ?? 'the model';
    if (pool.some((d) => !this.states.isCooling(d) && this.states.atLimit(d))) {
      const retryAfterMs = 60_000 - (this.now() % 60_000);
      return new AnyModelError({ kind: 'RateLimit', retryAfterMs, message: `Every deployment of ${name} is cooling down or at its rate limit (rpm/tpm) for this minute; try again in ${Math.ceil(retryAfterMs / 1000)} s` });
    }
    return new AnyModelError({ kind: 'ServiceUnavailable', message: `Every deployment of ${name} is cooling down or at its rate limit; try again shortly` });
  }

  /** Records the tokens of a finished answer (usage-based routing). */
  recordTokens(dep: Deployment, tokens: number): void {
    this.states.addTokens(dep, tokens);
  }

  private overWindow(deployments: readonly Deployment[], promptTokens: number | undefined): boolean {
    if (!promptTokens || !this.deps.contextWindowOf) return false;
    const windows = deployments.map((d) => this.deps.contextWindowOf!(d)).filter((w): w is number => w !== undefined);
    return windows.length > 0 && promptTokens > Math.max(...windows);
  }

  /** The next untried group from the fallback list of the group first asked for (LiteLLM walks that one list). */
  private nextGroup(current: string, kind: 'generic' | 'context_window' | 'content_policy' | 'none', tried: Set<string>): string | undefined {
    const s = this.config.settings;
    const list = kind === 'context_window' ? s.contextWindowFallbacks[current]
      : kind === 'content_policy' ? s.contentPolicyFallbacks[current]
        : kind === 'generic' ? s.fallbacks[current] ?? s.defaultFallbacks : undefined;
    return list?.find((g) => !tried.has(g));
  }
}
