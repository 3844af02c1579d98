/**
 * How a failed request is shown: in the chat thread (with the actions that can fix it) and, through
 * the same wording, in VS Code's chat (lm/provider.ts). The kinds and their retry rules come from
 * the core's error table (docs/architecture.md#conventions).
 */
import { isAnyModelError, type AnyModelError } from '../../core';
import type { ChatError, ErrorAction } from '../../shared/protocol';

export function asError(err: unknown): AnyModelError | undefined {
  return isAnyModelError(err) ? err : undefined;
}

/** The error as the thread shows it, with the actions that can fix it. */
export function chatError(err: unknown, model: string): ChatError {
  const e = asError(err);
  const kind = e?.kind ?? 'Error';
  let message = e?.message ?? (err instanceof Error ? err.message : String(err));
  // The core's message names environment variables (right for the proxy); in the editor keys live in secret storage.
  if (kind === 'Authentication') {
    message = e?.status === undefined
      ? `No API key for ${e?.provider ?? 'this provider'} (${model}). Set one with "AnyModel: Set API Key", or pick another model.`
      : `${message} Set the key with "AnyModel: Set API Key", or pick another model.`;
  }
  // Retry is offered where the error table (or the provider's x-should-retry) says the same request may succeed.
  const actions: ErrorAction[] = kind === 'Authentication' ? ['setKey', 'pickModel']
    : e && !e.retryable ? ['pickModel']
      : ['retry', 'pickModel'];
  return { message: message.slice(0, 4000) || kind, kind, actions };
}
