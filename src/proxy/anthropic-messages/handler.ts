/**
 * `POST /v1/messages` and `/v1/messages/count_tokens`: the Anthropic Messages API over the core,
 * for any configured model (same router, budgets, cache and accounting as chat completions).
 */
import { AnyModelError } from '../../core';
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
 * Counted by Anthropic itself for an Anthropic-backed model; for any other model the core's
 * estimate (about four characters a token, images as the providers bill them).
 */
export async function handleCountTokens(ctx: ApiContext, body: unknown): Promise<void> {
  const req = parseClientBody(countTokensRequestSchema, body);
  if (!ctx.client.modelNames().includes(req.model)) {
    throw new AnyModelError({ kind: 'NotFound', param: 'model', message: `No model named "${req.model}" on this proxy` });
  }
  const counted = await ctx.client.countTokens(messagesToUnified({ ...req, max_tokens: 1 }), ctx.call);
  ctx.sendJson(200, { input_tokens: counted.inputTokens });
}
