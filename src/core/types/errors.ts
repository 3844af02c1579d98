/**
 * One error type for everything the core reports. The kinds follow LiteLLM's exception mapping,
 * which users already rely on (https://docs.litellm.ai/docs/exception_mapping). What a kind means
 * (status, wire types and codes, retry, cooldown, fallback, outage) is in one table, error-table.ts.
 */
import { ERROR_TABLE, type ErrorKind } from './error-table';

export type { ErrorKind } from './error-table';

/** Each kind's HTTP status: a view of the error table, for callers that only need the status. */
export const ERROR_KINDS = Object.fromEntries(Object.entries(ERROR_TABLE).map(([k, r]) => [k, r.status])) as { readonly [K in ErrorKind]: number };

export interface AnyModelErrorInit {
  kind: ErrorKind;
  message: string;
  /** The provider family that produced it (`openai`, `anthropic`, ...), or `anymodel` for our own checks. */
  provider?: string;
  model?: string;
  /** The upstream HTTP status, when there was one. */
  status?: number;
  /** Milliseconds the provider asked us to wait (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
  /** The provider's own error code or type, e.g. `context_length_exceeded`, `overloaded_error`. */
  code?: string;
  /** A field or parameter the error is about. */
  param?: string;
  /**
   * The provider's `x-should-retry` header, when it sent `true` or `false`: it overrides what the
   * kind says, as openai-node obeys it (src/client.ts `shouldRetry`).
   */
  shouldRetry?: boolean;
  cause?: unknown;
}

export class AnyModelError extends Error {
  readonly kind: ErrorKind;
  readonly provider: string;
  readonly model?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly param?: string;
  readonly shouldRetry?: boolean;

  constructor(init: AnyModelErrorInit) {
    super(redactSecrets(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = `AnyModelError.${init.kind}`;
    this.kind = init.kind;
    this.provider = init.provider ?? 'anymodel';
    this.model = init.model;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.code;
    this.param = init.param;
    if (init.shouldRetry !== undefined) this.shouldRetry = init.shouldRetry;
  }

  /** Whether retrying the same request may succeed: the provider's `x-should-retry` when it sent one, else the kind's row. */
  get retryable(): boolean {
    return this.shouldRetry ?? ERROR_TABLE[this.kind].retry === 'same';
  }

  /** The HTTP status the proxy answers with (the kind's row). */
  get httpStatus(): number {
    return ERROR_TABLE[this.kind].status;
  }

  /** A copy with some fields changed (errors are immutable; the transport adds what the headers say). */
  with(changes: Partial<AnyModelErrorInit>): AnyModelError {
    const { kind, message, provider, model, status, retryAfterMs, code, param, shouldRetry } = this;
    return new AnyModelError({ kind, message, provider, model, status, retryAfterMs, code, param, shouldRetry, cause: this.cause, ...changes });
  }
}

export function isAnyModelError(e: unknown): e is AnyModelError {
  return e instanceof AnyModelError;
}

/** The error kind for an upstream HTTP status, before any body-based refinement. */
export function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 400: return 'BadRequest';
    case 401: return 'Authentication';
    case 403: return 'PermissionDenied';
    case 404: return 'NotFound';
    case 408: return 'Timeout';
    case 409: return 'Conflict';
    case 413: return 'ContextWindowExceeded';
    case 422: return 'UnprocessableEntity';
    case 429: return 'RateLimit';
    case 502: return 'BadGateway';
    case 503: case 529: return 'ServiceUnavailable';
    default: return status >= 500 ? 'InternalServer' : 'BadRequest';
  }
}

// Message patterns providers use for an over-long prompt or a safety refusal (LiteLLM matches the same
// families of text because several providers send them as a plain 400 without a dedicated code).
const CONTEXT_WINDOW = /context.length|context window|maximum context|too many tokens|prompt is too long|input is too long|exceeds the (max|context)|reduce the length|token limit/i;
const CONTENT_POLICY = /content.policy|content_filter|safety system|responsible ai|flagged|violat(es|ing) .*polic/i;

/**
 * The kind for an upstream error, refining the status-based kind with the provider's error code or
 * message for the two kinds that arrive as a 400 (context window, content policy).
 */
export function classifyUpstreamError(status: number, code: string | undefined, message: string): ErrorKind {
  const base = kindForStatus(status);
  if (base !== 'BadRequest' && base !== 'UnprocessableEntity') return base;
  const text = `${code ?? ''} ${message}`;
  if (code === 'context_length_exceeded' || CONTEXT_WINDOW.test(text)) return 'ContextWindowExceeded';
  if (code === 'content_filter' || code === 'content_policy_violation' || CONTENT_POLICY.test(text)) return 'ContentPolicyViolation';
  return base;
}

// Shapes of provider keys and auth headers. A message that quotes a request (some providers echo
// headers or URLs) must never carry a credential onward to a log, a client or the webview.
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bhf_[A-Za-z0-9]{8,}/g,
  /\bgsk_[A-Za-z0-9]{8,}/g,
  /\bxai-[A-Za-z0-9]{8,}/g,
  /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  // After the word "key", only a token with a digit in it: keys have them, "key provided." does not.
  /\b((?:api[-_]?key|x-goog-api-key|key)["'=:\s]+)(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}/gi,
];

/**
 * Replaces every key-shaped token in `text`, and each of the `known` secrets (the keys of the
 * deployment in use), with `[redacted]`.
 */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of known) if (s && s.length >= 4 && out.includes(s)) out = out.split(s).join('[redacted]');
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (m, prefix?: string) => (typeof prefix === 'string' && m.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]'));
  }
  return out;
}
