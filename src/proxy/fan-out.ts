/**
 * Chat Completions `n` > 1. The first request carries `n`: a provider that answers it itself
 * (OpenAI, Azure, vLLM) returns every choice and bills the prompt once. Whatever is missing after
 * it (a provider without `n`, or a fallback to one) is asked for as parallel single requests, each
 * routed, budgeted and accounted on its own. None is answered from the response cache, which would
 * repeat one answer. The reply is one `chat.completion` with `n` choices and the summed usage and
 * cost. Streaming with `n` > 1 is refused: interleaved choices are left out for now
 * (docs/architecture.md#the-proxys-client-apis).
 */
import type { AnyModelClient, Answered, CallOptions, ChatRequest, ChatResult, Usage } from '../core';
import { AnyModelError } from '../core';

export async function fanOut(client: AnyModelClient, chat: ChatRequest, call: CallOptions): Promise<Answered<ChatResult>> {
  if (chat.stream) throw new AnyModelError({ kind: 'BadRequest', param: 'n', code: 'invalid_request', message: 'n > 1 is not supported with stream: true on this proxy; ask for the answers without streaming' });
  const { n = 1, ...one } = chat;
  const first = await client.chat(chat, { ...call, noCache: true });
  const missing = Math.max(0, n - 1 - (first.value.moreChoices?.length ?? 0));
  const rest = await Promise.all(Array.from({ length: missing }, () => client.chat(one, { ...call, noCache: true })));
  const answers = [first, ...rest];
  const value: ChatResult = {
    ...first.value,
    moreChoices: [...(first.value.moreChoices ?? []), ...rest.map((a) => a.value)].slice(0, n - 1),
    usage: answers.map((a) => a.value.usage).reduce(sumUsage),
  };
  return { ...first, value, costUsd: answers.reduce((s, a) => s + a.costUsd, 0), attempts: Math.max(...answers.map((a) => a.attempts)) };
}

function sumUsage(a: Usage, b: Usage): Usage {
  const out: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, totalTokens: a.totalTokens + b.totalTokens };
  for (const k of ['cachedInputTokens', 'cacheWriteInputTokens', 'reasoningTokens'] as const) {
    if (a[k] !== undefined || b[k] !== undefined) out[k] = (a[k] ?? 0) + (b[k] ?? 0);
  }
  return out;
}
