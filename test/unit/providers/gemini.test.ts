import assert from 'node:assert/strict';
import { googleError, startGeminiMock } from '../mocks/gemini';
import { startMockServer, sse, type MockServer } from '../helpers/mock-server';
import { clientFor, errorOf, streamParts, textOf, user } from './helpers';
import { cleanSchema } from '../../../src/core/providers/gemini/convert-request';

describe('gemini adapter', () => {
  let mock: MockServer;
  before(async () => { mock = await startGeminiMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });
  const client = () => clientFor({ model: 'gemini/gemini-2.5-flash', api_base: mock.url, api_key: 'test-key' });

  it('keeps the key in x-goog-api-key, never in the URL', async () => {
    await streamParts(client(), user('hi'));
    const sent = mock.requests[0]!;
    assert.equal(sent.url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assert.equal(sent.headers['x-goog-api-key'], 'test-key');
    assert.ok(!sent.url.includes('test-key'));
  });

  it('translates system, roles, sampling, JSON schema output and function calls', async () => {
    await client().chat({
      model: 'm', temperature: 0.3, top_p: 0.9, max_tokens: 64, stop: ['x'], seed: 3,
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object', properties: { t: { type: 'number' } } } } },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: false, properties: { location: { type: 'string', default: 'Paris' } } } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: '{"temp":18}' },
      ],
    });
    const body = mock.requests[0]!.body as Record<string, unknown>;
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: 'Weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 18 } } }] },
    ]);
    assert.deepEqual(body.generationConfig, { temperature: 0.3, topP: 0.9, maxOutputTokens: 64, seed: 3, stopSequences: ['x'], responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { t: { type: 'number' } } } });
    assert.deepEqual(body.tools, [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }] }]);
    assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it('keeps property names that look like schema keywords', () => {
    assert.deepEqual(cleanSchema({ type: 'object', properties: { default: { type: 'string', default: 'x' } } }), { type: 'object', properties: { default: { type: 'string' } } });
  });

  it('refuses remote image URLs with the fix named', async () => {
    await assert.rejects(client().chat({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }), /base64 data URLs.*Files API/);
    assert.equal(mock.requests.length, 0);
  });

  it('maps an invalid key (a 400 with API_KEY_INVALID) to Authentication', async () => {
    await assert.rejects(clientFor({ model: 'gemini/gemini-2.5-flash', api_base: mock.url, api_key: 'AIzaWrongWrongWrongWrongWrongWrong123' }).chat(user('x')), (e: { kind: string; message: string }) => e.kind === 'Authentication' && !e.message.includes('AIzaWrong'));
  });

  it('maps quota, blocked prompts and mid-stream errors', async () => {
    const server = await startMockServer((req) => {
      const text = JSON.stringify(req.body);
      if (text.includes('quota')) return googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
      if (text.includes('blocked')) return { kind: 'json', body: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4 } } };
      return { kind: 'raw', contentType: 'text/event-stream', pieces: [sse([{ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' } }] }, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }])] };
    });
    try {
      const c = clientFor({ model: 'gemini/gemini-2.5-flash', api_base: server.url, api_key: 'k' });
      await assert.rejects(c.chat(user('quota')), { kind: 'RateLimit' });
      await assert.rejects(c.chat(user('blocked')), (e: { kind: string; message: string }) => e.kind === 'ContentPolicyViolation' && /SAFETY/.test(e.message));
      const parts = await streamParts(c, user('x'));
      assert.equal(textOf(parts), 'Hi');
      assert.equal(errorOf(parts)?.kind, 'ServiceUnavailable');
    } finally {
      await server.close();
    }
  });

  it('reports cached and thinking tokens; thoughts count as output', async () => {
    const server = await startMockServer(() => ({ kind: 'json', body: { candidates: [{ content: { parts: [{ text: 'plan', thought: true }, { text: 'answer' }], role: 'model' }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 10, thoughtsTokenCount: 25 } } }));
    try {
      const { value } = await clientFor({ model: 'gemini/gemini-2.5-pro', api_base: server.url, api_key: 'k' }).chat(user('x'));
      assert.equal(value.content, 'answer');
      assert.equal(value.reasoning, 'plan');
      assert.equal(value.finishReason, 'length');
      assert.deepEqual([value.usage.inputTokens, value.usage.cachedInputTokens, value.usage.outputTokens, value.usage.reasoningTokens], [100, 40, 35, 25]);
    } finally {
      await server.close();
    }
  });

  it('embeds through batchEmbedContents with outputDimensionality', async () => {
    const { value } = await clientFor({ model: 'gemini/gemini-embedding-001', api_base: mock.url, api_key: 'test-key' }).embed({ model: 'm', input: ['ab', 'abcd'], dimensions: 3 });
    assert.deepEqual(value.data.map((d) => d.embedding), [[2, 0.5, -0.25], [4, 0.5, -0.25]]);
    assert.deepEqual((mock.requests[0]!.body as { requests: unknown[] }).requests[0], { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'ab' }] }, outputDimensionality: 3 });
  });
});
