/**
 * The config schema: the subset of LiteLLM's proxy `config.yaml` AnyModel reads unchanged
 * (https://docs.litellm.ai/docs/proxy/configs). Values may be `os.environ/NAME` references, resolved
 * by `loadConfig`. Unknown keys are reported as warnings by `unknownKeys`, not errors, so a team's
 * existing file loads.
 */
import { z } from 'zod';
import { cacheControlSchema } from '../types/request';

const num = z.coerce.number();
const nonNegative = num.refine((n) => n >= 0, 'must be zero or more');
const positive = num.refine((n) => n > 0, 'must be more than zero');

const port = num.int().min(1, 'must be a port from 1 to 65535').max(65535, 'must be a port from 1 to 65535');
/** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS (as LiteLLM's REDIS_URL). */
export const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)');

/** A list of `{ group: [fallback, ...] }` maps, LiteLLM's fallback format. */
const fallbackList = z.array(z.record(z.string(), z.array(z.string())));

/**
 * LiteLLM's `cache_control_injection_points` (https://docs.litellm.ai/docs/tutorials/prompt_caching):
 * which messages get a prompt-cache marker, by role or by index (negative from the end).
 */
const cacheInjectionPointSchema = z.object({
  location: z.literal('message', { message: 'only "message" injection points exist' }),
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']).optional(),
  index: num.int().optional(),
  control: cacheControlSchema.optional(),
}).refine((p) => p.role !== undefined || p.index !== undefined, 'needs a role or an index (which messages to mark)');

