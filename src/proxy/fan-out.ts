/**
 * Chat Completions `n` > 1: `n` parallel requests through the core (each routed, budgeted and
 * accounted on its own, never answered from the response cache, which would repeat one answer),
 * folded into one `chat.completion` with `n` choices and the summed usage and cost. Streaming
 * with `n` > 1 is refused: interleaved choices are left out for now. `n` is never sent upstream, not
 * even to OpenAI, whose `n` would bill the prompt once: the core's ChatResult is one choice
 * (docs/architecture.md#the-proxys-client-apis says why).
 */
import type { AnyModelClient, Answered, CallOptions, ChatRequest, ChatResult, Usage } from '../core';
import { AnyModelError } from '../core';
import { toChatCompletion } from './openai-format';

export async function fanOut(client: AnyModelClient, chat: ChatRequest, call: CallOptions): Promise<Answered<ChatResult> & { body: unknown }> {
  if (chat.stream) throw new AnyModelError({ kind: 'BadRequest', param: 'n', code: 'invalid_request', message: 'n > 1 is not supported with stream: true on this proxy; ask for the answers without streaming' });
  const { n = 1, ...one } = chat;
  const answers = await Promise.all(Array.from({ length: n }, () => client.chat(one, { ...call, noCache: true })));
  const first = answers[0]!;
  const usage = answers.map((a) => a.value.usage).reduce(sumUsage);
  const body = toChatCompletion({ ...first.value, usage }, chat.model) as { choices: unknown[] };
  body.choices = answers.map((a, index) => ({ ...(toChatCompletion(a.value, chat.model) as { choices: Record<string, unknown>[] }).choices[0], index }));
  return { ...first, value: { ...first.value, usage }, costUsd: answers.reduce((s, a) => s + a.costUsd, 0), attempts: Math.max(...answers.map((a) => a.attempts)), body };
}

function sumUsage(a: Usage, b: Usage): Usage {
  const out: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, totalTokens: a.totalTokens + b.totalTokens };
  for (const k of ['cachedInputTokens', 'cacheWriteInputTokens', 'reasoningTokens'] as const) {
    if (a[k] !== undefined || b[k] !== undefined) out[k] = (a[k] ?? 0) + (b[k] ?? 0);
  }
  return out;
}
