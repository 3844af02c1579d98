/**
 * One client for the life of the editor window: `reconfigure` swaps the routing and config and
 * keeps what still applies (spend and so the budgets, cooldowns of deployments still there, cached
 * answers, the usage log). Against mock OpenAI servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import type { UsageRecord } from '../../../src/core/usage/records';
import { startOpenAIMock } from '../mocks/openai';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { tempDir } from '../helpers/temp';

const ask = (model: string, content = 'hello') => ({ model, messages: [{ role: 'user' as const, content }] });

describe('client: reconfigure keeps what still applies', () => {
  let cloud: MockServer;
  let other: MockServer;
  before(async () => {
    cloud = await startOpenAIMock({ apiKey: 'k' });
    other = await startOpenAIMock({ apiKey: 'k' });
  });
  after(async () => { await cloud.close(); await other.close(); });

  const priced = (name: string, base: string) => ({ model_name: name, litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${base}/v1`, api_key: 'k', input_cost_per_token: 0.001, output_cost_per_token: 0.001 } });
  /** The editor's config: a priced model, a daily budget, and a default model the user picks. */
  const config = (defaultModel: string, extra: object[] = []) => buildConfig({
    model_list: [priced('cloud', cloud.url), ...extra],
    litellm_settings: { max_budget: 0.01, cache: true },
    // What changes on a model pick in the editor: nothing here but the order of the entries; the
    // default model travels outside the config, yet the editor rebuilds the config on any write.
    router_settings: { routing_strategy: defaultModel === 'b' ? 'least-busy' : 'simple-shuffle' },
  }, {});

  it('a budget spent before a model pick is still spent after it', async () => {
    const client = new AnyModelClient(config('a'));
    await client.chat(ask('cloud', 'first question'));
    assert.ok(client.spend.spentOn(new Date().toISOString().slice(0, 10)) >= 0.01, 'the first answer used the day\'s budget');
    client.reconfigure(config('b'));
    const before = cloud.requests.length;
    await assert.rejects(client.chat(ask('cloud', 'second question')), (e: Error) => /Budget exceeded for all models: spent \$0\.01/.test(e.message));
    assert.equal(cloud.requests.length, before, 'refused before any call');
  });

  it('a budget raised by the new config applies at once, with the spend kept', async () => {
    const client = new AnyModelClient(config('a'));
    await client.chat(ask('cloud', 'raise me'));
    const spent = client.spend.snapshot().totalUsd;
    client.reconfigure(buildConfig({ model_list: [priced('cloud', cloud.url)], litellm_settings: { max_budget: 10 } }, {}));
    await client.chat(ask('cloud', 'raise me again'));
    assert.ok(client.spend.snapshot().totalUsd > spent, 'the ledger carried on from where it was');
    assert.equal(client.spend.snapshot().requests, 2);
  });

  it('a cooldown survives reconfigure for a deployment that is still there, and is forgotten for one that left', async () => {
    const now = 1_000_000;
    const flaky = await startMockServer(() => ({ kind: 'json', status: 429, body: { error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' } } }));
    try {
      const group = (bases: string[]) => buildConfig({
        model_list: bases.map((b) => ({ model_name: 'g', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${b}/v1`, api_key: 'k' } })),
        litellm_settings: { num_retries: 0 },
        router_settings: { cooldown_time: 60, routing_strategy: 'simple-shuffle' },
      }, {});
      const client = new AnyModelClient(group([flaky.url, cloud.url]), { router: { now: () => now, random: () => 0, sleep: async () => undefined } });
      await assert.rejects(client.chat(ask('g', 'cool me down')), /Rate limit/);
      const flakyDep = client.router.group('g').find((d) => d.apiBase!.startsWith(flaky.url))!;
      assert.equal(client.router.states.isCooling(flakyDep), true, 'the 429 cooled the deployment down');

      client.reconfigure(group([flaky.url, cloud.url, other.url]));
      const again = client.router.group('g').find((d) => d.id === flakyDep.id)!;
      assert.notEqual(again, flakyDep, 'a new deployment object, the same id');
      assert.equal(client.router.states.isCooling(again), true, 'still cooling after reconfigure');
      const seen = flaky.requests.length;
      for (let i = 0; i < 3; i++) await client.chat(ask('g', `while cooling ${i}`));
      assert.equal(flaky.requests.length, seen, 'no request went to the cooling deployment');

      client.reconfigure(group([cloud.url]));
      client.reconfigure(group([flaky.url, cloud.url]));
      assert.equal(client.router.states.isCooling(client.router.group('g').find((d) => d.id === flakyDep.id)!), false, 'a deployment that left the config starts afresh');
    } finally {
      await flaky.close();
    }
  });

  it('keeps cached answers of deployments that still serve their group, drops the others', async () => {
    const cached = (bases: Record<string, string>) => buildConfig({
      model_list: Object.entries(bases).map(([name, b]) => ({ model_name: name, litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${b}/v1`, api_key: 'k' } })),
      litellm_settings: { cache: true },
    }, {});
    const client = new AnyModelClient(cached({ x: cloud.url, y: other.url }));
    await client.chat(ask('x', 'cache x'));
    await client.chat(ask('y', 'cache y'));
    client.reconfigure(cached({ x: cloud.url, y: cloud.url }));
    assert.equal((await client.chat(ask('x', 'cache x'))).cacheHit, true, 'x is served by the same deployment: its answer still applies');
    assert.equal((await client.chat(ask('y', 'cache y'))).cacheHit, false, 'y moved to another server: its cached answer is not reused');
  });

  it('keeps the usage log and the usage listener of the new options', async () => {
    const path = join(tempDir('reconf'), 'usage.jsonl');
    const first: UsageRecord[] = [];
    const second: UsageRecord[] = [];
    const client = new AnyModelClient(config('a'), { usageLogPath: path, onUsage: (r) => first.push(r) });
    await client.chat(ask('cloud', 'log one'));
    client.reconfigure(buildConfig({ model_list: [priced('cloud', cloud.url)] }, {}), { usageLogPath: path, onUsage: (r) => second.push(r) });
    await client.chat(ask('cloud', 'log two'));
    assert.deepEqual([first.length, second.length], [1, 1]);
    const deadline = Date.now() + 5000;
    let lines = 0;
    const count = () => { try { return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).length; } catch { return 0; } };
    while (Date.now() < deadline && (lines = count()) < 2) await new Promise((r) => setTimeout(r, 20));
    assert.equal(lines, 2, 'both records in the one log');
  });
});
