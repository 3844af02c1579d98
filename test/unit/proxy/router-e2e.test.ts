/**
 * Router, accounting, budgets and cache as a proxy client sees them: the official openai client
 * against `anymodel proxy`, mock providers behind it.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { calcPrice } from '@pydantic/genai-prices';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { startAnthropicMock } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { USAGE } from '../mocks/script';
import type { UsageRecord } from '../../../src/core/usage/records';

describe('proxy: routing, cost, budgets and cache', () => {
  let openai: MockServer, anthropic: MockServer, gemini: MockServer, down: MockServer;
  let proxy: RunningProxy;
  let client: OpenAI;
  const records: UsageRecord[] = [];

  before(async () => {
    [openai, anthropic, gemini] = await Promise.all([startOpenAIMock(), startAnthropicMock(), startGeminiMock()]);
    down = await startMockServer(() => ({ kind: 'json', status: 503, body: { error: { message: 'upstream overloaded', type: 'server_error' } } }));
    const config = buildConfig({
      model_list: [
        { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } },
        { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'test-key' } },
        { model_name: 'gemini', litellm_params: { model: 'gemini/gemini-2.5-flash', api_base: gemini.url, api_key: 'test-key' } },
        { model_name: 'priced', litellm_params: { model: 'openai/house-model', api_base: `${openai.url}/v1`, api_key: 'test-key', input_cost_per_token: 0.000002, output_cost_per_token: 0.00001, cache_read_input_token_cost: 0.0000005 } },
        { model_name: 'flaky', litellm_params: { model: 'openai/flaky', api_base: down.url, api_key: 'k' } },
        { model_name: 'capped', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } },
      ],
      litellm_settings: {
        num_retries: 0,
        fallbacks: [{ flaky: ['gpt'] }],
        cache: true,
        cache_params: { type: 'local', ttl: 60 },
        model_max_budget: { capped: { budget_limit: 0.00001, time_period: '1d' } },
      },
    }, {});
    proxy = await startProxy({ config, port: 0, clientOptions: { onUsage: (r) => records.push(r) } });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([openai, anthropic, gemini, down].map((m) => m.close()));
  });

  const ask = (model: string, content: string, extra: object = {}) => client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra }).withResponse();
  const catalog = (model: string, providerId: string) => calcPrice({ input_tokens: USAGE.input, cache_read_tokens: USAGE.cached, output_tokens: USAGE.output }, model, { providerId })!.total_price;

  it('prices OpenAI, Anthropic and Gemini answers from the catalog, cached tokens included', async () => {
    for (const [model, id, provider] of [['gpt', 'gpt-4o', 'openai'], ['claude', 'claude-sonnet-4-5', 'anthropic'], ['gemini', 'gemini-2.5-flash', 'google']] as const) {
      const { response } = await ask(model, `price ${model}`);
      const cost = Number(response.headers.get('x-anymodel-response-cost'));
      assert.ok(cost > 0, `${model} has a price`);
      assert.ok(Math.abs(cost - catalog(id, provider)) < 1e-9, `${model}: ${cost} vs catalog ${catalog(id, provider)}`);
      const uncached = calcPrice({ input_tokens: USAGE.input, output_tokens: USAGE.output }, id, { providerId: provider })!.total_price;
      assert.ok(cost < uncached, `${model}: cached tokens are cheaper`);
    }
  });

  it('uses per-deployment prices from config over the catalog', async () => {
    const { response } = await ask('priced', 'house');
    const expected = (USAGE.input - USAGE.cached) * 0.000002 + USAGE.cached * 0.0000005 + USAGE.output * 0.00001;
    assert.ok(Math.abs(Number(response.headers.get('x-anymodel-response-cost')) - expected) < 1e-12);
  });

  it('falls back and says so', async () => {
    const { data, response } = await ask('flaky', 'are you there?');
    assert.equal(data.choices[0]!.message.content, 'Hello from openai: are you there?');
    assert.equal(response.headers.get('x-anymodel-fallback'), 'true');
    assert.equal(response.headers.get('x-anymodel-model-group'), 'gpt');
    assert.equal(response.headers.get('x-anymodel-attempts'), '2');
    const rec = records.at(-1)!;
    assert.deepEqual([rec.modelGroup, rec.fallback, rec.attempts, rec.outcome], ['gpt', true, 2, 'success']);
  });

  it('answers a repeated request from the cache, streamed too, at no cost; no-cache opts out', async () => {
    const before = openai.requests.length;
    const first = await ask('gpt', 'cache me');
    const second = await ask('gpt', 'cache me');
    assert.equal(first.response.headers.get('x-anymodel-cache-hit'), 'false');
    assert.equal(second.response.headers.get('x-anymodel-cache-hit'), 'true');
    assert.equal(second.response.headers.get('x-anymodel-response-cost'), '0.00000000');
    assert.equal(second.data.choices[0]!.message.content, first.data.choices[0]!.message.content);
    assert.equal(openai.requests.length, before + 1, 'the second answer did not reach the provider');

    const stream = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'cache me' }], stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Hello from openai: cache me');
    assert.equal(openai.requests.length, before + 1, 'the stream was replayed from the cache');
    assert.equal(records.at(-1)!.cacheHit, true);

    await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'cache me' }] }, { headers: { 'cache-control': 'no-cache' } });
    await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'cache me' }], cache: { 'no-cache': true } } as never);
    assert.equal(openai.requests.length, before + 3);
  });

  it('caches a streamed answer once it finished, and never an error', async () => {
    const before = openai.requests.length;
    for (let i = 0; i < 2; i++) {
      const stream = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'stream then cache' }], stream: true });
      for await (const _ of stream) { /* drain */ }
    }
    assert.equal(openai.requests.length, before + 1);
  });

  it('never caches an error', async () => {
    let calls = 0;
    const once = await startMockServer(() => (++calls === 1
      ? { kind: 'json', status: 500, body: { error: { message: 'boom' } } }
      : { kind: 'json', body: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }] } }));
    const p = await startProxy({ config: buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', api_base: once.url, api_key: 'k' } }], litellm_settings: { num_retries: 0, cache: true } }, {}), port: 0 });
    try {
      const c = new OpenAI({ baseURL: `${p.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      await assert.rejects(c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.InternalServerError);
      const ok = await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(ok.choices[0]!.message.content, 'fine');
      assert.equal(calls, 2);
    } finally {
      await p.close();
      await once.close();
    }
  });

  it('refuses a request over budget before calling, with the figures', async () => {
    await ask('capped', 'spend something');
    const calls = openai.requests.length;
    await assert.rejects(ask('capped', 'and more'), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.match(e.message, /Budget exceeded for model capped: spent \$0\.\d{4} of the \$0\.0000 allowed per day/);
      return true;
    });
    assert.equal(openai.requests.length, calls);
  });

  it('reports spend by model and by day', async () => {
    const res = await fetch(`${proxy.url}/spend`);
    const spend = (await res.json()) as { totalUsd: number; byModel: Record<string, { usd: number; requests: number }>; byDay: Record<string, { usd: number }> };
    assert.ok(spend.byModel.claude!.usd > 0);
    assert.ok(spend.byModel.gpt!.requests >= 3);
    const today = new Date().toISOString().slice(0, 10);
    assert.ok(Math.abs(spend.byDay[today]!.usd - spend.totalUsd) < 1e-12);
    // Without shared state, today is this process's spend, per model group.
    const day = (spend as unknown as { today: { day: string; totalUsd: number; byModel: Record<string, number>; sharedBy: string } }).today;
    assert.deepEqual({ day: day.day, sharedBy: day.sharedBy }, { day: today, sharedBy: 'this process' });
    assert.ok(Math.abs(day.byModel.claude! - spend.byModel.claude!.usd) < 1e-12);
    assert.ok(Math.abs(day.totalUsd - spend.totalUsd) < 1e-12);
  });
});
