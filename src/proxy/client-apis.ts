/**
 * The client APIs besides Chat Completions: Anthropic Messages (`/v1/messages`,
 * `/v1/messages/count_tokens`), OpenAI Responses (`/v1/responses`, `GET`/`DELETE /v1/responses/{id}`)
 * and `GET /v1/models/{id}`.
 * Each is a translator pair at the boundary (its request → the unified request → the core →
 * unified result → its response); see docs/architecture.md. The server puts these POST routes
 * in its route table, after its origin, host and key checks and its body reader.
 */
import { AnyModelError } from '../core';
import type { AnyModelClient, CallOptions, Provenance } from '../core';
import { handleCountTokens, handleMessages } from './anthropic-messages/handler';
import { anthropicErrorType, toAnthropicErrorBody } from './anthropic-messages/from-unified';
import { deleteStoredResponse, getStoredResponse, handleResponses } from './responses/handler';
import type { ResponseStore } from './responses/store';

export interface ApiContext {
  client: AnyModelClient;
  call: CallOptions;
  responses: ResponseStore;
  /** A whole answer; with `answered`, its provenance headers. */
  sendJson(status: number, body: unknown, answered?: Provenance & { costUsd?: number }): void;
  /** The 200 and event-stream headers of a stream (which a shutdown then ends as a stream). */
  startStream(answered: Provenance): void;
  /** The client went away or a shutdown ended the answer: stop (which aborts upstream). */
  gone(): boolean;
  /** Writes stream text; a promise when the client reads slower than we write (wait for it). */
  write(text: string): Promise<void> | undefined;
  end(text?: string): void;
}

type Handler = (ctx: ApiContext, body: unknown) => Promise<void> | void;

/** POST routes by path without `/v1`. */
export const CLIENT_API_ROUTES: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['/messages', handleMessages],
  ['/messages/count_tokens', handleCountTokens],
  ['/responses', handleResponses],
]);

/** `GET /v1/models/{id}`: the model object, or a 404 naming it. */
export function modelById(client: AnyModelClient, path: string): unknown {
  const id = decodeURIComponent(path.slice('/models/'.length));
  if (!client.modelNames().includes(id)) throw new AnyModelError({ kind: 'NotFound', code: 'model_not_found', param: 'model', message: `The model "${id}" does not exist on this proxy` });
  return { id, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'anymodel' };
}

/** `GET` or `DELETE /v1/responses/{id}`: the stored response, or its deletion. */
export function storedResponse(method: 'GET' | 'DELETE', path: string, responses: ResponseStore): Promise<unknown> {
  const id = decodeURIComponent(path.slice('/responses/'.length));
  return method === 'GET' ? getStoredResponse(responses, id) : deleteStoredResponse(responses, id);
}

/**
 * The error reply for a request to one of these APIs that speaks another error shape than
 * OpenAI's (Anthropic Messages: `{"type":"error","error":{type,message}}`), or undefined.
 */
export function clientApiErrorReply(url: string | undefined, err: AnyModelError): { status: number; body: unknown } | undefined {
  if (!url || !/^\/(v1\/)?messages(\/|\?|$)/.test(url)) return undefined;
  return { status: anthropicErrorType(err).status, body: toAnthropicErrorBody(err) };
}
