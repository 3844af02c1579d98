/**
 * `POST /v1/responses`: the Responses API over the core, for any configured model. With
 * `store` (the default, as in OpenAI's API) the response and its conversation are kept for
 * `previous_response_id` and `GET /v1/responses/{id}` (see ./store.ts).
 */
import { AnyModelError, StreamAccumulator } from '../../core';
import type { ChatMessage } from '../../core';
import type { ApiContext } from '../client-apis';
import { badRequest, parseClientBody } from '../validate';
import { IGNORED_FIELDS, responsesRequestSchema, type ResponsesRequest } from './schema';
import { inputMessages, responsesToUnified } from './to-unified';
import { assistantTurn, newId, outputItems, responseObject } from './from-unified';
import { ResponsesStreamWriter } from './stream-writer';
import type { ResponseStore } from './store';

export async function handleResponses(ctx: ApiContext, body: unknown): Promise<void> {
  const req = parseClientBody(responsesRequestSchema, body, IGNORED_FIELDS);
  const history = [...await previous(ctx, req), ...inputMessages(req.input)];
  const chat = responsesToUnified(req, history);
  const id = newId('resp');
  const keep = (r: Parameters<typeof assistantTurn>[0], response: Record<string, unknown> | undefined) => {
    if (req.store !== false && response) ctx.responses.set(id, { response, conversation: [...history, assistantTurn(r)] });
  };
  if (!req.stream) {
    const answered = await ctx.client.chat(chat, ctx.call);
    const r = answered.value;
    const response = responseObject(id, r.created, req, outputItems(r), r.finishReason, r.usage);
    keep(r, response);
    return ctx.sendJson(200, response, answered);
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
    if (part.type === 'finish') keep(acc.result(part, req.model), writer.completed);
    await ctx.write(out);
  }
  ctx.end();
}

async function previous(ctx: ApiContext, req: ResponsesRequest): Promise<ChatMessage[]> {
  if (!req.previous_response_id) return [];
  const stored = await ctx.responses.get(req.previous_response_id);
  if (!stored) throw badRequest(`Previous response with id '${req.previous_response_id}' not found (responses are kept by the proxy for 30 days, bounded, and only with store: true; in memory unless the proxies share a Redis)`, 'previous_response_id');
  return stored.conversation;
}

/** `GET /v1/responses/{id}`: the stored response, as it was returned; a 404 naming it otherwise. */
export async function getStoredResponse(responses: ResponseStore, id: string): Promise<Record<string, unknown>> {
  const stored = await responses.get(id);
  if (!stored) throw notFound(id);
  return stored.response;
}

/** `DELETE /v1/responses/{id}`: OpenAI's deletion object (https://platform.openai.com/docs/api-reference/responses/delete). */
export async function deleteStoredResponse(responses: ResponseStore, id: string): Promise<Record<string, unknown>> {
  if (!(await responses.delete(id))) throw notFound(id);
  return { id, object: 'response.deleted', deleted: true };
}

function notFound(id: string): AnyModelError {
  return new AnyModelError({ kind: 'NotFound', param: 'response_id', message: `No response with id '${id}' is stored (stored responses are kept 30 days, bounded, and only with store: true)` });
}
