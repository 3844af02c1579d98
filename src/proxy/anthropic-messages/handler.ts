/**
 * `POST /v1/messages` and `/v1/messages/count_tokens`: the Anthropic Messages API over the core,
 * for any configured model (same router, budgets, cache and accounting as chat completions).
 */
import { AnyModelError, contentText } from '../../core';
import type { ChatRequest } from '../../core';
import type { ApiContext } from '../client-apis';
import { parseClientBody } from '../validate';
import { countTokensRequestSchema, messagesRequestSchema } from './schema';
import { messagesToUnified } from './to-unified';
import { toMessage } from './from-unified';
import { MessagesStreamWriter } from './stream-writer';

export async function handleMessages(ctx: ApiContext, body: unknown): Promise<void> {
  const req = parseClientBody(messagesRequestSchema, body);
  const chat = messagesToUnified(req);
  if (!req.stream) {
    const answered = await ctx.client.chat(chat, ctx.call);
    return ctx.sendJson(200, toMessage(answered.value, req.model), answered);
  }
  const handle = await ctx.client.streamChat(chat, ctx.call);
  ctx.startStream(handle);
  const writer = new MessagesStreamWriter(req.model);
  for await (const part of handle.parts) {
    if (ctx.gone()) return; // leaving the loop aborts the upstream request
    const out = writer.write(part);
    if (part.type === 'error') return ctx.end(out);
    await ctx.write(out);
  }
  ctx.end();
}

/**
 * An estimate, not the provider's tokenizer: about four characters a token for text and JSON
 * (OpenAI's and Anthropic's rule of thumb), and Anthropic's ≈1,600 tokens for an image at the
 * largest size it keeps (https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size).
 */
export function handleCountTokens(ctx: ApiContext, body: unknown): void {
  const req = parseClientBody(countTokensRequestSchema, body);
  if (!ctx.client.modelNames().includes(req.model)) {
    throw new AnyModelError({ kind: 'NotFound', param: 'model', message: `No model named "${req.model}" on this proxy` });
  }
  const chat = messagesToUnified({ ...req, max_tokens: 1 });
  ctx.sendJson(200, { input_tokens: estimateTokens(chat) });
}

export function estimateTokens(chat: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let chars = 0;
  let images = 0;
  for (const m of chat.messages) {
    chars += 12; // role and turn framing
    if (m.role === 'assistant') {
      chars += contentText(m.content).length;
      for (const tc of m.tool_calls ?? []) chars += tc.function.name.length + tc.function.arguments.length;
      for (const b of m.thinking_blocks ?? []) chars += b.type === 'thinking' ? b.thinking.length : 0;
    } else if (typeof m.content === 'string') chars += m.content.length;
    else for (const p of m.content) {
      if (p.type === 'text') chars += p.text.length;
      else images++;
    }
  }
  for (const t of chat.tools ?? []) chars += JSON.stringify(t.function).length;
  return Math.max(1, Math.ceil(chars / 4) + images * 1600);
}
