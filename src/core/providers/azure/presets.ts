/** The `azure/` provider prefix (LiteLLM naming) and its defaults. */
import type { ProviderPreset } from '../preset';
import { azureAdapter } from './adapter';

export const azurePresets: Record<string, ProviderPreset> = {
  azure: { adapter: azureAdapter, apiKeyEnv: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'], apiBaseEnv: ['AZURE_API_BASE', 'AZURE_OPENAI_ENDPOINT'], apiVersionEnv: ['AZURE_API_VERSION'], keyRequired: true, local: false, docs: 'https://learn.microsoft.com/azure/ai-services/openai/reference' },
};
