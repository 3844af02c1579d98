/**
 * A mock Azure OpenAI server: deployment URLs with `api-version`, the `api-key` header (or an
 * Entra bearer token), and Azure's stream and content-filter quirks (through the OpenAI mock's
 * `azure` flavour). https://learn.microsoft.com/azure/ai-services/openai/reference
 */
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { chatReply, embeddingsReply, error } from './openai';

export function startAzureMock(opts: { apiKey?: string; adToken?: string } = {}): Promise<MockServer> {
  const apiKey = opts.apiKey ?? 'test-key';
  return startMockServer((req) => {
    const authorised = req.headers['api-key'] === apiKey || (opts.adToken !== undefined && req.headers.authorization === `Bearer ${opts.adToken}`);
    if (!authorised) {
      return { kind: 'json', status: 401, body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } } };
    }
    const url = new URL(req.url, 'http://mock');
    const m = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
    if (!m) return { kind: 'json', status: 404, body: { error: { code: '404', message: 'Resource not found' } } };
    if (!url.searchParams.get('api-version')) return error('azure', 404, 'Resource not found', '404');
    return m[2] === 'embeddings' ? embeddingsReply(req) : chatReply(req, 'azure');
  });
}
