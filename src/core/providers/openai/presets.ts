/**
 * OpenAI and the OpenAI-compatible servers that reuse its adapter. Key variable names follow
 * LiteLLM's, so an environment set up for LiteLLM works unchanged.
 */
import type { ProviderPreset } from '../preset';
import { bearerAuth, createOpenAICompatibleAdapter, openaiAdapter } from './adapter';
import type { OpenAICompatibleOptions } from './adapter';

/** A compatible server at `{api_base}{path}` with bearer auth and the given capability differences. */
function compatible(family: string, capabilities?: OpenAICompatibleOptions['capabilities'], extra: Partial<OpenAICompatibleOptions> = {}) {
  return createOpenAICompatibleAdapter({ family, url: (dep, path) => `${dep.apiBase}${path}`, authHeaders: bearerAuth, capabilities, ...extra });
}

const chatOnly = { embeddings: false, completions: false } as const;

export const openaiPresets: Record<string, ProviderPreset> = {
  openai: { adapter: openaiAdapter, defaultApiBase: 'https://api.openai.com/v1', apiKeyEnv: ['OPENAI_API_KEY'], apiBaseEnv: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'], keyRequired: false, local: false, docs: 'https://platform.openai.com/docs/api-reference' },
  // vLLM's OpenAI server: https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html
  hosted_vllm: { adapter: compatible('hosted_vllm', { choices: true }), apiKeyEnv: ['HOSTED_VLLM_API_KEY'], apiBaseEnv: ['HOSTED_VLLM_API_BASE'], keyRequired: false, local: true, docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html' },
  // https://console.groq.com/docs/openai: no embeddings, no legacy completions, no images on most models.
  groq: { adapter: compatible('groq', chatOnly), defaultApiBase: 'https://api.groq.com/openai/v1', apiKeyEnv: ['GROQ_API_KEY'], keyRequired: true, local: false, docs: 'https://console.groq.com/docs/openai' },
  // https://api-docs.deepseek.com: chat only, no image input.
  deepseek: { adapter: compatible('deepseek', { ...chatOnly, vision: false, unsupportedParams: ['seed'] }), defaultApiBase: 'https://api.deepseek.com/v1', apiKeyEnv: ['DEEPSEEK_API_KEY'], keyRequired: true, local: false, docs: 'https://api-docs.deepseek.com/api/create-chat-completion' },
  // https://docs.mistral.ai/api: `random_seed` instead of seed, embeddings at /v1/embeddings.
  mistral: { adapter: compatible('mistral', { completions: false, unsupportedParams: ['seed', 'user'] }), defaultApiBase: 'https://api.mistral.ai/v1', apiKeyEnv: ['MISTRAL_API_KEY'], keyRequired: true, local: false, docs: 'https://docs.mistral.ai/api/' },
  // https://openrouter.ai/docs/api-reference/overview
  openrouter: { adapter: compatible('openrouter', { embeddings: false }), defaultApiBase: 'https://openrouter.ai/api/v1', apiKeyEnv: ['OPENROUTER_API_KEY'], keyRequired: true, local: false, docs: 'https://openrouter.ai/docs/api-reference/overview' },
  // https://docs.together.ai/docs/openai-api-compatibility
  together_ai: { adapter: compatible('together_ai'), defaultApiBase: 'https://api.together.xyz/v1', apiKeyEnv: ['TOGETHERAI_API_KEY', 'TOGETHER_API_KEY'], keyRequired: true, local: false, docs: 'https://docs.together.ai/docs/openai-api-compatibility' },
  // https://docs.x.ai/docs/api-reference
  xai: { adapter: compatible('xai', { completions: false }), defaultApiBase: 'https://api.x.ai/v1', apiKeyEnv: ['XAI_API_KEY'], keyRequired: true, local: false, docs: 'https://docs.x.ai/docs/api-reference' },
  // https://lmstudio.ai/docs/app/api/endpoints/openai
  lm_studio: { adapter: compatible('lm_studio'), defaultApiBase: 'http://127.0.0.1:1234/v1', apiKeyEnv: ['LM_STUDIO_API_KEY'], apiBaseEnv: ['LM_STUDIO_API_BASE'], keyRequired: false, local: true, docs: 'https://lmstudio.ai/docs/app/api/endpoints/openai' },
  // A team's LiteLLM proxy: https://docs.litellm.ai/docs/providers/litellm_proxy
  litellm_proxy: { adapter: compatible('litellm_proxy'), apiKeyEnv: ['LITELLM_PROXY_API_KEY', 'LITELLM_API_KEY'], apiBaseEnv: ['LITELLM_PROXY_API_BASE'], keyRequired: false, local: false, docs: 'https://docs.litellm.ai/docs/providers/litellm_proxy' },
  // Hugging Face Inference Providers router (https://huggingface.co/docs/inference-providers/index),
  // OpenAI-compatible for chat; with an api_base, a self-hosted TGI or Inference Endpoint, whose
  // Messages API is OpenAI-compatible too (https://huggingface.co/docs/text-generation-inference/messages_api).
  // The router has no OpenAI-style /embeddings route; a TEI/TGI endpoint given as api_base does
  // (https://huggingface.github.io/text-embeddings-inference/ `POST /v1/embeddings`).
  huggingface: { adapter: compatible('huggingface', { completions: false }), defaultApiBase: 'https://router.huggingface.co/v1', apiKeyEnv: ['HF_TOKEN', 'HUGGINGFACE_API_KEY'], apiBaseEnv: ['HUGGINGFACE_API_BASE'], keyRequired: false, local: false, docs: 'https://huggingface.co/docs/inference-providers/index' },
};
