/** The `ollama/` and `ollama_chat/` provider prefixes (LiteLLM naming): one adapter, one preset. */
import type { ProviderPreset } from '../preset';
import { ollamaAdapter } from './adapter';

const preset: ProviderPreset = { adapter: ollamaAdapter, defaultApiBase: 'http://127.0.0.1:11434', apiKeyEnv: ['OLLAMA_API_KEY'], apiBaseEnv: ['OLLAMA_API_BASE'], keyRequired: false, local: true, docs: 'https://github.com/ollama/ollama/blob/main/docs/api.md' };

export const ollamaPresets: Record<string, ProviderPreset> = { ollama: preset, ollama_chat: preset };
