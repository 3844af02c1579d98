/**
 * Anthropic usage → unified usage. Anthropic's `input_tokens` counts only the prompt tokens that
 * were neither read from nor written to the prompt cache ("total input tokens is the summation of
 * input_tokens, cache_creation_input_tokens and cache_read_input_tokens",
 * https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance);
 * our `inputTokens` counts the whole prompt, so the three are added up.
 */
import { makeUsage, type Usage } from '../../types/result';
import type { AnthropicUsage } from './schemas';

export function mapUsage(u: AnthropicUsage | null | undefined): Usage {
  const cacheRead = u?.cache_read_input_tokens ?? undefined;
  const cacheWrite = u?.cache_creation_input_tokens ?? undefined;
  const input = (u?.input_tokens ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  return makeUsage(input, u?.output_tokens ?? 0, {
    cachedInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    // Thinking tokens are billed as (and included in) output_tokens.
    reasoningTokens: u?.output_tokens_details?.thinking_tokens ?? undefined,
    raw: u ?? undefined,
  });
}

/**
 * Folds a `message_delta` usage into the one from `message_start`: every counter there is a
 * cumulative total for the whole message, present only when it applies, so a present value
 * replaces the earlier one and is never added.
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming ("the token counts shown in the
 * usage field of the message_delta event are cumulative")
 */
export function mergeUsage(start: AnthropicUsage | undefined, delta: AnthropicUsage | null | undefined): AnthropicUsage | undefined {
  if (!delta) return start;
  const out: AnthropicUsage = { ...start };
  for (const [k, v] of Object.entries(delta)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}
