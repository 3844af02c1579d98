/**
 * The client APIs besides Chat Completions: Anthropic Messages (`/v1/messages`,
 * `/v1/messages/count_tokens`), OpenAI Responses (`/v1/responses`) and `GET /v1/models/{id}`.
 * Each is a translator pair at the boundary (its request → the unified request → the core →
 * unified result → its response); see docs/architecture.md. The server calls `dispatchClientApi`
 * after authentication and before its own routes.
 */
import { AnyModelError } from '../core';
import type { AnyModelClient, CallOptions, Provenance } from '../core';
import type http from 'node:http';
import { handleCountTokens, handleMessages } from './anthropic-messages/handler';
import { anthropicErrorType, toAnthropicErrorBody } from './anthropic-messages/from-unified';
import { handleResponses } from './responses/handler';
import type { ResponseStore } from './responses/store';

export interface ApiContext {
  client: AnyModelClient;
  call: CallOptions;
  res: http.ServerResponse;
  /** The provenance headers of an answer (and notes its deployment for the log line). */
  headers(answered: Provenance & { costUsd?: number }): Record<string, string>;
  sendJson(status: number, body: unknown, headers?: Record<string, string>): void;
  responses: ResponseStore;
}

/** Whether `path` (without `/v1`) is one of these APIs, for the server's route check. */
export function isClientApiPath(method: string | undefined, path: string): boolean {
  if (method === 'POST') return path === '/messages' || path === '/messages/count_tokens' || path === '/responses';
  return method === 'GET' && path.startsWith('/models/');
}

/** Handles a request for which `isClientApiPath` holds; `readBody` is the server's capped JSON read. */
export async function dispatchClientApi(method: string | undefined, path: string, ctx: ApiContext, readBody: () => Promise<unknown>): Promise<void> {
  if (method === 'GET') {
    const id = decodeURIComponent(path.slice('/models/'.length));
    if (!ctx.client.modelNames().includes(id)) throw new AnyModelError({ kind: 'NotFound', code: 'model_not_found', param: 'model', message: `The model "${id}" does not exist on this proxy` });
    return ctx.sendJson(200, { id, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'anymodel' });
  }
  const body = await readBody();
  if (path === '/messages') await handleMessages(ctx, body);
  else if (path === '/messages/count_tokens') handleCountTokens(ctx, body);
  else await handleResponses(ctx, body);
}

/**
 * The error reply for a request to one of these APIs that speaks another error shape than
 * OpenAI's (Anthropic Messages: `{"type":"error","error":{type,message}}`), or undefined.
 */
export function clientApiErrorReply(url: string | undefined, err: AnyModelError): { status: number; body: unknown } | undefined {
  if (!url || !/^\/(v1\/)?messages(\/|\?|$)/.test(url)) return undefined;
  return { status: anthropicErrorType(err).status, body: toAnthropicErrorBody(err) };
}
