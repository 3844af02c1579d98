/** What the registry knows about a provider prefix: its adapter and its defaults. */
import type { ProviderAdapter } from './adapter';

export interface ProviderPreset {
  adapter: ProviderAdapter;
  /** Used when the deployment gives no `api_base`. */
  defaultApiBase?: string;
  /** Environment variables read, in order, for the key when the deployment gives none. */
  apiKeyEnv: readonly string[];
  /** Environment variables read for the api_base when the deployment gives none. */
  apiBaseEnv?: readonly string[];
  /** Environment variables read for the api_version when the deployment gives none (Azure). */
  apiVersionEnv?: readonly string[];
  /** Whether a request without a key is refused before it is sent. */
  keyRequired: boolean;
  /** Runs on the user's machine or network: no key, no cost. */
  local: boolean;
  /** The provider's API reference, for error messages and docs. */
  docs: string;
}
