/**
 * `POST /v1/responses`: the Responses API over the core, for any configured model. With
 * `store` (the default, as in OpenAI's API) the conversation is kept in this process for
 * `previous_response_id` (see ./store.ts).
 */
import { StreamAccumulator } from '../../core';
import type { ChatMessage } from '../../core';
import type { ApiContext } from '../client-apis';
import { badRequest, parseClientBody } from '../validate';
import { IGNORED_FIELDS, responsesRequestSchema, type ResponsesRequest } from './schema';
import { inputMessages, responsesToUnified } from './to-unified';
import { assistantTurn, newId, outputItems, responseObject } from './from-unified';
import { ResponsesStreamWriter } from './stream-writer';

export async function handleResponses(ctx: ApiContext, body: unknown): Promise<void> {
  const req = parseClientBody(responsesRequestSchema, body, IGNORED_FIELDS);
  const history = [...previous(ctx, req), ...inputMessages(req.input)];
  const chat = responsesToUnified(req, history);
  const id = newId('resp');
  const keep = (r: Parameters<typeof assistantTurn>[0]) => { if (req.store !== false) ctx.responses.set(id, [...history, assistantTurn(r)]); };
  if (!req.stream) {
    const answered = await ctx.client.chat(chat, ctx.call);
    keep(answered.value);
    const r = answered.value;
    return ctx.sendJson(200, responseObject(id, r.created, req, outputItems(r), r.finishReason, r.usage), answered);
  }
  const handle = await ctx.client.streamChat(chat, ctx.call);
  ctx.startStream(handle);
  const writer = new ResponsesStreamWriter(id, req);
  const acc = new StreamAccumulator();
  await ctx.write(writer.start());
  for await (const part of handle.parts) {
    if (ctx.gone()) return; // leaving the loop aborts the upstream request
    const out = writer.write(part);
    if (part.type === 'error') return ctx.end(out);
    acc.add(part);
    if (part.type === 'finish') keep(acc.result(part, req.model));
    await ctx.write(out);
  }
  ctx.end();
}

function previous(ctx: ApiContext, req: ResponsesRequest): ChatMessage[] {
  if (!req.previous_response_id) return [];
  const stored = ctx.responses.get(req.previous_response_id);
  if (!stored) throw badRequest(`Previous response with id '${req.previous_response_id}' not found (responses are kept in this proxy's memory while it runs, and only with store: true)`, 'previous_response_id');
  return stored;
}
