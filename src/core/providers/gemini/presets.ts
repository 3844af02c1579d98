/** The `gemini/` provider prefix (LiteLLM naming) and its defaults. */
import type { ProviderPreset } from '../preset';
import { geminiAdapter } from './adapter';

export const geminiPresets: Record<string, ProviderPreset> = {
  gemini: { adapter: geminiAdapter, defaultApiBase: 'https://generativelanguage.googleapis.com', apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], apiBaseEnv: ['GEMINI_API_BASE'], keyRequired: true, local: false, docs: 'https://ai.google.dev/api' },
};
