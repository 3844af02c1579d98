/**
 * Checks and completes a request for one deployment before the adapter translates it: deployment
 * defaults fill missing parameters, `max_completion_tokens` folds into `max_tokens`, configured
 * prompt-cache points are marked, and a parameter
 * or content the provider cannot take is dropped (`drop_params`) or refused with a clear error.
 */
import { injectCacheControl } from './cache-injection';
import type { Capabilities, StreamDecoder } from './providers/adapter';
import type { Deployment } from './types/deployment';
import { AnyModelError } from './types/errors';
import { OPTIONAL_CHAT_PARAMS, effortForBudget, type ChatRequest } from './types/request';
import type { ChatResult, StreamPart, Warning } from './types/result';

/** What preparing a request dropped, keyed by the prepared request (it travels with it, unchanged). */
const DROPPED = new WeakMap<ChatRequest, Warning[]>();

/** `stream`: whether this call streams, whatever the request says (one copy of it, not two). */
export function prepareChatRequest(req: ChatRequest, dep: Deployment, caps: Capabilities, stream = req.stream): ChatRequest {
  const out: ChatRequest = { ...(dep.defaults as Partial<ChatRequest>), ...req, stream };
  if (out.max_completion_tokens !== undefined) {
    out.max_tokens ??= out.max_completion_tokens;
    delete out.max_completion_tokens;
  }
  if (!caps.chat) throw unsupported(dep, 'chat completions');
  // Markers only where they mean something: elsewhere they would change the wire for nothing.
  if (dep.cacheControlInjectionPoints && caps.promptCaching) out.messages = injectCacheControl(out.messages, dep.cacheControlInjectionPoints);
  if (stream && !caps.streaming) throw unsupported(dep, 'streaming');
  const hasImages = out.messages.some((m) => m.role === 'user' && Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'));
  if (hasImages && !caps.vision) throw unsupported(dep, 'image input');
  const usesTools = (out.tools?.length ?? 0) > 0 || out.messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && m.tool_calls?.length));
  if (usesTools && !caps.tools) throw unsupported(dep, 'tool calls');

  // Anthropic's `thinking` for a provider that only has OpenAI's reasoning_effort: the nearest effort.
  if (out.thinking && !caps.params.has('thinking') && caps.params.has('reasoning_effort')) {
    if (out.thinking.type === 'enabled') out.reasoning_effort ??= effortForBudget(out.thinking.budget_tokens);
    delete out.thinking;
  }
  let refused: string[] | undefined;
  let dropped: Warning[] | undefined;
  for (const param of OPTIONAL_CHAT_PARAMS) {
    if (out[param] === undefined || caps.params.has(param)) continue;
    if (dep.dropParams) {
      delete out[param];
      (dropped ??= []).push({ type: 'unsupported-setting', setting: param, message: `drop_params: ${dep.provider} does not support ${param} for ${dep.model}; it was dropped from the request` });
    } else (refused ??= []).push(param);
  }
  if (dropped) DROPPED.set(out, dropped);
  if (refused) {
    throw new AnyModelError({
      kind: 'UnsupportedParams',
      provider: dep.provider,
      model: dep.model,
      param: refused[0],
      message: `${dep.provider} does not support the parameter${refused.length > 1 ? 's' : ''} ${refused.join(', ')} for ${dep.model}. Remove ${refused.length > 1 ? 'them' : 'it'}, or set drop_params: true to drop unsupported parameters.`,
    });
  }
  return out;
}

/** The warnings of a prepared request (parameters `drop_params` removed). */
export function warningsOf(prepared: ChatRequest): Warning[] {
  return DROPPED.get(prepared) ?? [];
}

/** A whole answer with the warnings of the request that produced it. */
export function withWarnings(result: ChatResult, prepared: ChatRequest): ChatResult {
  const warnings = warningsOf(prepared);
  return warnings.length ? { ...result, warnings: [...(result.warnings ?? []), ...warnings] } : result;
}

/** A stream decoder whose first parts are the request's warnings, before any content. */
export function withWarningParts(decoder: StreamDecoder, prepared: ChatRequest): StreamDecoder {
  const warnings = warningsOf(prepared);
  if (!warnings.length) return decoder;
  let sent = false;
  const lead = (): StreamPart[] => {
    if (sent) return [];
    sent = true;
    return warnings.map((warning) => ({ type: 'warning', warning }));
  };
  return {
    onEvent: (event) => { const parts = decoder.onEvent(event); return [...lead(), ...parts]; },
    onEnd: () => { const parts = decoder.onEnd(); return [...lead(), ...parts]; },
  };
}

export function unsupported(dep: Deployment, what: string): AnyModelError {
  return new AnyModelError({
    kind: 'BadRequest',
    code: 'unsupported_capability',
    provider: dep.provider,
    model: dep.model,
    message: `${dep.provider}/${dep.model} does not support ${what}.`,
  });
}
