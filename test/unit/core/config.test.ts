import assert from 'node:assert/strict';
import { buildConfig, ConfigError, parseConfigText } from '../../../src/core/config/load';

const yaml = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o-eu
      api_base: https://my-endpoint-eu.openai.azure.com/
      api_key: os.environ/AZURE_API_KEY_EU
      api_version: "2024-10-21"
      rpm: 6
      order: 2
      max_tokens: 512
      temperature: 0.2
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      order: 1
      timeout: 30
    model_info:
      max_input_tokens: 128000
  - model_name: local
    litellm_params:
      model: ollama_chat/llama3.2
      keep_alive: 10m
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 4
  fallbacks: [{"gpt-4o": ["local"]}]
litellm_settings:
  drop_params: true
  request_timeout: 120
  telemetry: false
  cache: true
  cache_params: {type: local, ttl: 60}
general_settings:
  master_key: os.environ/MASTER
`;

describe('config (LiteLLM config.yaml)', () => {
  const env = { AZURE_API_KEY_EU: 'azure-secret', OPENAI_API_KEY: 'openai-secret', MASTER: 'sk-master-1234' };

  it('reads model_list, settings and os.environ references unchanged', () => {
    const c = parseConfigText(yaml, env);
    assert.equal(c.deployments.length, 3);
    const [azure, openai, local] = c.deployments;
    assert.deepEqual(
      { provider: azure!.provider, model: azure!.model, apiBase: azure!.apiBase, apiKey: azure!.apiKey, apiVersion: azure!.apiVersion, rpm: azure!.rpm, order: azure!.order, defaults: azure!.defaults },
      { provider: 'azure', model: 'gpt-4o-eu', apiBase: 'https://my-endpoint-eu.openai.azure.com', apiKey: 'azure-secret', apiVersion: '2024-10-21', rpm: 6, order: 2, defaults: { max_tokens: 512, temperature: 0.2 } },
    );
    assert.equal(openai!.apiKey, 'openai-secret');
    assert.equal(openai!.timeoutMs, 30_000);
    assert.equal(azure!.timeoutMs, 120_000, 'request_timeout applies where the deployment sets none');
    assert.deepEqual(openai!.modelInfo, { max_input_tokens: 128000 });
    assert.deepEqual(local!.providerOptions, { keep_alive: '10m' });
    assert.equal(local!.apiBase, 'http://127.0.0.1:11434');
    assert.equal(c.settings.numRetries, 4);
    assert.equal(c.settings.dropParams, true);
    assert.deepEqual(c.settings.fallbacks, { 'gpt-4o': ['local'] });
    assert.deepEqual(c.settings.cache, { enabled: true, ttlSeconds: 60, maxSize: 1000 });
    assert.equal(c.masterKey, 'sk-master-1234');
    assert.ok(!azure!.id.includes('secret'), 'deployment ids carry no key');
  });

  it('warns about unknown keys and unset environment variables instead of failing', () => {
    const c = parseConfigText(yaml, { OPENAI_API_KEY: 'x', AZURE_API_KEY: 'ambient-azure-key' });
    assert.ok(c.warnings.includes('litellm_settings.telemetry: unknown key, ignored'), c.warnings.join('\n'));
    assert.ok(c.warnings.some((w) => w === 'model_list[0].litellm_params.api_key: environment variable AZURE_API_KEY_EU is not set: this deployment has no key, and no other key is sent in its place'), c.warnings.join('\n'));
    assert.equal(c.deployments[0]!.apiKey, undefined, 'the ambient AZURE_API_KEY does not stand in for the unset variable');
    assert.equal(c.deployments[0]!.unsetKeyEnv, 'AZURE_API_KEY_EU');
  });

  it('fails on a bad value with the path of the field', () => {
    assert.throws(() => buildConfig({ model_list: [{ model_name: 'x', litellm_params: { model: 'openai/gpt-4o', api_base: 'not a url' } }] }),
      (e: Error) => e instanceof ConfigError && /model_list\[0\]\.litellm_params\.api_base: must be a URL/.test(e.message));
    assert.throws(() => buildConfig({ model_list: [{ model_name: 'x', litellm_params: { model: 'openai/gpt-4o', rpm: 'many' } }] }),
      /model_list\[0\]\.litellm_params\.rpm/);
    assert.throws(() => buildConfig({ model_list: [{ model_name: 'x', litellm_params: { model: 'nosuch/thing' } }] }), /model_list\[0\] \(x\): Unknown provider "nosuch"|Cannot tell the provider/);
    assert.throws(() => parseConfigText('model_list: [', {}, 'bad.yaml'), /bad\.yaml: not valid YAML/);
  });

  it('infers the provider of bare model names as LiteLLM does', () => {
    const c = buildConfig({ model_list: [{ model_name: 'a', litellm_params: { model: 'gpt-4o-mini' } }, { model_name: 'b', litellm_params: { model: 'claude-sonnet-4-5' } }] }, {});
    assert.deepEqual(c.deployments.map((d) => d.provider), ['openai', 'anthropic']);
  });
});
