/**
 * Ollama errors: `{"error":"…"}` with the HTTP status. A missing model is a 404 whose message says
 * to pull it; a model without tool support answers 400 "… does not support tools".
 */
import type { Deployment } from '../../types/deployment';
import { AnyModelError, classifyUpstreamError } from '../../types/errors';
import { readErrorBody } from '../shared';

export function ollamaError(status: number, body: string, dep: Deployment): AnyModelError {
  const { message } = readErrorBody(body);
  let text = message;
  if (status === 404 && /not found/i.test(message)) text = `${message} (run: ollama pull ${dep.model})`;
  return new AnyModelError({ kind: classifyUpstreamError(status, undefined, message), provider: dep.provider, model: dep.model, status, message: `ollama ${status}: ${text}` });
}
