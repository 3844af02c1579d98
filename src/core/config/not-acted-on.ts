/**
 * Keys the schema accepts (so that a team's LiteLLM config.yaml loads unchanged) but AnyModel does
 * not act on. Each one present is said at load, so nobody believes a setting is in force when it
 * is not (LiteLLM's meaning: https://docs.litellm.ai/docs/proxy/config_settings).
 */
import type { ConfigFile } from './schema';

/** Model info fields that nothing reads (prices and context windows are read; these are not). */
const UNREAD_MODEL_INFO = ['id', 'mode', 'base_model', 'max_output_tokens', 'supports_vision', 'supports_function_calling'] as const;
/** The routing strategy arguments the router reads (router.ts). */
const READ_STRATEGY_ARGS = new Set(['ttl', 'lowest_latency_buffer']);

export function notActedOn(file: ConfigFile): string[] {
  const out: string[] = [];
  const rs = file.router_settings;
  const ls = file.litellm_settings;
  if (rs.enable_pre_call_checks !== undefined) {
    out.push('router_settings.enable_pre_call_checks: not acted on (deployments are not filtered by context window before a call; context_window_fallbacks are checked before a call)');
  }
  for (const key of Object.keys(rs.routing_strategy_args ?? {})) {
    if (!READ_STRATEGY_ARGS.has(key)) out.push(`router_settings.routing_strategy_args.${key}: not acted on (only ${[...READ_STRATEGY_ARGS].join(' and ')} are read)`);
  }
  if (ls.set_verbose !== undefined) out.push('litellm_settings.set_verbose: not acted on (the request log is always one line per request)');
  for (const cb of ls.callbacks ?? []) {
    if (cb !== 'otel' && cb !== 'prometheus') out.push(`litellm_settings.callbacks: "${cb}" is not acted on (only "otel" and "prometheus" are)`);
  }
  if (ls.json_logs !== undefined) out.push('litellm_settings.json_logs: not acted on (the request log is plain text)');
  const cache = ls.cache_params;
  if (cache?.type !== undefined && cache.type !== 'local' && cache.type !== 'redis') out.push(`litellm_settings.cache_params.type: ${cache.type} is not acted on; the cache is in memory (local), or in Redis with type: redis`);
  if (cache?.type === 'redis' && ls.cache !== true) out.push('litellm_settings.cache_params.type: redis names the shared Redis, but litellm_settings.cache is not true: no answers are cached');
  if (cache?.supported_call_types !== undefined) out.push('litellm_settings.cache_params.supported_call_types: not acted on (only chat completions are cached)');
  file.model_list.forEach((entry, i) => {
    for (const key of UNREAD_MODEL_INFO) {
      if (entry.model_info?.[key] !== undefined) out.push(`model_list[${i}].model_info.${key}: not acted on`);
    }
  });
  return out;
}
