/**
 * Config keys that are accepted are either acted on or said to be ignored: model_group_alias
 * routes (LiteLLM's semantics), the keys AnyModel does not act on are warned about at load, and a
 * usage log that cannot be written is said once.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig, ConfigError } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import type { MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { tempDir } from '../helpers/temp';

describe('config: router_settings.model_group_alias', () => {
  let mock: MockServer;
  let proxy: RunningProxy;
  let client: OpenAI;

  before(async () => {
    mock = await startOpenAIMock();
    const config = buildConfig({
      model_list: [
        { model_name: 'fast', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${mock.url}/v1`, api_key: 'test-key' } },
        { model_name: 'big', litellm_params: { model: 'openai/gpt-4o', api_base: `${mock.url}/v1`, api_key: 'test-key' } },
      ],
      router_settings: { model_group_alias: { 'gpt-4': 'big', 'internal-cheap': { model: 'fast', hidden: true } } },
      litellm_settings: { num_retries: 0 },
    }, {});
    proxy = await startProxy({ config, port: 0 });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused-without-master-key', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await mock.close();
  });
  beforeEach(() => { mock.requests.length = 0; });

  it('sends a request for an alias to the group it names, without calling it a fallback', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(data.choices[0]!.message.content, 'Hello from openai: hi');
    assert.equal((mock.requests[0]!.body as { model: string }).model, 'gpt-4o');
    assert.equal(response.headers.get('x-anymodel-model-group'), 'big');
    assert.equal(response.headers.get('x-anymodel-fallback'), 'false');
  });

  it('lists visible aliases in /v1/models and keeps hidden ones out, while they still answer', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id).sort();
    assert.deepEqual(ids, ['big', 'fast', 'gpt-4']);
    const r = await client.chat.completions.create({ model: 'internal-cheap', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.choices[0]!.message.content, 'Hello from openai: x');
    assert.equal((mock.requests.at(-1)!.body as { model: string }).model, 'gpt-4o-mini');
  });

  it('refuses an alias to a group that does not exist, naming it', () => {
    assert.throws(() => buildConfig({ model_list: [{ model_name: 'a', litellm_params: { model: 'openai/x' } }], router_settings: { model_group_alias: { b: 'nope' } } }, {}),
      (e: unknown) => e instanceof ConfigError && /model_group_alias\.b: "nope" is not a model_name/.test(e.message));
  });
});

describe('config: keys accepted but not acted on are said at load', () => {
  const model_list = [{ model_name: 'a', litellm_params: { model: 'openai/x' }, model_info: { mode: 'chat', max_input_tokens: 1000 } }];

  it('warns for each, naming the key', () => {
    const c = buildConfig({
      model_list,
      router_settings: { enable_pre_call_checks: true, routing_strategy_args: { ttl: 60, max_latency_list_size: 5 } },
      litellm_settings: { set_verbose: true, cache: true, cache_params: { type: 'redis-semantic' } },
    }, {});
    const said = c.warnings.filter((w) => /not acted on/.test(w)).map((w) => w.split(':')[0]);
    assert.deepEqual(said, [
      'router_settings.enable_pre_call_checks', 'router_settings.routing_strategy_args.max_latency_list_size',
      'litellm_settings.set_verbose', 'litellm_settings.cache_params.type', 'model_list[0].model_info.mode',
    ]);
  });

  it('says nothing for keys that are acted on', () => {
    const c = buildConfig({ model_list: [{ model_name: 'a', litellm_params: { model: 'anthropic/x', cache_control_injection_points: [{ location: 'message', role: 'system' }] }, model_info: { max_input_tokens: 1000 } }], router_settings: { routing_strategy_args: { ttl: 60 } }, litellm_settings: { cache: true, cache_params: { type: 'local' } } }, {});
    assert.deepEqual(c.warnings, []);
  });
});

describe('config: cache_control_injection_points', () => {
  it('refuses a point that names no message, with the path of the field', () => {
    assert.throws(() => buildConfig({ model_list: [{ model_name: 'a', litellm_params: { model: 'anthropic/x', cache_control_injection_points: [{ location: 'message' }] } }] }, {}),
      (e: unknown) => e instanceof ConfigError && /model_list\[0\]\.litellm_params\.cache_control_injection_points\[0\]: needs a role or an index/.test(e.message));
  });
});

describe('usage log: a failing write is said once', () => {
  it('reports the path and the reason once, however many records fail', async () => {
    const mock = await startOpenAIMock();
    try {
      const dir = tempDir('usage');
      writeFileSync(join(dir, 'not-a-folder'), 'x');
      const path = join(dir, 'not-a-folder', 'usage.jsonl'); // its parent is a file: every write fails
      const warnings: string[] = [];
      const config = buildConfig({ model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${mock.url}/v1`, api_key: 'test-key' } }] }, {});
      const client = new AnyModelClient(config, { usageLogPath: path, onWarning: (w) => warnings.push(w) });
      for (let i = 0; i < 3; i++) {
        const r = await client.chat({ model: 'gpt', messages: [{ role: 'user', content: `q${i}` }] });
        assert.equal(r.value.content, `Hello from openai: q${i}`, 'the answer does not depend on the log');
      }
      const deadline = Date.now() + 10_000;
      while (warnings.length === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      // A fourth request after the first warning: still one warning once its write settled.
      await client.chat({ model: 'gpt', messages: [{ role: 'user', content: 'q3' }] });
      await client.chat({ model: 'gpt', messages: [{ role: 'user', content: 'q4' }] });
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.ok(warnings[0]!.includes(path), warnings[0]);
      assert.match(warnings[0]!, /could not be written \((ENOTDIR|EEXIST)/);
    } finally {
      await mock.close();
    }
  });
});
