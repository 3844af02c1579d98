/**
 * The catalog and the window's one client: a rebuild reconfigures the client it is given (spend
 * survives), reuses a discovery instead of asking Ollama again, and a provider's default key goes
 * to a custom api_base only once the user allowed that origin or the entry names its key.
 * Against mock servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { buildCatalog, withheldKeyFor, type CatalogInputs } from '../../../src/extension/catalog';
import { isAnyModelError } from '../../../src/core/types/errors';
import { startOllamaMock } from '../mocks/ollama';
import { startOpenAIMock } from '../mocks/openai';
import { startAnthropicMock } from '../mocks/anthropic';
import type { MockServer } from '../helpers/mock-server';

const settings = (over: Partial<CatalogInputs['settings']> = {}): CatalogInputs['settings'] => ({
  configFile: '', ollamaBaseUrl: 'http://127.0.0.1:9', gatewayUrl: '', offlineModel: '', autoOfflineSwitch: true,
  offlineRecheckSeconds: 30, connectTimeoutSeconds: 4, firstByteTimeoutSeconds: 180, logPrompts: false, proxyPort: 4000, otlpEndpoint: '', otlpLogContent: false, ...over,
});

const inputs = (over: Partial<CatalogInputs> = {}): CatalogInputs => ({
  settings: settings(), modelsSetting: [], defaultModel: 'ollama_chat/llama3.2', keyEnv: {}, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 500, ...over,
});

const ask = (model: string, content: string) => ({ model, messages: [{ role: 'user' as const, content }] });

describe('extension catalog: one client for the window', () => {
  let ollama: MockServer;
  let cloud: MockServer;
  before(async () => {
    ollama = await startOllamaMock();
    cloud = await startOpenAIMock({ apiKey: 'sk-openai-default' });
  });
  after(async () => { await ollama.close(); await cloud.close(); });

  it('reconfigures the client it is given: the spend of the first build is still there after a model pick', async () => {
    const models = [{ model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${cloud.url}/v1`, api_key: 'os.environ/MY_CLOUD_KEY', input_cost_per_token: 0.001 } }];
    const first = await buildCatalog(inputs({ modelsSetting: models, keyEnv: { MY_CLOUD_KEY: 'sk-openai-default' }, defaultModel: 'cloud' }));
    await first.client.chat(ask('cloud', 'spend some'));
    const spent = first.client.spend.snapshot().totalUsd;
    assert.ok(spent > 0);
    const second = await buildCatalog(inputs({ modelsSetting: models, keyEnv: { MY_CLOUD_KEY: 'sk-openai-default' }, defaultModel: 'ollama_chat/llama3.2', client: first.client, discovery: first.discovery }));
    assert.equal(second.client, first.client, 'the same instance');
    assert.equal(second.client.spend.snapshot().totalUsd, spent);
  });

  it('asks Ollama once when a rebuild reuses the discovery', async () => {
    const base = settings({ ollamaBaseUrl: ollama.url });
    const first = await buildCatalog(inputs({ settings: base }));
    const asked = ollama.requests.filter((r) => r.url === '/api/tags').length;
    assert.equal(first.discovery.ollamaReachable, true);
    const second = await buildCatalog(inputs({ settings: base, defaultModel: 'ollama_chat/llama3.2:latest', client: first.client, discovery: first.discovery }));
    assert.equal(ollama.requests.filter((r) => r.url === '/api/tags').length, asked, 'no second /api/tags');
    assert.deepEqual(second.models.filter((m) => m.source === 'ollama').map((m) => m.id), first.models.filter((m) => m.source === 'ollama').map((m) => m.id));
  });

  it('says when Ollama did not answer', async () => {
    const catalog = await buildCatalog(inputs());
    assert.equal(catalog.discovery.ollamaReachable, false);
    assert.equal(catalog.discovery.ollamaBase, 'http://127.0.0.1:9');
  });
});

describe('extension catalog: a default key goes only where it was meant to go', () => {
  let thirdParty: MockServer;
  let anthropic: MockServer;
  before(async () => {
    thirdParty = await startOpenAIMock({ apiKey: 'sk-openai-default' });
    anthropic = await startAnthropicMock({ apiKey: 'anthropic-default-key' });
  });
  after(async () => { await thirdParty.close(); await anthropic.close(); });

  const custom = () => [{ model_name: 'elsewhere', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${thirdParty.url}/v1` } as Record<string, unknown> }];
  const origin = () => new URL(thirdParty.url).origin;

  it('does not send the stored OpenAI key to another origin without consent, and says which key and where', async () => {
    const catalog = await buildCatalog(inputs({ modelsSetting: custom(), keyEnv: { OPENAI_API_KEY: 'sk-openai-default' } }));
    assert.deepEqual(withheldKeyFor(catalog, 'elsewhere'), { modelName: 'elsewhere', deploymentId: catalog.models.find((m) => m.id === 'elsewhere')!.deployments[0]!.id, provider: 'openai', envName: 'OPENAI_API_KEY', origin: origin() });
    const seen = thirdParty.requests.length;
    await assert.rejects(catalog.client.chat(ask('elsewhere', 'no consent')), (e: unknown) => isAnyModelError(e) && e.kind === 'Authentication');
    const sent = thirdParty.requests.slice(seen);
    assert.ok(sent.length >= 1, 'the request went out (OpenAI-compatible servers may not need a key)');
    for (const r of sent) assert.equal(r.headers.authorization, undefined, 'without the OpenAI key');
  });

  it('sends it once the origin was allowed', async () => {
    const catalog = await buildCatalog(inputs({ modelsSetting: custom(), keyEnv: { OPENAI_API_KEY: 'sk-openai-default' }, allowedKeyOrigins: new Set([`OPENAI_API_KEY@${origin()}`]) }));
    assert.equal(withheldKeyFor(catalog, 'elsewhere'), undefined);
    const seen = thirdParty.requests.length;
    const answer = await catalog.client.chat(ask('elsewhere', 'with consent'));
    assert.match(answer.value.content ?? '', /with consent/);
    assert.equal(thirdParty.requests.at(seen)?.headers.authorization, 'Bearer sk-openai-default');
  });

  it('an allowed origin is allowed for that key only', async () => {
    const models = [{ model_name: 'claude-elsewhere', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url } }];
    const catalog = await buildCatalog(inputs({ modelsSetting: models, keyEnv: { ANTHROPIC_API_KEY: 'anthropic-default-key' }, allowedKeyOrigins: new Set([`OPENAI_API_KEY@${new URL(anthropic.url).origin}`]) }));
    assert.equal(withheldKeyFor(catalog, 'claude-elsewhere')?.envName, 'ANTHROPIC_API_KEY');
    const seen = anthropic.requests.length;
    await assert.rejects(catalog.client.chat(ask('claude-elsewhere', 'x')), (e: unknown) => isAnyModelError(e) && e.kind === 'Authentication');
    assert.equal(anthropic.requests.length, seen, 'Anthropic needs a key: nothing was sent');
  });

  it('sends a key the entry names explicitly (os.environ/NAME), without asking', async () => {
    const named = [{ model_name: 'elsewhere', litellm_params: { ...custom()[0]!.litellm_params, api_key: 'os.environ/OPENAI_API_KEY' } }];
    const catalog = await buildCatalog(inputs({ modelsSetting: named, keyEnv: { OPENAI_API_KEY: 'sk-openai-default' } }));
    assert.equal(withheldKeyFor(catalog, 'elsewhere'), undefined);
    const seen = thirdParty.requests.length;
    await catalog.client.chat(ask('elsewhere', 'named key'));
    assert.equal(thirdParty.requests.at(seen)?.headers.authorization, 'Bearer sk-openai-default');
  });

  it('an os.environ reference that is not set leaves the entry without a key, never with the default one', async () => {
    const named = [{ model_name: 'elsewhere', litellm_params: { ...custom()[0]!.litellm_params, api_key: 'os.environ/UNSET_VARIABLE_FOR_TEST' } }];
    const catalog = await buildCatalog(inputs({ modelsSetting: named, keyEnv: { OPENAI_API_KEY: 'sk-openai-default' } }));
    const dep = catalog.models.find((m) => m.id === 'elsewhere')!.deployments[0]!;
    assert.equal(dep.apiKey, undefined);
    assert.equal(dep.unsetKeyEnv, 'UNSET_VARIABLE_FOR_TEST', 'the call will fail naming the variable');
    assert.equal(withheldKeyFor(catalog, 'elsewhere'), undefined, 'nothing to allow: the default key is not a candidate');
  });

  it('the provider\'s own origin and providers without one get their key as before', async () => {
    const models = [
      { model_name: 'own', litellm_params: { model: 'openai/gpt-4o', api_base: 'https://api.openai.com/v1' } },
      { model_name: 'vllm', litellm_params: { model: 'hosted_vllm/llama', api_base: `${thirdParty.url}/v1` } },
    ];
    const catalog = await buildCatalog(inputs({ modelsSetting: models, keyEnv: { OPENAI_API_KEY: 'sk-openai-default', HOSTED_VLLM_API_KEY: 'sk-vllm' } }));
    assert.deepEqual(catalog.withheldKeys, []);
    assert.equal(catalog.models.find((m) => m.id === 'own')!.deployments[0]!.apiKey, 'sk-openai-default');
    assert.equal(catalog.models.find((m) => m.id === 'vllm')!.deployments[0]!.apiKey, 'sk-vllm');
  });
});
