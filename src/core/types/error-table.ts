/**
 * The one table of what each error kind means, everywhere: the HTTP status the proxy answers
 * with, the OpenAI and Anthropic error bodies it writes, whether the router retries it (and where),
 * cools the deployment down, or moves to a fallback list, and whether the editor counts it as an
 * outage (the offline switch). Everything else reads it; nothing classifies errors on its own.
 *
 * Sources: LiteLLM's exception mapping for the kinds and statuses
 * (https://docs.litellm.ai/docs/exception_mapping); OpenAI's error codes
 * (https://platform.openai.com/docs/guides/error-codes: a 400 `invalid_request_error` with code
 * `context_length_exceeded`, a 429 of type `requests` or `tokens` with code `rate_limit_exceeded`,
 * a 401 `invalid_request_error` with code `invalid_api_key`, 5xx `server_error`); Anthropic's error
 * types (https://docs.anthropic.com/en/api/errors); retry statuses as openai-node retries them
 * (408, 409, 429, 5xx).
 */

/** Anthropic's documented error types, for the Messages-style error body `{type:"error", error:{type, message}}`. */
export type AnthropicErrorType =
  | 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error'
  | 'request_too_large' | 'rate_limit_error' | 'api_error' | 'overloaded_error';

export interface ErrorRow {
  /** The status the proxy answers with. */
  status: number;
  /** OpenAI's `error.type` and `error.code` for this kind (null: OpenAI sends none, or several). */
  openai: { type: string; code: string | null };
  anthropic: AnthropicErrorType;
  /**
   * `same`: the same request may succeed later, on any deployment; `elsewhere`: only on another
   * deployment of the group (this one would refuse it again); `no`: retrying cannot help.
   */
  retry: 'same' | 'elsewhere' | 'no';
  /** `now` takes the deployment out at once, `count` counts toward allowed_fails, `none` leaves it be. */
  cooldown: 'now' | 'count' | 'none';
  /** Which fallback list applies once the group has given up. */
  fallback: 'generic' | 'context_window' | 'content_policy' | 'none';
  /** "Cannot reach it" rather than "it refused this request": the editor's offline switch may step in. */
  outage: boolean;
}

const row = (status: number, type: string, code: string | null, anthropic: AnthropicErrorType, retry: ErrorRow['retry'], cooldown: ErrorRow['cooldown'], fallback: ErrorRow['fallback'], outage: boolean): ErrorRow =>
  ({ status, openai: { type, code }, anthropic, retry, cooldown, fallback, outage });

// Caller mistakes (bad request, unsupported parameters) are neither retried nor routed elsewhere:
// another model would fail the same way and hide the mistake. A 401/403/404 says this deployment is
// misconfigured, so another deployment (or the fallback list) may still answer.
export const ERROR_TABLE = {
  //                        status  OpenAI type              OpenAI code                 Anthropic type           retry       cooldown  fallback          outage
  BadRequest:             row(400, 'invalid_request_error', null,                       'invalid_request_error', 'no',        'none',  'none',           false),
  UnsupportedParams:      row(400, 'invalid_request_error', 'unsupported_parameter',    'invalid_request_error', 'no',        'none',  'none',           false),
  /** A configured spend limit was reached. LiteLLM's BudgetExceededError is a 400 with its own type: retrying will not help. */
  BudgetExceeded:         row(400, 'budget_exceeded',       'budget_exceeded',          'invalid_request_error', 'no',        'none',  'none',           false),
  ContextWindowExceeded:  row(400, 'invalid_request_error', 'context_length_exceeded',  'invalid_request_error', 'no',        'none',  'context_window', false),
  ContentPolicyViolation: row(400, 'invalid_request_error', 'content_policy_violation', 'invalid_request_error', 'no',        'none',  'content_policy', false),
  Authentication:         row(401, 'invalid_request_error', 'invalid_api_key',          'authentication_error',  'elsewhere', 'now',   'generic',        false),
  PermissionDenied:       row(403, 'invalid_request_error', null,                       'permission_error',      'elsewhere', 'count', 'generic',        false),
  NotFound:               row(404, 'invalid_request_error', null,                       'not_found_error',       'elsewhere', 'now',   'generic',        false),
  Timeout:                row(408, 'server_error',          null,                       'api_error',             'same',      'count', 'generic',        true),
  /** Retried as openai-node does (lock timeouts). */
  Conflict:               row(409, 'invalid_request_error', null,                       'invalid_request_error', 'same',      'count', 'generic',        false),
  UnprocessableEntity:    row(422, 'invalid_request_error', null,                       'invalid_request_error', 'no',        'none',  'none',           false),
  RateLimit:              row(429, 'requests',              'rate_limit_exceeded',      'rate_limit_error',      'same',      'now',   'generic',        false),
  InternalServer:         row(500, 'server_error',          null,                       'api_error',             'same',      'count', 'generic',        true),
  APIConnection:          row(500, 'server_error',          null,                       'api_error',             'same',      'count', 'generic',        true),
  BadGateway:             row(502, 'server_error',          null,                       'api_error',             'same',      'count', 'generic',        true),
  ServiceUnavailable:     row(503, 'server_error',          null,                       'overloaded_error',      'same',      'count', 'generic',        true),
  /** The caller went away: nothing is sent back, nothing is retried. */
  Aborted:                row(499, 'invalid_request_error', null,                       'invalid_request_error', 'no',        'none',  'none',           false),
} as const satisfies Record<string, ErrorRow>;

export type ErrorKind = keyof typeof ERROR_TABLE;

export function errorRow(kind: ErrorKind): ErrorRow {
  return ERROR_TABLE[kind];
}

/** True for a string that names a kind of the table (for values that crossed a boundary). */
export function isErrorKind(kind: unknown): kind is ErrorKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TABLE, kind);
}

/** Whether an error (or anything with a `kind`) says the provider cannot be reached. */
export function isOutageKind(kind: unknown): boolean {
  return isErrorKind(kind) && ERROR_TABLE[kind].outage;
}

/**
 * OpenAI's codes are lower snake case and never end in `_error` (that is the shape of types, and of
 * Anthropic's types); Gemini's statuses are upper case and vLLM sends class names. A provider's own
 * code that has OpenAI's shape (Azure's `content_filter`, OpenAI's `insufficient_quota`) is kept;
 * any other is replaced by the table's code for the kind.
 */
export function openAICode(kind: ErrorKind, code: string | undefined): string | null {
  if (code && /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(code) && !code.endsWith('_error')) {
    // The table's code wins for the kinds OpenAI names one way (a context window error is always context_length_exceeded).
    return ERROR_TABLE[kind].openai.code && kind !== 'RateLimit' ? ERROR_TABLE[kind].openai.code : code;
  }
  return ERROR_TABLE[kind].openai.code;
}

/** The Anthropic error type for an error: the kind's, except a body over the size limit. */
export function anthropicType(kind: ErrorKind, code: string | undefined): AnthropicErrorType {
  return code === 'request_too_large' ? 'request_too_large' : ERROR_TABLE[kind].anthropic;
}
