/**
 * The proxy as users meet it: the official openai client against `anymodel proxy`, which talks to a
 * mock provider on 127.0.0.1. Covers the HTTP surface and the security rules
 * (docs/architecture.md#security-rules).
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import { startOpenAIMock } from '../mocks/openai';
import { startAnthropicMock } from '../mocks/anthropic';
import type { MockServer } from '../helpers/mock-server';
import { startMockServer, sse, type Handler } from '../helpers/mock-server';
import { waitFor } from '../helpers/wait';

const MASTER = 'sk-anymodel-test-master';

describe('proxy: HTTP surface and security', () => {
  let upstream: MockServer;
  let proxy: RunningProxy;
  let client: OpenAI;
  const logs: string[] = [];

  before(async () => {
    upstream = await startOpenAIMock({ apiKey: 'upstream-key' });
    const config = buildConfig({
      model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${upstream.url}/v1`, api_key: 'upstream-key' } }],
      litellm_settings: { num_retries: 0 },
      general_settings: { master_key: MASTER, max_request_size_mb: 0.01 },
    }, {});
    proxy = await startProxy({ config, port: 0, masterKey: MASTER, log: (l) => logs.push(l) });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: MASTER, maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });
  beforeEach(() => { upstream.requests.length = 0; });

  it('answers a chat completion and names the deployment that answered', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(data.choices[0]!.message.content, 'Hello from openai: hi');
    assert.equal(data.model, 'gpt');
    assert.equal(data.usage?.prompt_tokens, 11);
    assert.match(response.headers.get('x-anymodel-provider') ?? '', /^openai\/gpt-4o@127\.0\.0\.1:\d+$/);
    assert.equal(response.headers.get('access-control-allow-origin'), null, 'no permissive CORS');
    const sent = upstream.requests[0]!;
    assert.equal(sent.headers.authorization, 'Bearer upstream-key', 'the upstream key is the config one, not the proxy key');
    assert.equal((sent.body as { model: string }).model, 'gpt-4o');
  });

  it('passes n > 1 to OpenAI, which bills the prompt once, and refuses it streamed', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt', n: 3, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.deepEqual(data.choices.map((c) => [c.index, c.message.content]), [[0, 'Hello from openai: hi'], [1, 'Hello from openai: hi (choice 2)'], [2, 'Hello from openai: hi (choice 3)']]);
    assert.equal(data.usage?.prompt_tokens, 11);
    assert.equal(data.usage?.completion_tokens, 21);
    assert.equal(upstream.requests.length, 1);
    assert.equal((upstream.requests[0]!.body as { n?: number }).n, 3);
    assert.ok(Number(response.headers.get('x-anymodel-response-cost')) > 0);
    await assert.rejects(client.chat.completions.create({ model: 'gpt', n: 2, stream: true, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /n > 1 is not supported with stream/.test(e.message));
    await assert.rejects(client.chat.completions.create({ model: 'gpt', n: 9, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /at most 8/.test(e.message));
    assert.equal(upstream.requests.length, 1);
  });

  it('streams with a final usage chunk when include_usage is asked, ending with [DONE]', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'stream me' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Hello from openai: stream me');
    assert.equal(finish, 'stop');
    assert.equal(usage?.completion_tokens, 7);
  });

  it('lists models and reports health', async () => {
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['gpt']);
    const one = await client.models.retrieve('gpt');
    assert.equal(one.id, 'gpt');
    assert.equal(one.object, 'model');
    await assert.rejects(client.models.retrieve('nope'), (e: unknown) => e instanceof OpenAI.NotFoundError && /"nope" does not exist/.test(e.message));
    const health = await fetch(`${proxy.url}/health`);
    assert.equal(health.status, 200);
  });

  it('requires the master key', async () => {
    const anonymous = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'wrong-key', maxRetries: 0 });
    await assert.rejects(anonymous.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.AuthenticationError);
    const res = await fetch(`${proxy.url}/v1/models`);
    assert.equal(res.status, 401);
    assert.match(JSON.stringify(await res.json()), /Missing API key/);
    assert.equal(upstream.requests.length, 0);
  });

  for (const field of ['api_base', 'base_url', 'api_key', 'extra_headers']) {
    it(`refuses ${field} in a request body (CVE-2024-6587) and sends nothing upstream`, async () => {
      const body = { model: 'gpt', messages: [{ role: 'user', content: 'x' }], [field]: field === 'extra_headers' ? { 'x-evil': '1' } : 'http://169.254.169.254' };
      await assert.rejects(client.chat.completions.create(body as never), (e: unknown) => e instanceof OpenAI.BadRequestError && e.message.includes(`"${field}" is not accepted`));
      assert.equal(upstream.requests.length, 0);
    });
  }

  it('names an unknown parameter and an invalid field', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'x' }], frobnicate: 1 } as never), /Unsupported parameter "frobnicate"/);
    await assert.rejects(client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'x' }], temperature: 7 }), /temperature/);
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.NotFoundError && /Model "nope" is not configured/.test(e.message));
  });

  it('refuses cross-origin browser requests, other Host names and oversized bodies', async () => {
    const withOrigin = await fetch(`${proxy.url}/v1/models`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${MASTER}` } });
    assert.equal(withOrigin.status, 403);
    assert.equal(withOrigin.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${proxy.url}/v1/chat/completions`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 403);
    const big = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }),
    });
    assert.equal(big.status, 413);
    assert.equal(upstream.requests.length, 0);
  });

  it('maps upstream errors to OpenAI errors with the right status and Retry-After', async () => {
    const limited = () => ({ kind: 'json' as const, status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', code: 'rate_limit_exceeded' } } });
    await withProxyOver(limited, async (p) => {
      const c = new OpenAI({ baseURL: `${p.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      await assert.rejects(c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.RateLimitError);
        assert.match(e.message, /Rate limit reached/);
        assert.equal(e.headers?.get('retry-after'), '7');
        return true;
      });
    });
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'partial' }, finish_reason: null }] };
    await withProxyOver(() => ({ kind: 'raw', contentType: 'text/event-stream', hang: true, pieces: [sse([chunk])] }), async (p, slow) => {
      const aborted = slow.nextClientAbort();
      const ctrl = new AbortController();
      const res = await fetch(`${p.url}/v1/chat/completions`, { method: 'POST', signal: ctrl.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }) });
      const first = new TextDecoder().decode((await res.body!.getReader().read()).value);
      assert.match(first, /partial/);
      ctrl.abort();
      await Promise.race([aborted, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream was not aborted')), 3000))]);
    });
  });

  it('logs one line per request without keys or prompt text', async () => {
    const secret = 'prompt text that must stay out of the log';
    const before = logs.length;
    await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: secret }] });
    const stream = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: secret }], stream: true });
    for await (const chunk of stream) void chunk;
    await assert.rejects(new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-wrong-key-for-the-log', maxRetries: 0 }).models.list());
    // The line is written when the answer has been handed over, which can be after the client saw its end.
    await waitFor(() => logs.length - before >= 3);
    const lines = logs.slice(before);
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0]!, /^POST \/v1\/chat\/completions 200 [\d.]+ms openai\/gpt-4o@127\.0\.0\.1:\d+$/);
    assert.match(lines[1]!, /^POST \/v1\/chat\/completions 200 /);
    assert.match(lines[2]!, /^GET \/v1\/models 401 /);
    const all = lines.join('\n');
    for (const unwanted of [MASTER, 'upstream-key', 'sk-wrong-key-for-the-log', secret]) assert.ok(!all.includes(unwanted), `${unwanted} in ${all}`);
  });

});

/** Runs `fn` against a proxy (no master key) whose one model `m` is served by a mock with `handler`. */
async function withProxyOver(handler: Handler, fn: (proxy: RunningProxy, upstream: MockServer) => Promise<void>): Promise<void> {
  const upstream = await startMockServer(handler);
  const config = buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', api_base: upstream.url, api_key: 'k' } }], litellm_settings: { num_retries: 0 } }, {});
  const proxy = await startProxy({ config, port: 0 });
  try {
    await fn(proxy, upstream);
  } finally {
    await proxy.close(100);
    await upstream.close();
  }
}

