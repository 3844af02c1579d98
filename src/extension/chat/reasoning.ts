/**
 * Which models reason before answering, and the request fields for the effort the user chose.
 * LiteLLM's `model_info.supports_reasoning` decides when the config gives it; otherwise a table of
 * the reasoning model families (the providers' model pages: OpenAI o-series and gpt-5, Claude 3.7
 * and 4.x extended thinking, Gemini 2.5+ thinking, DeepSeek R1 / deepseek-reasoner, Qwen3 / QwQ,
 * gpt-oss, Magistral, Grok 3 mini / 4, Phi-4 reasoning; Ollama's "thinking" models are the same
 * families).
 */
import type { ChatRequest, Deployment } from '../../core';
import type { ReasoningEffort } from '../../shared/protocol';

const REASONING_FAMILIES: readonly RegExp[] = [
  /(^|\/)o[1-9](-|$)/, /gpt-5/, /gpt-oss/,
  /claude-3[-.]7/, /claude-(sonnet|opus|haiku)-4/, /claude-4/,
  /gemini-(2\.5|[3-9])/,
  /deepseek-r1/, /deepseek-reasoner/, /qwen3/, /qwq/, /magistral/, /grok-(3-mini|4)/, /phi4-(mini-)?reasoning/,
];

export function supportsReasoning(deployment: Pick<Deployment, 'model' | 'modelInfo'>): boolean {
  const declared = deployment.modelInfo?.supports_reasoning;
  if (typeof declared === 'boolean') return declared;
  const model = deployment.model.toLowerCase();
  return REASONING_FAMILIES.some((family) => family.test(model));
}

/**
 * The request fields for `effort`. Off is `thinking: disabled`: Anthropic, Gemini (a budget of 0)
 * and Ollama (`think: false`) switch thinking off; the core drops it for OpenAI, whose reasoning
 * models cannot stop reasoning, so they keep their default there.
 */
export function reasoningParams(effort: ReasoningEffort): Pick<ChatRequest, 'reasoning_effort' | 'thinking'> {
  return effort === 'off' ? { thinking: { type: 'disabled' } } : { reasoning_effort: effort };
}

export const DEFAULT_EFFORT: ReasoningEffort = 'medium';