export const litellmParamsSchema = z.object({
  model: z.string().min(1, 'is required (a provider/model id such as openai/gpt-4o)'),
  api_base: z.url({ message: 'must be a URL such as http://127.0.0.1:11434' }).optional(),
  base_url: z.url().optional(),
  api_key: z.string().optional(),
  api_version: z.string().optional(),
  azure_ad_token: z.string().optional(),
  rpm: positive.optional(),
  tpm: positive.optional(),
  weight: nonNegative.optional(),
  order: num.int().optional(),
  /** Seconds, as in LiteLLM. */
  timeout: positive.optional(),
  stream_timeout: positive.optional(),
  max_tokens: num.int().positive().optional(),
  max_completion_tokens: num.int().positive().optional(),
  temperature: num.optional(),
  top_p: num.optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: num.int().optional(),
  drop_params: z.boolean().optional(),
  extra_headers: z.record(z.string(), z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Ollama: how long the model stays loaded (https://github.com/ollama/ollama/blob/main/docs/api.md). */
  keep_alive: z.union([z.string(), z.number()]).optional(),
  /** Ollama's context length for every request to this deployment; unset, it is sized per request. */
  num_ctx: z.number().int().positive().optional(),
  input_cost_per_token: nonNegative.optional(),
  output_cost_per_token: nonNegative.optional(),
  cache_read_input_token_cost: nonNegative.optional(),
  cache_creation_input_token_cost: nonNegative.optional(),
  cache_control_injection_points: z.array(cacheInjectionPointSchema).optional(),
});

export const modelInfoSchema = z.object({
  id: z.string().optional(),
  mode: z.enum(['chat', 'embedding', 'completion', 'image_generation', 'audio_transcription', 'rerank']).optional(),
  base_model: z.string().optional(),
  max_tokens: num.int().positive().optional(),
  max_input_tokens: num.int().positive().optional(),
  max_output_tokens: num.int().positive().optional(),
  input_cost_per_token: nonNegative.optional(),
  output_cost_per_token: nonNegative.optional(),
  supports_vision: z.boolean().optional(),
  supports_function_calling: z.boolean().optional(),
});

export const modelEntrySchema = z.object({
  model_name: z.string().min(1, 'is required (the name clients ask for)'),
  litellm_params: litellmParamsSchema,
  model_info: modelInfoSchema.optional(),
});

export const routingStrategySchema = z.enum([
  'simple-shuffle', 'least-busy', 'latency-based-routing', 'cost-based-routing', 'usage-based-routing', 'usage-based-routing-v2',
]);

export const routerSettingsSchema = z.object({
  routing_strategy: routingStrategySchema.optional(),
  num_retries: num.int().min(0).optional(),
  timeout: positive.optional(),
  allowed_fails: num.int().min(0).optional(),
  cooldown_time: nonNegative.optional(),
  retry_after: nonNegative.optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  content_policy_fallbacks: fallbackList.optional(),
  default_fallbacks: z.array(z.string()).optional(),
  /** A name clients may ask for → the group that answers it; `hidden` keeps it out of /v1/models (LiteLLM's format). */
  model_group_alias: z.record(z.string(), z.union([z.string().min(1), z.object({ model: z.string().min(1), hidden: z.boolean().optional() })])).optional(),
  routing_strategy_args: z.record(z.string(), z.unknown()).optional(),
  enable_pre_call_checks: z.boolean().optional(),
  /** The Redis that several proxies share their state in (LiteLLM's router settings; docs/architecture.md#shared-state). */
  redis_host: z.string().min(1).optional(),
  redis_port: port.optional(),
  redis_password: z.string().optional(),
  redis_url: redisUrl.optional(),
});

export const cacheParamsSchema = z.object({
  type: z.enum(['local', 'redis', 'redis-semantic', 's3', 'disk']).optional(),
  /** `type: redis`: where the Redis is (LiteLLM's cache_params). */
  host: z.string().min(1).optional(),
  port: port.optional(),
  password: z.string().optional(),
  url: redisUrl.optional(),
  /** A prefix for the keys, so that several teams can share one Redis. */
  namespace: z.string().min(1).optional(),
  ttl: positive.optional(),
  max_size: num.int().positive().optional(),
  supported_call_types: z.array(z.string()).optional(),
});

export const litellmSettingsSchema = z.object({
  num_retries: num.int().min(0).optional(),
  request_timeout: positive.optional(),
  drop_params: z.boolean().optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  content_policy_fallbacks: fallbackList.optional(),
  default_fallbacks: z.array(z.string()).optional(),
  cache: z.boolean().optional(),
  cache_params: cacheParamsSchema.optional(),
  /** Spend limit in USD per budget_duration over all models (LiteLLM's proxy budget). */
  max_budget: nonNegative.optional(),
  budget_duration: z.enum(['1d', '24h'], { message: 'only daily budgets are supported: use 1d' }).optional(),
  /** Spend limit per model group: `{ gpt-4o: { budget_limit: 5, time_period: 1d } }` (LiteLLM's format). */
  model_max_budget: z.record(z.string(), z.object({ budget_limit: nonNegative, time_period: z.enum(['1d', '24h'], { message: 'only daily budgets are supported: use 1d' }).optional() })).optional(),
  set_verbose: z.boolean().optional(),
  json_logs: z.boolean().optional(),
  /** LiteLLM's logging callbacks; AnyModel acts on "otel" (OpenTelemetry spans) and "prometheus" (/metrics). */
  callbacks: z.array(z.string()).optional(),
  /** LiteLLM's switch for /metrics; AnyModel's /metrics needs the master key unless this is false. */
  require_auth_for_metrics_endpoint: z.boolean().optional(),
});

export const generalSettingsSchema = z.object({
  master_key: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Largest accepted request body, in megabytes. */
  max_request_size_mb: positive.optional(),
});

export const configFileSchema = z.object({
  model_list: z.array(modelEntrySchema).default([]),
  router_settings: routerSettingsSchema.default({}),
  litellm_settings: litellmSettingsSchema.default({}),
  general_settings: generalSettingsSchema.default({}),
  environment_variables: z.record(z.string(), z.string()).optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type RouterSettings = z.infer<typeof routerSettingsSchema>;
export type LitellmSettings = z.infer<typeof litellmSettingsSchema>;

/**
 * Paths of keys in `raw` that `schema` does not declare, e.g. `litellm_settings.telemetry`.
 * Walks objects and arrays of objects; record fields (free-form maps) are not checked.
 */
export function unknownKeys(schema: z.ZodType, raw: unknown, path = ''): string[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodArray && Array.isArray(raw)) {
    return raw.flatMap((item, i) => unknownKeys(inner.element as z.ZodType, item, `${path}[${i}]`));
  }
  if (!(inner instanceof z.ZodObject) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const shape = inner.shape as Record<string, z.ZodType>;
  const out: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const child = shape[key];
    const here = path ? `${path}.${key}` : key;
    if (!child) out.push(here);
    else out.push(...unknownKeys(child, value, here));
  }
  return out;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s;
}
