/**
 * The proxy's telemetry as a collector and a Prometheus server see it: spans exported over
 * OTLP/HTTP to a receiver on 127.0.0.1 (GenAI semantic conventions, one child per attempt), and
 * `GET /metrics` parsed as Prometheus text after known requests. Mock providers behind the proxy.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { USAGE } from '../mocks/script';
import { waitFor } from '../helpers/wait';
import { parsePrometheusText, sumOf } from '../helpers/prometheus-text';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { METRIC } from '../../../src/proxy/metrics/prometheus-registry';

const MASTER = 'sk-telemetry-master';

describe('proxy telemetry: OpenTelemetry spans and Prometheus metrics', () => {
  let openai: MockServer, limited: MockServer, broken: MockServer;
  let receiver: OtlpReceiver;
  let proxy: RunningProxy;
  let client: OpenAI;

  before(async () => {
    openai = await startOpenAIMock();
    limited = await startMockServer(() => ({ kind: 'json', status: 429, body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } } }));
    broken = await startMockServer(() => ({ kind: 'json', status: 400, body: { error: { message: 'bad input', type: 'invalid_request_error', param: null, code: null } } }));
    receiver = await startOtlpReceiver();
    const config = buildConfig({
      model_list: [
        { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } },
        // Two deployments: a 429 cools each down at once, then the group gives up and falls back.
        { model_name: 'limited', litellm_params: { model: 'openai/rl-a', api_base: `${limited.url}/v1`, api_key: 'k' } },
        { model_name: 'limited', litellm_params: { model: 'openai/rl-b', api_base: `${limited.url}/v1`, api_key: 'k' } },
        { model_name: 'broken', litellm_params: { model: 'openai/broken', api_base: `${broken.url}/v1`, api_key: 'k' } },
      ],
      router_settings: { routing_strategy: 'simple-shuffle' },
      litellm_settings: { num_retries: 2, fallbacks: [{ limited: ['gpt'] }], cache: true, callbacks: ['otel', 'prometheus'] },
    }, {});
    proxy = await startProxy({ config, port: 0, masterKey: MASTER, otlp: { endpoint: receiver.url, source: 'test', exportDelayMs: 50, serviceName: 'anymodel-test' } });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: MASTER, maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([openai, limited, broken, receiver].map((m) => m.close()));
  });

  /** The root span of the request for `model` (streamed or not), and its children, once exported. */
  async function spansFor(model: string, stream = false): Promise<{ root: ReceivedSpan; children: ReceivedSpan[] }> {
    const root = await waitFor(() => receiver.spans().find((s) => !s.parentSpanId && s.attributes['gen_ai.request.model'] === model && s.attributes['gen_ai.request.stream'] === stream), `the span of ${model}`);
    const children = receiver.spans().filter((s) => s.parentSpanId === root.spanId).sort((a, b) => Number(a.attributes['anymodel.attempt']) - Number(b.attributes['anymodel.attempt']));
    return { root, children };
  }

  it('exports one `chat {model}` span per request with the GenAI attributes', async () => {
    const answer = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'hello spans' }], max_tokens: 50, temperature: 0.5 });
    assert.match(answer.choices[0]!.message.content ?? '', /hello spans/);
    const { root, children } = await spansFor('gpt');
    assert.equal(root.name, 'chat gpt');
    assert.equal(root.kind, 3, 'a CLIENT span');
    const a = root.attributes;
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.provider.name'], 'openai');
    assert.equal(a['gen_ai.request.model'], 'gpt');
    assert.equal(a['gen_ai.response.model'], 'gpt-4o', 'the model the provider says answered');
    assert.equal(a['gen_ai.usage.input_tokens'], USAGE.input);
    assert.equal(a['gen_ai.usage.output_tokens'], USAGE.output);
    assert.deepEqual(a['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(a['gen_ai.request.max_tokens'], 50);
    assert.equal(a['gen_ai.request.temperature'], 0.5);
    assert.equal(a['server.address'], '127.0.0.1');
    assert.equal(a['server.port'], Number(new URL(openai.url).port));
    assert.equal(a['error.type'], undefined);
    assert.equal(a['gen_ai.input.messages'], undefined, 'no content unless opted in');
    assert.equal(a['gen_ai.output.messages'], undefined);
    assert.equal(root.resource['service.name'], 'anymodel-test');
    assert.ok(root.endNs > root.startNs);
    assert.equal(children.length, 1, 'one attempt');
    assert.equal(children[0]!.name, 'chat gpt-4o');
    assert.equal(children[0]!.attributes['anymodel.attempt'], 1);
  });

  it('shows retries and a fallback as one child span per attempt, each failure with its error.type', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'limited', messages: [{ role: 'user', content: 'rate limited' }] }).withResponse();
    assert.match(data.choices[0]!.message.content ?? '', /rate limited/);
    assert.equal(response.headers.get('x-anymodel-fallback'), 'true');
    const { root, children } = await spansFor('limited');
    assert.equal(root.name, 'chat limited');
    assert.equal(root.attributes['anymodel.fallback'], true);
    assert.equal(root.attributes['anymodel.attempts'], 3);
    assert.equal(root.attributes['anymodel.model_group'], 'gpt');
    assert.equal(root.attributes['error.type'], undefined, 'the request succeeded in the end');
    assert.deepEqual(children.map((c) => [c.attributes['anymodel.model_group'], c.attributes['error.type'] ?? null, c.attributes['anymodel.cooled_down']]),
      [['limited', 'RateLimit', true], ['limited', 'RateLimit', true], ['gpt', null, false]]);
    assert.deepEqual(new Set(children.slice(0, 2).map((c) => c.name)), new Set(['chat rl-a', 'chat rl-b']));
    assert.equal(children[0]!.status.code, 2, 'a failed attempt has the ERROR status');
    for (const c of children) {
      assert.equal(c.traceId, root.traceId);
      assert.ok(c.startNs >= root.startNs && c.endNs <= root.endNs, 'attempts lie within the request');
    }
    assert.ok(children[1]!.startNs >= children[0]!.endNs, 'attempts one after another');
  });

  it('marks a failed request with error.type and the ERROR status', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }), (err: InstanceType<typeof OpenAI.APIError>) => err.status === 400);
    const { root, children } = await spansFor('broken');
    assert.equal(root.attributes['error.type'], 'BadRequest');
    assert.equal(root.status.code, 2);
    assert.match(root.status.message ?? '', /bad input/);
    assert.equal(root.attributes['gen_ai.usage.input_tokens'], undefined);
    assert.equal(children.length, 1, 'a 400 is not retried');
    assert.equal(children[0]!.attributes['error.type'], 'BadRequest');
  });

  it('spans a streamed answer too', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'stream spans' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.match(text, /stream spans/);
    const { root } = await spansFor('gpt', true);
    assert.equal(root.attributes['gen_ai.usage.output_tokens'], USAGE.output);
    assert.deepEqual(root.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(typeof root.attributes['anymodel.time_to_first_token_ms'], 'number');
  });

  it('serves /metrics only with the master key', async () => {
    const bare = await fetch(`${proxy.url}/metrics`);
    assert.equal(bare.status, 401);
    const wrong = await fetch(`${proxy.url}/metrics`, { headers: { authorization: 'Bearer not-the-key' } });
    assert.equal(wrong.status, 401);
  });

  it('counts requests, errors, tokens, spend, latency, fallbacks, cooldowns and cache hits in /metrics', async () => {
    // Asked twice: the second answer comes from the response cache.
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'count me' }] });
    const res = await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const e = parsePrometheusText(await res.text());
    const num = (name: string, labels: Record<string, string>) => sumOf(e, name, labels);
    const gpt = { model_group: 'gpt', deployment: proxy.client.router.group('gpt')[0]!.id };

    for (const name of [METRIC.requests, METRIC.errors, METRIC.tokens, METRIC.spend, METRIC.fallbacks, METRIC.attemptFailures, METRIC.cooldowns, METRIC.cacheHits]) {
      assert.equal(e.types.get(name), 'counter', `${name} is a counter`);
      assert.ok(e.help.get(name), `${name} says what it counts`);
    }
    assert.equal(e.types.get(METRIC.duration), 'histogram');
    assert.equal(e.types.get(METRIC.ttft), 'histogram');
    // gpt answered: the plain request, the fallback, the stream, "count me" and its cache hit.
    assert.equal(num(METRIC.requests, { ...gpt, outcome: 'success' }), 5);
    assert.equal(num(METRIC.requests, { model_group: 'broken', outcome: 'error' }), 1);
    assert.equal(num(METRIC.errors, { model_group: 'broken', error_kind: 'BadRequest' }), 1);
    // Tokens and spend of the four answers the provider gave (a cache hit costs nothing).
    assert.equal(num(METRIC.tokens, { ...gpt, type: 'input' }), 4 * USAGE.input);
    assert.equal(num(METRIC.tokens, { ...gpt, type: 'output' }), 4 * USAGE.output);
    assert.ok(num(METRIC.spend, gpt) > 0, 'gpt-4o has a price');
    assert.equal(num(`${METRIC.duration}_count`, gpt), 4);
    assert.equal(num(`${METRIC.duration}_bucket`, { ...gpt, le: '+Inf' }), 4);
    assert.ok(num(`${METRIC.duration}_sum`, gpt) > 0);
    assert.equal(num(`${METRIC.ttft}_count`, gpt), 1, 'the one stream');
    assert.equal(num(METRIC.fallbacks, { requested_model: 'limited', model_group: 'gpt' }), 1);
    assert.equal(num(METRIC.cooldowns, { model_group: 'limited' }), 2);
    assert.equal(num(METRIC.attemptFailures, { model_group: 'limited', error_kind: 'RateLimit' }), 2);
    assert.equal(num(METRIC.cacheHits, { model_group: 'gpt' }), 1);
  });
});

