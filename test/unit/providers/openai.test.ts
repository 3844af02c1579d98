import assert from 'node:assert/strict';
import { startOpenAIMock } from '../mocks/openai';
import { startAzureMock } from '../mocks/azure';
import { startMockServer, sse, type MockServer } from '../helpers/mock-server';
import { clientFor, errorOf, streamParts, textOf, user } from './helpers';
import { PROVIDERS } from '../../../src/core/providers/registry';
import { resolveModelId } from '../../../src/core/config/resolve';

describe('openai adapter', () => {
  let mock: MockServer;
  before(async () => { mock = await startOpenAIMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });
  const client = (extra: Record<string, unknown> = {}) => clientFor({ model: 'openai/gpt-4o', api_base: `${mock.url}/v1`, api_key: 'test-key', ...extra });

  it('sends the request as OpenAI documents it, always asking for stream usage', async () => {
    await streamParts(client({ max_tokens: 100 }), { ...user('hi'), seed: 7, response_format: { type: 'json_object' } });
    const sent = mock.requests[0]!;
    assert.equal(sent.url, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer test-key');
    assert.deepEqual(sent.body, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], seed: 7, response_format: { type: 'json_object' }, max_tokens: 100, stream: true, stream_options: { include_usage: true } });
  });

  it('sends max_completion_tokens to reasoning models, which refuse max_tokens', async () => {
    await clientFor({ model: 'openai/o4-mini', api_base: `${mock.url}/v1`, api_key: 'test-key' }).chat({ ...user('x'), max_completion_tokens: 50 });
    const body = mock.requests[0]!.body as Record<string, unknown>;
    assert.equal(body.max_completion_tokens, 50);
    assert.equal(body.max_tokens, undefined);
  });

  it('reports cached tokens and keeps raw usage', async () => {
    const { value } = await client().chat(user('x'));
    assert.equal(value.usage.cachedInputTokens, 3);
    assert.deepEqual((value.usage.raw as { prompt_tokens: number }).prompt_tokens, 11);
  });

  it('retries a 429 after its retry-after-ms, then answers', async () => {
    let calls = 0;
    const flaky = await startMockServer(() => (++calls === 1
      ? { kind: 'json', status: 429, headers: { 'retry-after-ms': '20' }, body: { error: { message: 'Rate limit', type: 'requests', code: 'rate_limit_exceeded' } } }
      : { kind: 'json', body: { id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } }));
    try {
      const answered = await clientFor({ model: 'openai/gpt-4o', api_base: flaky.url, api_key: 'k' }, { num_retries: 2 }).chat(user('x'));
      assert.equal(answered.value.content, 'ok');
      assert.equal(answered.attempts, 2);
    } finally {
      await flaky.close();
    }
  });

  it('never shows the key, even when the provider echoes it', async () => {
    await assert.rejects(client({ api_key: 'sk-proj-thisIsTheSecretKey123' }).chat(user('x')), (e: { kind: string; message: string }) => e.kind === 'Authentication' && !e.message.includes('thisIsTheSecret'));
    const echo = await startMockServer((req) => ({ kind: 'json', status: 401, body: { error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}` } } }));
    try {
      await assert.rejects(clientFor({ model: 'openai/gpt-4o', api_base: echo.url, api_key: 'plainsecret42' }).chat(user('x')), (e: Error) => !e.message.includes('plainsecret42') && /\[redacted\]/.test(e.message));
    } finally {
      await echo.close();
    }
  });

  it('handles an in-band error event and a stream cut before finish_reason', async () => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'par' }, finish_reason: null }] };
    const server = await startMockServer((req) => ({ kind: 'raw', contentType: 'text/event-stream', pieces: [JSON.stringify(req.body).includes('"cut"') ? sse([chunk]) : sse([chunk, { error: { message: 'The server had an error', type: 'server_error', code: null } }])] }));
    try {
      const c = clientFor({ model: 'openai/m', api_base: server.url, api_key: 'k' });
      const parts = await streamParts(c, user('x'));
      assert.equal(textOf(parts), 'par');
      assert.equal(errorOf(parts)?.kind, 'InternalServer');
      assert.match(errorOf(await streamParts(c, user('cut')))?.message ?? '', /ended before the answer was finished/);
    } finally {
      await server.close();
    }
  });

  it('maps a context length error to ContextWindowExceeded', async () => {
    const server = await startMockServer(() => ({ kind: 'json', status: 400, body: { error: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } }));
    try {
      await assert.rejects(clientFor({ model: 'openai/gpt-4o', api_base: server.url, api_key: 'k' }).chat(user('x')), (e: { kind: string; param?: string }) => e.kind === 'ContextWindowExceeded' && e.param === 'messages');
    } finally {
      await server.close();
    }
  });

  it('says so when the provider is unreachable', async () => {
    const gone = await startMockServer(() => ({ kind: 'drop' }));
    await gone.close();
    await assert.rejects(clientFor({ model: 'openai/gpt-4o', api_base: `${gone.url}/v1`, api_key: 'k' }).chat(user('x')), (e: { kind: string; message: string }) => e.kind === 'APIConnection' && e.message.includes(`Could not reach openai at ${gone.url}`) && /ECONNREFUSED/.test(e.message));
  });
});

describe('azure adapter', () => {
  let mock: MockServer;
  before(async () => { mock = await startAzureMock({ adToken: 'entra-token' }); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });

  it('calls the deployment URL with api-version and the api-key header', async () => {
    const parts = await streamParts(clientFor({ model: 'azure/prod-gpt4o', api_base: mock.url, api_key: 'test-key', api_version: '2024-10-21' }), user('hi'));
    assert.equal(textOf(parts), 'Hello from azure: hi', 'the opening chunk without choices is accepted');
    const sent = mock.requests[0]!;
    assert.equal(sent.url, '/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21');
    assert.equal(sent.headers['api-key'], 'test-key');
    assert.equal(sent.headers.authorization, undefined);
  });

  it('authenticates with an Entra ID token instead of a key', async () => {
    const { value } = await clientFor({ model: 'azure/prod-gpt4o', api_base: mock.url, azure_ad_token: 'entra-token' }).chat(user('hi'));
    assert.equal(value.content, 'Hello from azure: hi');
    assert.equal(mock.requests[0]!.headers.authorization, 'Bearer entra-token');
  });

  it('maps the content filter refusal to ContentPolicyViolation', async () => {
    await assert.rejects(clientFor({ model: 'azure/prod-gpt4o', api_base: mock.url, api_key: 'test-key' }).chat(user('something forbidden')), { kind: 'ContentPolicyViolation' });
  });

  it('refuses to send without a key or token', async () => {
    await assert.rejects(clientFor({ model: 'azure/prod-gpt4o', api_base: mock.url }).chat(user('hi')), (e: { kind: string; message: string }) => e.kind === 'Authentication' && /AZURE_API_KEY/.test(e.message));
    assert.equal(mock.requests.length, 0);
  });
});

describe('OpenAI-compatible presets', () => {
  const expected: Record<string, string> = {
    groq: 'https://api.groq.com/openai/v1', deepseek: 'https://api.deepseek.com/v1', mistral: 'https://api.mistral.ai/v1',
    openrouter: 'https://openrouter.ai/api/v1', together_ai: 'https://api.together.xyz/v1', xai: 'https://api.x.ai/v1',
    lm_studio: 'http://127.0.0.1:1234/v1', huggingface: 'https://router.huggingface.co/v1', openai: 'https://api.openai.com/v1',
  };
  for (const [provider, base] of Object.entries(expected)) {
    it(`${provider} defaults to ${base} with the OpenAI adapter`, () => {
      const dep = resolveModelId(`${provider}/some-model`, { env: {} });
      assert.equal(dep.apiBase, base);
      assert.equal(PROVIDERS[provider]!.adapter.buildChatRequest(user('x'), { ...dep, apiKey: 'k' }, false).url, `${base}/chat/completions`);
    });
  }

  it('reads keys from LiteLLM\'s environment variable names', () => {
    assert.equal(resolveModelId('groq/llama-3.3-70b', { env: { GROQ_API_KEY: 'g' } }).apiKey, 'g');
    assert.equal(resolveModelId('huggingface/meta-llama/Llama-3.1-8B-Instruct', { env: { HF_TOKEN: 'h' } }).apiKey, 'h');
    assert.equal(resolveModelId('huggingface/meta-llama/Llama-3.1-8B-Instruct', { env: {} }).model, 'meta-llama/Llama-3.1-8B-Instruct');
  });

  it('serves a vLLM server without a key and reads its error body', async () => {
    const vllm = await startOpenAIMock({ flavour: 'vllm' });
    try {
      const c = clientFor({ model: 'hosted_vllm/Qwen/Qwen2.5-7B', api_base: `${vllm.url}/v1` });
      assert.equal((await c.chat(user('hi'))).value.content, 'Hello from vllm: hi');
      assert.equal(vllm.requests[0]!.headers.authorization, undefined);
      assert.equal((vllm.requests[0]!.body as { model: string }).model, 'Qwen/Qwen2.5-7B');
      await assert.rejects(c.chat({ model: 'm', messages: [] } as never), /Missing required parameter|messages/);
    } finally {
      await vllm.close();
    }
  });

  it('refuses a capability a preset lacks, before sending', async () => {
    await assert.rejects(clientFor({ model: 'groq/llama-3.3-70b', api_key: 'k' }).embed({ model: 'm', input: 'x' }), /groq\/llama-3\.3-70b does not support embeddings/);
  });
});
