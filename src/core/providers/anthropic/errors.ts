/**
 * Anthropic error types → unified kinds. https://docs.anthropic.com/en/api/errors
 * 529 overloaded_error is retryable like a 503; "prompt is too long" is a context window error.
 */
import type { UpstreamErrorInput } from '../adapter';
import type { Deployment } from '../../types/deployment';
import { type AnyModelError, type ErrorKind, classifyUpstreamError } from '../../types/errors';
import { readErrorBody, upstreamError } from '../shared';

const KINDS: Record<string, ErrorKind> = {
  invalid_request_error: 'BadRequest',
  authentication_error: 'Authentication',
  permission_error: 'PermissionDenied',
  not_found_error: 'NotFound',
  request_too_large: 'ContextWindowExceeded',
  rate_limit_error: 'RateLimit',
  api_error: 'InternalServer',
  overloaded_error: 'ServiceUnavailable',
  timeout_error: 'Timeout',
};

export function anthropicErrorKind(type: string, message = ''): ErrorKind {
  const kind = KINDS[type] ?? 'InternalServer';
  return kind === 'BadRequest' ? classifyUpstreamError(400, undefined, message) : kind;
}

export function parseAnthropicError(input: UpstreamErrorInput, dep: Deployment): AnyModelError {
  const { message, code } = readErrorBody(input.body);
  const kind = code && KINDS[code] ? anthropicErrorKind(code, message) : undefined;
  return upstreamError(input, dep, kind);
}
