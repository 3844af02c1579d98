/**
 * Validation of proxy request bodies. Credentials and endpoints are never taken from a request:
 * a body naming an `api_base`, `base_url`, key or extra headers is refused, which closes the SSRF
 * and key-exfiltration route of LiteLLM CVE-2024-6587 (a client pointing the server's keys at a
 * host of its choosing).
 */
import type { z } from 'zod';
import { chatRequestSchema, completionRequestSchema, embeddingRequestSchema } from '../core';
import { AnyModelError } from '../core';
import { formatZodError } from '../core';
import { commonChatRequest } from './common-request';

export const FORBIDDEN: ReadonlySet<string> = new Set([
  'api_base', 'base_url', 'api_key', 'api_version', 'azure_ad_token', 'azure_endpoint', 'headers', 'extra_headers',
  'extra_body', 'custom_llm_provider', 'litellm_params', 'aws_access_key_id', 'aws_secret_access_key', 'vertex_credentials',
]);

/** OpenAI request fields with no effect on the answer that clients send routinely; accepted and ignored. */
const IGNORED = new Set(['metadata', 'store', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'logprobs', 'top_logprobs']);

export type Endpoint = 'chat' | 'completion' | 'embedding';

const SCHEMAS = { chat: chatRequestSchema, completion: completionRequestSchema, embedding: embeddingRequestSchema } as const;
/** Each endpoint's field names, computed once rather than per request. */
const KNOWN: Record<Endpoint, ReadonlySet<string>> = {
  chat: new Set(Object.keys(chatRequestSchema.shape)),
  completion: new Set(Object.keys(completionRequestSchema.shape)),
  embedding: new Set(Object.keys(embeddingRequestSchema.shape)),
};

export function validateBody<E extends Endpoint>(endpoint: E, body: unknown): z.infer<(typeof SCHEMAS)[E]> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  const schema = SCHEMAS[endpoint];
  const known = KNOWN[endpoint];
  for (const key of Object.keys(body)) {
    if (FORBIDDEN.has(key)) throw badRequest(`"${key}" is not accepted in a request body: endpoints and credentials come from the proxy's config`, key);
    if (!known.has(key) && !IGNORED.has(key)) throw badRequest(`Unsupported parameter "${key}"`, key);
  }
  const b = body as Record<string, unknown>;
  if (b.logprobs === true) throw badRequest('logprobs are not supported', 'logprobs');
  const common = endpoint === 'chat' ? commonChatRequest(b) : undefined;
  if (common) return common as z.infer<(typeof SCHEMAS)[E]>;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`Invalid request: ${formatZodError(parsed.error)}`, issue?.path.join('.'));
  }
  return parsed.data as z.infer<(typeof SCHEMAS)[E]>;
}

/**
 * A client API's body (Anthropic Messages, Responses) parsed with its schema: credentials and
 * endpoints refused as for chat completions, and a field the schema does not know a 400 naming it.
 */
export function parseClientBody<T>(schema: z.ZodObject & z.ZodType<T>, body: unknown, ignored: ReadonlySet<string> = new Set()): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  for (const key of Object.keys(body)) {
    if (FORBIDDEN.has(key)) throw badRequest(`"${key}" is not accepted in a request body: endpoints and credentials come from the proxy's config`, key);
    if (!(key in schema.shape) && !ignored.has(key)) throw badRequest(`Unsupported parameter "${key}"`, key);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`Invalid request: ${formatZodError(parsed.error)}`, issue?.path.join('.'));
  }
  return parsed.data as T;
}

export function badRequest(message: string, param?: string): AnyModelError {
  return new AnyModelError({ kind: 'BadRequest', message, param, code: 'invalid_request' });
}

/**
 * How deep a request body may nest. Real bodies stay far below it (a message part is 5 levels; a
 * tool schema nested 20 deep is about 45), and code that walks a body recursively (schema
 * conversion, hashing, JSON.stringify itself) can take it without running out of stack, which a
 * body nested 100,000 deep makes it do. JSON.parse copes with any depth; this is checked after it.
 */
export const MAX_JSON_DEPTH = 128;

/** Refuses a parsed body nested deeper than `max`, naming where (400). Iterative: no recursion to blow. */
export function checkDepth(body: unknown, max = MAX_JSON_DEPTH): void {
  if (typeof body !== 'object' || body === null) return;
  const values: object[] = [body];
  const depths: number[] = [1];
  while (values.length) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max) throw tooDeep(body, max);
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) {
        values.push(child as object);
        depths.push(depth + 1);
      }
    }
  }
}

/** The error for a too-deep body, with the path to the first point past `max` (only run on failure). */
function tooDeep(body: object, max: number): AnyModelError {
  const stack: { value: object; path: string[] }[] = [{ value: body, path: [] }];
  let path: string[] = [];
  while (stack.length) {
    const { value, path: at } = stack.pop()!;
    if (at.length >= max) {
      path = at;
      break;
    }
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child as object, path: [...at, Array.isArray(value) ? `[${key}]` : key] });
    }
  }
  const shown = path.slice(0, 6).join('.').replace(/\.\[/g, '[');
  return badRequest(`The request body is nested more than ${max} levels deep at ${shown}${path.length > 6 ? '…' : ''}`, shown);
}
