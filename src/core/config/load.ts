/**
 * Loads a LiteLLM-style config (YAML text or an object): resolves `os.environ/NAME` references,
 * validates with the schema (a bad value fails with the path of the field), warns about unknown
 * keys, and turns `model_list` into deployments.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configFileSchema, unknownKeys, type ConfigFile } from './schema';
import { resolveDeployment } from './resolve';
import { notActedOn } from './not-acted-on';
import { findFallbackCycle } from '../router/policy';
import type { Deployment } from '../types/deployment';

export type Env = Readonly<Record<string, string | undefined>>;

export interface CoreSettings {
  numRetries: number;
  requestTimeoutMs: number;
  dropParams: boolean;
  fallbacks: Record<string, string[]>;
  contextWindowFallbacks: Record<string, string[]>;
  contentPolicyFallbacks: Record<string, string[]>;
  defaultFallbacks: string[];
  cache: { enabled: boolean; ttlSeconds: number; maxSize: number };
  maxRequestBytes: number;
  /** Daily spend limits in USD: over all models, and per model group. */
  budgets: { dailyUsd?: number; perGroupDailyUsd: Record<string, number> };
  /** `router_settings.model_group_alias`: a name → the model group that answers it. */
  modelGroupAlias: Record<string, { model: string; hidden: boolean }>;
  /** `litellm_settings.callbacks` acted on: OpenTelemetry spans, Prometheus metrics; and whether /metrics needs the master key. */
  telemetry: { otel: boolean; prometheus: boolean; metricsRequireAuth: boolean };
  /** The Redis the proxy shares its state in; none: state is in this process's memory. */
  redis?: RedisSettings;
}

/** Where the shared state lives (docs/architecture.md#shared-state). The password is a secret: never logged. */
export interface RedisSettings {
  /** `redis://…` or `rediss://…`; else host and port. */
  url?: string;
  host: string;
  port: number;
  password?: string;
  /** Key prefix (cache_params.namespace). */
  namespace: string;
  /** Which setting it came from, for the log line (never the password). */
  source: string;
}

export interface CoreConfig {
  deployments: Deployment[];
  settings: CoreSettings;
  router: ConfigFile['router_settings'];
  masterKey?: string;
  /** Problems that do not stop loading (unknown keys, unset environment variables). */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(message: string, readonly source?: string) {
    super(source ? `${source}: ${message}` : message);
    this.name = 'ConfigError';
  }
}

