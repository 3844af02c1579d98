/**
 * LiteLLM's `cache_control_injection_points` (a deployment's `litellm_params`): prompt-cache markers
 * put on chosen messages for the client, so a long system prompt is cached without the client
 * knowing about Anthropic's `cache_control` (https://docs.litellm.ai/docs/tutorials/prompt_caching).
 * As in LiteLLM's AnthropicCacheControlHook: a point with an `index` marks that message (negative
 * counts from the end), otherwise every message with its `role`; the marker goes on the message's
 * last content part, a string content becoming one text part.
 */
import type { CacheControl, ChatMessage } from './types/request';

export interface CacheControlInjectionPoint {
  location: 'message';
  role?: ChatMessage['role'];
  index?: number;
  /** The marker to inject; `{type: "ephemeral"}` when not given (LiteLLM's default). */
  control?: CacheControl;
}

const EPHEMERAL: CacheControl = { type: 'ephemeral' };

/** The messages with the markers injected; the input is not modified. */
export function injectCacheControl(messages: readonly ChatMessage[], points: readonly CacheControlInjectionPoint[]): ChatMessage[] {
  const out = [...messages];
  for (const point of points) {
    const control = point.control ?? EPHEMERAL;
    if (point.index !== undefined) {
      const i = point.index < 0 ? out.length + point.index : point.index;
      if (i >= 0 && i < out.length) out[i] = marked(out[i]!, control);
    } else if (point.role) {
      out.forEach((m, i) => { if (m.role === point.role) out[i] = marked(m, control); });
    }
  }
  return out;
}

function marked(m: ChatMessage, control: CacheControl): ChatMessage {
  const content = m.content;
  // An assistant turn that only calls tools has no text to mark; LiteLLM leaves it as it is too.
  if (content === null || content === undefined || content.length === 0) return m;
  if (typeof content === 'string') return { ...m, content: [{ type: 'text', text: content, cache_control: control }] } as ChatMessage;
  const parts = [...content];
  parts[parts.length - 1] = { ...parts.at(-1)!, cache_control: control };
  return { ...m, content: parts } as ChatMessage;
}