describe('proxy telemetry: opt-ins and what is off by default', () => {
  it('records message content on spans only with logContent', async () => {
    const openai = await startOpenAIMock();
    const receiver = await startOtlpReceiver();
    const config = buildConfig({ model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } }] }, {});
    const proxy = await startProxy({ config, port: 0, otlp: { endpoint: `${receiver.url}/v1/traces`, source: 'test', logContent: true, exportDelayMs: 50 } });
    try {
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'opted in' }] });
      const root = await waitFor(() => receiver.spans().find((s) => !s.parentSpanId), 'the span');
      assert.deepEqual(JSON.parse(String(root.attributes['gen_ai.input.messages'])), [{ role: 'user', parts: [{ type: 'text', content: 'opted in' }] }]);
      assert.deepEqual(JSON.parse(String(root.attributes['gen_ai.system_instructions'])), [{ type: 'text', content: 'Be brief.' }]);
      const output = JSON.parse(String(root.attributes['gen_ai.output.messages'])) as { role: string; parts: { content: string }[]; finish_reason: string }[];
      assert.equal(output[0]!.role, 'assistant');
      assert.match(output[0]!.parts[0]!.content, /opted in/);
      assert.equal(output[0]!.finish_reason, 'stop');
    } finally {
      await proxy.close();
      await Promise.all([openai.close(), receiver.close()]);
    }
  });

  it('serves /metrics without the key when the config makes it public, counting from the first scrape', async () => {
    const openai = await startOpenAIMock();
    const config = buildConfig({ model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } }], litellm_settings: { require_auth_for_metrics_endpoint: false } }, {});
    const proxy = await startProxy({ config, port: 0, masterKey: MASTER });
    try {
      const scrape = async () => {
        const res = await fetch(`${proxy.url}/metrics`);
        assert.equal(res.status, 200);
        return parsePrometheusText(await res.text());
      };
      const before = await scrape();
      assert.equal(before.samples.filter((x) => x.name === METRIC.requests).length, 0, 'nothing counted yet');
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: MASTER, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'public' }] });
      const after = await scrape();
      assert.equal(sumOf(after, METRIC.requests, { model_group: 'gpt', outcome: 'success' }), 1);
      // The chat API still needs the key.
      assert.equal((await fetch(`${proxy.url}/v1/models`)).status, 401);
    } finally {
      await proxy.close();
      await openai.close();
    }
  });

  it('rejects an OTLP endpoint that is not an http(s) URL, naming the setting', async () => {
    const config = buildConfig({ model_list: [] }, {});
    await assert.rejects(startProxy({ config, port: 0, otlp: { endpoint: 'grpc://collector:4317', source: '--otlp-endpoint' } }), /--otlp-endpoint: "grpc:\/\/collector:4317" must be an http:\/\/ or https:\/\/ URL/);
    await assert.rejects(startProxy({ config, port: 0, otlp: { endpoint: 'not a url', source: '--otlp-endpoint' } }), /--otlp-endpoint: "not a url" is not a URL/);
  });
});