export async function loadConfigFile(path: string, env: Env = process.env): Promise<CoreConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file: ${(err as Error).message}`, path);
  }
  return parseConfigText(text, env, path);
}

export function parseConfigText(text: string, env: Env = process.env, source?: string): CoreConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`not valid YAML: ${(err as Error).message}`, source);
  }
  return buildConfig(raw, env, source);
}

export function buildConfig(raw: unknown, env: Env = process.env, source?: string): CoreConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('the config must be a mapping with a model_list', source);
  const warnings: string[] = [];
  const fileEnv = (raw as { environment_variables?: Record<string, string> }).environment_variables ?? {};
  const unset = new Map<string, string>();
  const resolved = resolveEnvRefs(raw, { ...fileEnv, ...env }, '', warnings, unset);
  const parsed = configFileSchema.safeParse(resolved);
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error), source);
  for (const key of unknownKeys(configFileSchema, resolved)) warnings.push(`${key}: unknown key, ignored`);
  const file = parsed.data;
  const ls = file.litellm_settings;
  const rs = file.router_settings;
  const settings: CoreSettings = {
    numRetries: rs.num_retries ?? ls.num_retries ?? 2,
    requestTimeoutMs: 1000 * (rs.timeout ?? ls.request_timeout ?? 600),
    dropParams: ls.drop_params ?? false,
    fallbacks: mergeFallbacks(ls.fallbacks, rs.fallbacks),
    contextWindowFallbacks: mergeFallbacks(ls.context_window_fallbacks, rs.context_window_fallbacks),
    contentPolicyFallbacks: mergeFallbacks(ls.content_policy_fallbacks, rs.content_policy_fallbacks),
    defaultFallbacks: rs.default_fallbacks ?? ls.default_fallbacks ?? [],
    cache: { enabled: ls.cache ?? false, ttlSeconds: ls.cache_params?.ttl ?? 600, maxSize: ls.cache_params?.max_size ?? 1000 },
    maxRequestBytes: Math.round((file.general_settings.max_request_size_mb ?? 10) * 1024 * 1024),
    budgets: { dailyUsd: ls.max_budget, perGroupDailyUsd: Object.fromEntries(Object.entries(ls.model_max_budget ?? {}).map(([g, b]) => [g, b.budget_limit])) },
    telemetry: { otel: ls.callbacks?.includes('otel') ?? false, prometheus: ls.callbacks?.includes('prometheus') ?? false, metricsRequireAuth: ls.require_auth_for_metrics_endpoint ?? true },
    modelGroupAlias: Object.fromEntries(Object.entries(rs.model_group_alias ?? {}).map(([a, t]) => [a, typeof t === 'string' ? { model: t, hidden: false } : { model: t.model, hidden: t.hidden ?? false }])),
  };
  const redis = redisSettings(file, { ...fileEnv, ...env }, warnings, source);
  if (redis) settings.redis = redis;
  warnings.push(...notActedOn(file));
  checkFallbacks(settings, new Set(file.model_list.map((m) => m.model_name)), source);
  const deployments = file.model_list.map((entry, i) => {
    try {
      const unsetKeyEnv = unset.get(`model_list[${i}].litellm_params.api_key`);
      return resolveDeployment(entry, { env, dropParams: settings.dropParams, timeoutMs: settings.requestTimeoutMs, ...(unsetKeyEnv ? { unsetKeyEnv } : {}) });
    } catch (err) {
      throw new ConfigError(`model_list[${i}] (${entry.model_name}): ${(err as Error).message}`, source);
    }
  });
  const config: CoreConfig = { deployments, settings, router: rs, warnings };
  const masterKey = file.general_settings.master_key;
  if (masterKey) config.masterKey = masterKey;
  return config;
}

/**
 * The shared Redis, as LiteLLM names it: `router_settings.redis_host`/`redis_port`/`redis_password`
 * (or `redis_url`), `litellm_settings.cache_params` with `type: redis`, else the `REDIS_URL` or
 * `REDIS_HOST` (`REDIS_PORT`, `REDIS_PASSWORD`) environment variables
 * (https://docs.litellm.ai/docs/proxy/caching). One Redis holds all the shared state (cache,
 * rpm/tpm, cooldowns, spend, stored responses): the first of these that is set.
 */
function redisSettings(file: ConfigFile, env: Env, warnings: string[], source?: string): RedisSettings | undefined {
  const rs = file.router_settings;
  const cp = file.litellm_settings.cache_params;
  const namespace = cp?.namespace ?? 'anymodel';
  const port = (p: number | string | undefined, where: string): number => {
    if (p === undefined || p === '') return 6379;
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${where}: must be a port from 1 to 65535, not "${p}"`, source);
    return n;
  };
  const candidates: (RedisSettings | undefined)[] = [
    rs.redis_url ? { ...parseRedisUrl(rs.redis_url, 'router_settings.redis_url', source), namespace, source: 'router_settings.redis_url' }
      : rs.redis_host ? { host: rs.redis_host, port: port(rs.redis_port, 'router_settings.redis_port'), ...(rs.redis_password ? { password: rs.redis_password } : {}), namespace, source: 'router_settings.redis_host' } : undefined,
    cp?.type !== 'redis' ? undefined
      : cp.url ? { ...parseRedisUrl(cp.url, 'litellm_settings.cache_params.url', source), namespace, source: 'litellm_settings.cache_params.url' }
        : cp.host ? { host: cp.host, port: port(cp.port, 'litellm_settings.cache_params.port'), ...(cp.password ? { password: cp.password } : {}), namespace, source: 'litellm_settings.cache_params.host' } : undefined,
  ];
  const [fromRouter, fromCache] = candidates;
  if (fromRouter && fromCache && (fromRouter.host !== fromCache.host || fromRouter.port !== fromCache.port)) {
    warnings.push(`litellm_settings.cache_params: names another Redis (${fromCache.host}:${fromCache.port}) than router_settings (${fromRouter.host}:${fromRouter.port}); one Redis holds all the shared state: ${fromRouter.host}:${fromRouter.port}`);
  }
  const configured = fromRouter ?? fromCache;
  if (configured) return configured;
  if (cp?.type === 'redis' || env.REDIS_URL || env.REDIS_HOST) {
    if (env.REDIS_URL) return { ...parseRedisUrl(env.REDIS_URL, 'REDIS_URL', source), namespace, source: 'REDIS_URL' };
    if (env.REDIS_HOST) return { host: env.REDIS_HOST, port: port(env.REDIS_PORT, 'REDIS_PORT'), ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}), namespace, source: 'REDIS_HOST' };
    warnings.push('litellm_settings.cache_params.type: redis, but no Redis is named (cache_params.host, router_settings.redis_host or REDIS_URL): the cache is in memory');
  }
  return undefined;
}

