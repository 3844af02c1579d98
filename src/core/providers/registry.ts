/**
 * Provider prefixes (LiteLLM's `provider/model` naming) mapped to their adapter and defaults.
 * OpenAI-compatible servers share the OpenAI adapter and differ only in their preset.
 */
import type { ProviderPreset } from './preset';
import { openaiPresets } from './openai/presets';
import { azurePresets } from './azure/presets';
import { anthropicPresets } from './anthropic/presets';
import { geminiPresets } from './gemini/presets';
import { ollamaPresets } from './ollama/presets';
import { AnyModelError } from '../types/errors';
import type { Deployment } from '../types/deployment';
import type { ProviderAdapter } from './adapter';

export const PROVIDERS: Readonly<Record<string, ProviderPreset>> = {
  ...openaiPresets,
  ...azurePresets,
  ...anthropicPresets,
  ...geminiPresets,
  ...ollamaPresets,
};

export function getPreset(provider: string): ProviderPreset {
  const preset = PROVIDERS[provider];
  if (!preset) {
    throw new AnyModelError({
      kind: 'BadRequest',
      message: `Unknown provider "${provider}". Known providers: ${Object.keys(PROVIDERS).sort().join(', ')}`,
    });
  }
  return preset;
}

/** The adapter for a deployment, after checking that a key is there when its provider needs one. */
export function keyedAdapter(dep: Deployment): ProviderAdapter {
  const preset = getPreset(dep.provider);
  if (dep.unsetKeyEnv) {
    throw new AnyModelError({
      kind: 'Authentication',
      provider: dep.provider,
      model: dep.model,
      message: `No API key for ${dep.provider} (${dep.modelName}): its api_key is os.environ/${dep.unsetKeyEnv} and ${dep.unsetKeyEnv} is not set. Set it; no other key is sent in its place.`,
    });
  }
  if (preset.keyRequired && !dep.apiKey && !dep.azureAdToken) {
    throw new AnyModelError({
      kind: 'Authentication',
      provider: dep.provider,
      model: dep.model,
      message: `No API key for ${dep.provider} (${dep.modelName}). Set ${preset.apiKeyEnv.join(' or ') || 'api_key'} or litellm_params.api_key.`,
    });
  }
  return preset.adapter;
}

// Bare model names LiteLLM routes without a prefix, so that `model: gpt-4o` keeps working.
const INFERRED: readonly [RegExp, string][] = [
  [/^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage)/, 'openai'],
  [/^claude-/, 'anthropic'],
  [/^(gemini-|text-embedding-004|gemini-embedding)/, 'gemini'],
];

/** Splits `provider/model` (the model may itself contain slashes: `huggingface/org/model`). */
export function parseModelId(id: string): { provider: string; model: string } {
  const slash = id.indexOf('/');
  if (slash > 0) {
    const provider = id.slice(0, slash);
    if (PROVIDERS[provider]) return { provider, model: id.slice(slash + 1) };
  }
  for (const [re, provider] of INFERRED) if (re.test(id)) return { provider, model: id };
  throw new AnyModelError({
    kind: 'BadRequest',
    param: 'model',
    message: `Cannot tell the provider of model "${id}". Use a provider/model id such as openai/gpt-4o, anthropic/claude-sonnet-4-5 or ollama_chat/llama3.2; known providers: ${Object.keys(PROVIDERS).sort().join(', ')}`,
  });
}
