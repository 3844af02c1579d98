/** Small helpers every adapter uses: response validation, image data URLs, tool arguments, error bodies. */
import { z } from 'zod';
import { AnyModelError, classifyUpstreamError, type ErrorKind } from '../types/errors';
import type { Deployment } from '../types/deployment';
import type { UpstreamErrorInput } from './adapter';
import { truncate } from '../transport/framing';

/** Validates a provider response with its zod schema; a mismatch is a BadGateway naming the field. */
export function parseProviderBody<T>(schema: z.ZodType<T>, body: unknown, dep: Deployment, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new AnyModelError({
    kind: 'BadGateway',
    provider: dep.provider,
    model: dep.model,
    message: `${dep.provider} sent an unexpected ${what}: ${where}: ${issue?.message ?? 'invalid'}`,
  });
}

/** Parses one JSON stream event; a line that does not parse is an error (docs/architecture.md#streams). */
export function parseEventJson(data: string, dep: Deployment): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new AnyModelError({ kind: 'BadGateway', provider: dep.provider, model: dep.model, message: `${dep.provider} sent a stream event that is not JSON: ${truncate(data, 200)}` });
  }
}

/** `data:image/png;base64,AAAA` → its media type and base64 payload; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1]!, data: m[2]! } : undefined;
}

/** OpenAI carries tool arguments as a JSON string; other providers want an object. */
export function parseToolArguments(args: string, dep: Deployment, toolName: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'messages', message: `The arguments of the call to tool "${toolName}" are not valid JSON: ${truncate(args, 120)}` });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'messages', message: `The arguments of the call to tool "${toolName}" must be a JSON object` });
  }
  return value as Record<string, unknown>;
}

/**
 * The readable message and code inside a provider error body. Understands the shapes in use:
 * `{error:{message,type,code}}` (OpenAI, Azure, Anthropic, Gemini `{error:{message,status}}`),
 * `{error:"text"}` (Ollama, TGI), `{message}` and `{detail}`; falls back to the raw text.
 */
export function readErrorBody(body: string): { message: string; code?: string; param?: string } {
  let json: unknown;
  try { json = JSON.parse(body); } catch { return { message: truncate(body.trim() || '(empty body)', 500) }; }
  const root = Array.isArray(json) ? json[0] : json; // Gemini streams may wrap the error in an array
  const err = (root as { error?: unknown })?.error ?? root;
  if (typeof err === 'string') return { message: err };
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const message = typeof e.message === 'string' ? e.message : typeof e.detail === 'string' ? e.detail : truncate(JSON.stringify(err), 500);
    const code = [e.code, e.type, e.status].find((c) => typeof c === 'string' && c) as string | undefined;
    const out: { message: string; code?: string; param?: string } = { message };
    if (code) out.code = code;
    if (typeof e.param === 'string') out.param = e.param;
    return out;
  }
  return { message: truncate(body, 500) };
}

/** The unified error for an HTTP error response, for adapters without special cases. */
export function upstreamError(input: UpstreamErrorInput, dep: Deployment, kindOverride?: ErrorKind): AnyModelError {
  const { message, code, param } = readErrorBody(input.body);
  const kind = kindOverride ?? classifyUpstreamError(input.status, code, message);
  return new AnyModelError({
    kind,
    provider: dep.provider,
    model: dep.model,
    status: input.status,
    code,
    param,
    message: `${dep.provider} ${input.status}: ${message}`,
  });
}
