/**
 * Google API errors → unified kinds. https://ai.google.dev/gemini-api/docs/troubleshooting
 * Body: `{"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT","details":[…]}}`, sometimes
 * wrapped in an array. An invalid key is a 400 with reason API_KEY_INVALID, i.e. Authentication.
 */
import type { UpstreamErrorInput } from '../adapter';
import type { Deployment } from '../../types/deployment';
import { AnyModelError, type ErrorKind } from '../../types/errors';
import { upstreamError } from '../shared';

const BY_STATUS: Record<string, ErrorKind> = {
  UNAUTHENTICATED: 'Authentication',
  PERMISSION_DENIED: 'PermissionDenied',
  NOT_FOUND: 'NotFound',
  RESOURCE_EXHAUSTED: 'RateLimit',
  UNAVAILABLE: 'ServiceUnavailable',
  DEADLINE_EXCEEDED: 'Timeout',
  INTERNAL: 'InternalServer',
};

export function parseGeminiError(input: UpstreamErrorInput, dep: Deployment): AnyModelError {
  let override: ErrorKind | undefined;
  if (/API_KEY_INVALID|API key not valid/i.test(input.body)) override = 'Authentication';
  else if (/exceeds the maximum number of tokens|input token count.*exceeds/i.test(input.body)) override = 'ContextWindowExceeded';
  else {
    const status = /"status"\s*:\s*"([A-Z_]+)"/.exec(input.body)?.[1];
    if (status && BY_STATUS[status] && input.status >= 500) override = BY_STATUS[status];
  }
  return upstreamError(input, dep, override);
}

/** An error object sent inside a stream. */
export function geminiErrorFromBody(body: string, dep: Deployment): AnyModelError {
  const code = Number(/"code"\s*:\s*(\d{3})/.exec(body)?.[1] ?? 500);
  const e = parseGeminiError({ status: code, body, headers: new Headers() }, dep);
  return new AnyModelError({ kind: e.kind, provider: e.provider, model: e.model, status: e.status, code: e.code, message: `gemini stream error: ${e.message}` });
}
