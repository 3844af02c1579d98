/**
 * Azure OpenAI: the OpenAI translation at deployment URLs.
 * https://learn.microsoft.com/azure/ai-services/openai/reference
 * - `{api_base}/openai/deployments/{deployment}/chat/completions?api-version=…`; with api_version
 *   `v1` (or `preview`), the v1 API at `{api_base}/openai/v1/chat/completions` with the deployment
 *   name as `model` (https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle).
 * - `api-key` header, or `Authorization: Bearer` with an Entra ID token.
 * - Content filtering: a 400 with code `content_filter` (→ ContentPolicyViolation, through
 *   classifyUpstreamError), `finish_reason: content_filter`, and stream chunks with empty `choices`
 *   carrying `prompt_filter_results` (the shared stream decoder accepts them).
 */
import type { Deployment } from '../../types/deployment';
import { createOpenAICompatibleAdapter } from '../openai/adapter';
import { wantsMaxCompletionTokens } from '../openai/convert-request';

/** A GA data-plane version; override with api_version or AZURE_API_VERSION. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

function azureUrl(dep: Deployment, path: string): string {
  const version = dep.apiVersion ?? DEFAULT_AZURE_API_VERSION;
  if (version === 'v1' || version === 'preview') {
    return `${dep.apiBase}/openai/v1${path}${version === 'preview' ? '?api-version=preview' : ''}`;
  }
  return `${dep.apiBase}/openai/deployments/${encodeURIComponent(dep.model)}${path}?api-version=${encodeURIComponent(version)}`;
}

export const azureAdapter = createOpenAICompatibleAdapter({
  family: 'azure',
  url: azureUrl,
  authHeaders: (dep): Record<string, string> => {
    if (dep.azureAdToken) return { authorization: `Bearer ${dep.azureAdToken}` };
    return dep.apiKey ? { 'api-key': dep.apiKey } : {};
  },
  maxCompletionTokens: wantsMaxCompletionTokens,
  // `n` as OpenAI's (https://learn.microsoft.com/azure/ai-services/openai/reference#request-body).
  capabilities: { choices: true },
});
