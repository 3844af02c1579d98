/** Turns one `model_list` entry (or a bare model id) into a Deployment, filling provider defaults. */
import type { ModelEntry } from './schema';
import type { Deployment } from '../types/deployment';
import { getPreset, parseModelId } from '../providers/registry';
import { OPTIONAL_CHAT_PARAMS } from '../types/request';

export interface ResolveOptions {
  env: Readonly<Record<string, string | undefined>>;
  dropParams?: boolean;
  timeoutMs?: number;
  /**
   * The entry's `api_key` named this environment variable and it is not set. The deployment then
   * has no key at all: the provider's usual variable (`OPENAI_API_KEY`, ...) is never sent in its
   * place, since the entry's api_base may be a host that was never meant to receive it.
   */
  unsetKeyEnv?: string;
}

const DEFAULT_PARAM_KEYS = new Set<string>([...OPTIONAL_CHAT_PARAMS, 'max_completion_tokens']);

export function resolveDeployment(entry: ModelEntry, opts: ResolveOptions): Deployment {
  const p = entry.litellm_params;
  const { provider, model } = parseModelId(p.model);
  const preset = getPreset(provider);
  const apiBase = stripSlash(p.api_base ?? p.base_url ?? firstEnv(preset.apiBaseEnv, opts.env) ?? preset.defaultApiBase);
  const apiKey = opts.unsetKeyEnv ? undefined : p.api_key ?? firstEnv(preset.apiKeyEnv, opts.env);
  const defaults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (DEFAULT_PARAM_KEYS.has(k) && v !== undefined) defaults[k] = v;
  const dep: Deployment = {
    id: deploymentId(provider, model, apiBase),
    modelName: entry.model_name,
    provider,
    model,
  };
  if (apiBase) dep.apiBase = apiBase;
  if (apiKey) dep.apiKey = apiKey;
  if (opts.unsetKeyEnv) dep.unsetKeyEnv = opts.unsetKeyEnv;
  const apiVersion = p.api_version ?? firstEnv(preset.apiVersionEnv, opts.env);
  if (apiVersion) dep.apiVersion = apiVersion;
  if (p.azure_ad_token) dep.azureAdToken = p.azure_ad_token;
  const headers = { ...p.headers, ...p.extra_headers };
  if (Object.keys(headers).length) dep.headers = headers;
  const timeoutMs = p.timeout ? p.timeout * 1000 : opts.timeoutMs;
  if (timeoutMs) dep.timeoutMs = timeoutMs;
  if (p.stream_timeout) dep.streamIdleTimeoutMs = p.stream_timeout * 1000;
  if (Object.keys(defaults).length) dep.defaults = defaults;
  if (p.cache_control_injection_points?.length) dep.cacheControlInjectionPoints = p.cache_control_injection_points;
  if (p.keep_alive !== undefined) dep.providerOptions = { keep_alive: p.keep_alive };
  if (p.num_ctx !== undefined) dep.providerOptions = { ...dep.providerOptions, num_ctx: p.num_ctx };
  dep.dropParams = p.drop_params ?? opts.dropParams ?? false;
  for (const k of ['rpm', 'tpm', 'weight', 'order'] as const) if (p[k] !== undefined) dep[k] = p[k];
  const info: Record<string, unknown> = { ...entry.model_info };
  for (const k of ['input_cost_per_token', 'output_cost_per_token', 'cache_read_input_token_cost', 'cache_creation_input_token_cost'] as const) {
    if (p[k] !== undefined) info[k] = p[k];
  }
  if (Object.keys(info).length) dep.modelInfo = info;
  return dep;
}

/** A deployment for a bare `provider/model` id with the provider's default endpoint and key from the environment. */
export function resolveModelId(id: string, opts: ResolveOptions): Deployment {
  return resolveDeployment({ model_name: id, litellm_params: { model: id } }, opts);
}

function firstEnv(names: readonly string[] | undefined, env: ResolveOptions['env']): string | undefined {
  for (const n of names ?? []) if (env[n]) return env[n];
  return undefined;
}

function stripSlash(url: string | undefined): string | undefined {
  return url?.replace(/\/+$/, '');
}

/** `provider/model@host`: names a deployment in logs and headers without any credential. */
export function deploymentId(provider: string, model: string, apiBase: string | undefined): string {
  let host = '';
  if (apiBase) {
    try { host = `@${new URL(apiBase).host}`; } catch { host = ''; }
  }
  return `${provider}/${model}${host}`;
}
