/**
 * Anthropic errors → unified errors. https://docs.anthropic.com/en/api/errors lists the types:
 * invalid_request_error 400, authentication_error 401, billing_error 402, permission_error 403,
 * not_found_error 404, request_too_large 413, rate_limit_error 429, api_error 500,
 * timeout_error 504, overloaded_error 529. The body is `{type:"error", error:{type, message},
 * request_id}` and every response carries a `request-id` header, which goes into the message so a
 * user can quote it to Anthropic support. Refinements follow LiteLLM's Anthropic mapping
 * (litellm/litellm_core_utils/exception_mapping_utils.py, `_map_anthropic_exception`).
 */
import type { UpstreamErrorInput } from '../adapter';
import type { Deployment } from '../../types/deployment';
import { AnyModelError, classifyUpstreamError, kindForStatus, type ErrorKind } from '../../types/errors';
import { readErrorBody } from '../shared';
import { truncate } from '../../transport/framing';
import { errorBodySchema } from './schemas';

const KIND_BY_TYPE: Readonly<Record<string, ErrorKind>> = {
  invalid_request_error: 'BadRequest',
  authentication_error: 'Authentication',
  permission_error: 'PermissionDenied',
  not_found_error: 'NotFound',
  // The 32 MB request size limit (enforced before the API, often with an HTML body). More context
  // would not help, so this is a bad request, as LiteLLM maps a 413 from Anthropic.
  request_too_large: 'BadRequest',
  rate_limit_error: 'RateLimit',
  api_error: 'InternalServer',
  timeout_error: 'Timeout',
  // 529: Anthropic is overloaded for everyone; safe to retry, or to fall back to another provider.
  overloaded_error: 'ServiceUnavailable',
};

// Anthropic reports an over-long prompt as a plain invalid_request_error ("prompt is too long:
// 210000 tokens > 200000 maximum"; older models "prompt: length ..."), and a blocked output as
// "Output blocked by content filtering policy"; LiteLLM matches the same texts.
const PROMPT_TOO_LONG = /prompt is too long|prompt: length/i;
const CONTENT_FILTERING = /content filtering policy/i;

/** The kind for an Anthropic error type (status decides when the type is unknown or absent). */
export function anthropicErrorKind(type: string | undefined, status: number | undefined, message: string): ErrorKind {
  if (status === 413 || type === 'request_too_large') return 'BadRequest';
  const kind = (type ? KIND_BY_TYPE[type] : undefined) ?? (status ? kindForStatus(status) : 'InternalServer');
  if (kind !== 'BadRequest') return kind;
  if (PROMPT_TOO_LONG.test(message)) return 'ContextWindowExceeded';
  if (CONTENT_FILTERING.test(message)) return 'ContentPolicyViolation';
  return classifyUpstreamError(400, undefined, message);
}

/** An HTTP error response. */
export function parseAnthropicError(input: UpstreamErrorInput, dep: Deployment): AnyModelError {
  const parsed = parseJson(input.body);
  const body = errorBodySchema.safeParse(parsed);
  let type: string | undefined;
  let message: string;
  if (body.success) {
    type = body.data.error.type;
    message = body.data.error.message ?? type;
  } else {
    // Not Anthropic's shape: a gateway or Cloudflare page in between. Read what we can.
    const read = readErrorBody(input.body);
    type = read.code;
    message = /^\s*</.test(input.body) ? `${input.status === 413 ? 'request_too_large' : 'error page'} (non-JSON body)` : read.message;
  }
  const requestId = input.headers.get('request-id') ?? (body.success ? body.data.request_id ?? undefined : undefined);
  return new AnyModelError({
    kind: anthropicErrorKind(type, input.status, message),
    provider: dep.provider,
    model: dep.model,
    status: input.status,
    code: type ?? (input.status === 413 ? 'request_too_large' : undefined),
    message: `${dep.provider} ${input.status}${type ? ` ${type}` : ''}: ${truncate(message, 500)}${requestId ? ` (request-id ${requestId})` : ''}`,
  });
}

/**
 * An error sent in the body of a 200: an `event: error` in a stream ("errors can occur after
 * returning a 200 response", e.g. overloaded_error mid-stream), or an error object in place of a
 * message.
 */
export function anthropicBodyError(error: { type: string; message?: string }, requestId: string | null | undefined, dep: Deployment, where: string): AnyModelError {
  const message = error.message ?? error.type;
  return new AnyModelError({
    kind: anthropicErrorKind(error.type, undefined, message),
    provider: dep.provider,
    model: dep.model,
    code: error.type,
    message: `${dep.provider} ${where} ${error.type}: ${truncate(message, 500)}${requestId ? ` (request-id ${requestId})` : ''}`,
  });
}

function parseJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}
