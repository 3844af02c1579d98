/** The `anthropic/` provider prefix (LiteLLM naming) and its defaults. */
import type { ProviderPreset } from '../preset';
import { anthropicAdapter } from './adapter';

export const anthropicPresets: Record<string, ProviderPreset> = {
  anthropic: {
    adapter: anthropicAdapter,
    defaultApiBase: 'https://api.anthropic.com',
    apiKeyEnv: ['ANTHROPIC_API_KEY'],
    // LiteLLM reads ANTHROPIC_API_BASE; Anthropic's own SDKs read ANTHROPIC_BASE_URL.
    apiBaseEnv: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'],
    keyRequired: true,
    local: false,
    docs: 'https://docs.anthropic.com/en/api/messages',
  },
};