describe('proxy: binding rules', () => {
  it('refuses to listen beyond loopback without a master key, and says so', async () => {
    await assert.rejects(startProxy({ config: buildConfig({ model_list: [] }, {}), host: '0.0.0.0', port: 0 }), /Refusing to listen on 0\.0\.0\.0 without a master key/);
  });

  it('refuses a Host header that is not loopback when it has no key (DNS rebinding)', async () => {
    const p = await startProxy({ config: buildConfig({ model_list: [] }, {}), port: 0 });
    try {
      const http = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: p.port, path: '/v1/models', headers: { host: 'attacker.example:80' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
      });
      assert.equal(status, 403);
    } finally {
      await p.close();
    }
  });
});

describe('proxy: n > 1 where the provider has no n', () => {
  let anthropic: MockServer;
  let groq: MockServer;
  let proxy: RunningProxy;
  let client: OpenAI;

  before(async () => {
    [anthropic, groq] = await Promise.all([startAnthropicMock(), startOpenAIMock({ apiKey: 'groq-key' })]);
    proxy = await startProxy({
      config: buildConfig({
        model_list: [
          { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'test-key' } },
          // Groq refuses n > 1 ("n must be 1"), so it is not sent there either.
          { model_name: 'groq', litellm_params: { model: 'groq/llama-3.3-70b', api_base: `${groq.url}/v1`, api_key: 'groq-key' } },
        ],
        litellm_settings: { num_retries: 0 },
      }, {}),
      port: 0,
    });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused-without-master-key', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([anthropic.close(), groq.close()]);
  });

  for (const [model, mock] of [['claude', () => anthropic], ['groq', () => groq]] as const) {
    it(`fans out to ${model} as parallel single requests with the usage summed`, async () => {
      const before = mock().requests.length;
      const data = await client.chat.completions.create({ model, n: 3, messages: [{ role: 'user', content: 'hi' }] });
      assert.deepEqual(data.choices.map((c) => c.index), [0, 1, 2]);
      assert.ok(data.choices.every((c) => /^Hello from \w+: hi$/.test(c.message.content ?? '')));
      assert.equal(data.usage?.prompt_tokens, 33);
      assert.equal(data.usage?.completion_tokens, 21);
      const sent = mock().requests.slice(before);
      assert.equal(sent.length, 3);
      assert.ok(sent.every((r) => (r.body as { n?: number }).n === undefined), 'n never reaches a provider without it');
    });
  }
});