/** Host and port of a Redis URL (the URL itself is what the client connects with). */
function parseRedisUrl(url: string, where: string, source?: string): { url: string; host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    u = new URL('invalid:');
  }
  if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) throw new ConfigError(`${where}: must be a URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)`, source);
  return { url, host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 6379 };
}

/** Fallbacks must name configured groups and must not lead back to where they start. */
function checkFallbacks(s: CoreSettings, groups: Set<string>, source?: string): void {
  const lists = { fallbacks: s.fallbacks, context_window_fallbacks: s.contextWindowFallbacks, content_policy_fallbacks: s.contentPolicyFallbacks };
  for (const [name, map] of Object.entries(lists)) {
    for (const [from, to] of Object.entries(map)) {
      for (const g of [from, ...to]) if (!groups.has(g)) throw new ConfigError(`${name}: "${g}" is not a model_name in model_list`, source);
    }
  }
  for (const g of s.defaultFallbacks) if (!groups.has(g)) throw new ConfigError(`default_fallbacks: "${g}" is not a model_name in model_list`, source);
  for (const [alias, { model }] of Object.entries(s.modelGroupAlias)) {
    if (!groups.has(model)) throw new ConfigError(`router_settings.model_group_alias.${alias}: "${model}" is not a model_name in model_list`, source);
  }
  const cycle = findFallbackCycle(Object.values(lists));
  if (cycle) throw new ConfigError(`fallbacks form a cycle: ${cycle.join(' → ')}`, source);
}

/**
 * Replaces every `os.environ/NAME` string with the variable's value; an unset one is left out with a
 * warning, and its path goes into `unset` (an `api_key` left out must not be filled from another
 * variable: see resolveDeployment).
 */
function resolveEnvRefs(value: unknown, env: Env, path: string, warnings: string[], unset: Map<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('os.environ/')) {
    const name = value.slice('os.environ/'.length);
    const v = env[name];
    if (v === undefined || v === '') {
      unset.set(path, name);
      warnings.push(/\.api_key$/.test(path)
        ? `${path}: environment variable ${name} is not set: this deployment has no key, and no other key is sent in its place`
        : `${path}: environment variable ${name} is not set`);
      return undefined;
    }
    return v;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`, warnings, unset));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveEnvRefs(v, env, path ? `${path}.${k}` : k, warnings, unset);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}

function mergeFallbacks(...lists: (Record<string, string[]>[] | undefined)[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const list of lists) for (const map of list ?? []) for (const [k, v] of Object.entries(map)) out[k] = v;
  return out;
}

/** `model_list[0].litellm_params.api_base: must be a URL ...`, one line per problem. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(root)'}: ${issue.message}`)
    .join('\n');
}
