/**
 * A deployment: one concrete model at one provider endpoint with its credentials, resolved from the
 * config (a LiteLLM `model_list` entry) or from a bare `provider/model` id.
 */
import type { CacheControlInjectionPoint } from '../cache-injection';

export interface Deployment {
  /** The name clients ask for (LiteLLM `model_name`); deployments sharing it form a model group. */
  modelName: string;
  /** The provider prefix of the model id: `openai`, `azure`, `anthropic`, `gemini`, `ollama_chat`, ... */
  provider: string;
  /** The provider's own model name (the id after the prefix); for Azure, the deployment name. */
  model: string;
  /** Origin the provider's documented path is appended to: docs/architecture.md#model-ids-and-endpoints */
  apiBase?: string;
  apiKey?: string;
  /** The config's `api_key` is `os.environ/<this>` and the variable is not set: calls fail, naming it. */
  unsetKeyEnv?: string;
  /** Azure `api-version`. */
  apiVersion?: string;
  /** Azure Entra ID bearer token, used instead of `api-key`. */
  azureAdToken?: string;
  /** Extra headers sent to the provider (from config only, never from a client request). */
  headers?: Record<string, string>;
  /** Total request timeout in ms. */
  timeoutMs?: number;
  /** Idle timeout between stream chunks, in ms. */
  streamIdleTimeoutMs?: number;
  /** Default request parameters (`max_tokens`, `temperature`, ...) applied when the request lacks them. */
  defaults?: Record<string, unknown>;
  /** Provider-specific options passed through as documented (e.g. Ollama `keep_alive`). */
  providerOptions?: Record<string, unknown>;
  /** Drop parameters the provider does not support instead of failing. */
  dropParams?: boolean;
  /** Load balancing and accounting fields (LiteLLM `rpm`, `tpm`, `weight`, `order`). */
  rpm?: number;
  tpm?: number;
  weight?: number;
  order?: number;
  /** Messages that get a prompt-cache marker when the provider takes them (LiteLLM `cache_control_injection_points`). */
  cacheControlInjectionPoints?: CacheControlInjectionPoint[];
  /** LiteLLM `model_info` (context window, prices, mode) as given in config. */
  modelInfo?: Record<string, unknown>;
  /** A stable id for logs and headers: `provider/model@host`. Never contains a key. */
  id: string;
}
