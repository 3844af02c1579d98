import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCatalog, type CatalogInputs } from '../../../src/extension/catalog';
import { startOllamaMock } from '../mocks/ollama';
import { startMockServer, type MockServer } from '../helpers/mock-server';

const settings = (over: Partial<CatalogInputs['settings']> = {}): CatalogInputs['settings'] => ({
  configFile: '', ollamaBaseUrl: 'http://127.0.0.1:9', gatewayUrl: '', offlineModel: '', autoOfflineSwitch: true,
  offlineRecheckSeconds: 30, connectTimeoutSeconds: 4, firstByteTimeoutSeconds: 180, logPrompts: false, proxyPort: 4000, otlpEndpoint: '', otlpLogContent: false, ...over,
});

const inputs = (over: Partial<CatalogInputs> = {}): CatalogInputs => ({
  settings: settings(), modelsSetting: [], defaultModel: 'ollama_chat/llama3.2', keyEnv: {}, processEnv: {}, clientOptions: {}, discoveryTimeoutMs: 500, ...over,
});

describe('extension model catalog', () => {
  const servers: MockServer[] = [];
  after(async () => { for (const s of servers) await s.close(); });

  it('reports each invalid anymodel.models entry with its path and keeps the others', async () => {
    const catalog = await buildCatalog(inputs({
      modelsSetting: [
        { model_name: 'good', litellm_params: { model: 'openai/gpt-4o' } },
        { model_name: 'no-model', litellm_params: {} },
        { model_name: 'bad-url', litellm_params: { model: 'ollama_chat/x', api_base: 'not a url' } },
        { model_name: 'unknown', litellm_params: { model: 'nosuch/model' } },
      ],
    }));
    assert.deepEqual(catalog.models.map((m) => m.id), ['good', 'ollama_chat/llama3.2']);
    assert.equal(catalog.problems.length, 3);
    assert.match(catalog.problems[0]!, /^anymodel\.models\[1\]\.litellm_params\.model: /);
    assert.match(catalog.problems[1]!, /^anymodel\.models\[2\]\.litellm_params\.api_base: must be a URL/);
    assert.match(catalog.problems[2]!, /^anymodel\.models\[3\]\.litellm_params\.model: Cannot tell the provider of model "nosuch\/model"/);
  });

  it('never reads a key from settings; uses stored keys (as env names), then the environment', async () => {
    const catalog = await buildCatalog(inputs({
      modelsSetting: [{ model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_key: 'sk-in-settings' } }],
      keyEnv: {}, processEnv: {},
    }));
    const claude = catalog.models.find((m) => m.id === 'claude')!;
    assert.equal(claude.deployments[0]!.apiKey, undefined);
    assert.equal(claude.missingKey, true);
    const stored = await buildCatalog(inputs({ modelsSetting: [{ model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5' } }], keyEnv: { ANTHROPIC_API_KEY: 'sk-stored' }, processEnv: { ANTHROPIC_API_KEY: 'sk-env' } }));
    assert.equal(stored.models[0]!.deployments[0]!.apiKey, 'sk-stored');
    assert.equal(stored.models[0]!.missingKey, false);
    assert.ok(stored.models[0]!.price && stored.models[0]!.price.input > 0, 'the catalog price is known');
    assert.equal(stored.models[0]!.local, false);
  });

  it('adds the models a local Ollama has pulled, as local models', async () => {
    const ollama = await startOllamaMock();
    servers.push(ollama);
    const catalog = await buildCatalog(inputs({ settings: settings({ ollamaBaseUrl: ollama.url }) }));
    const found = catalog.models.filter((m) => m.source === 'ollama').map((m) => [m.id, m.local]);
    assert.deepEqual(found, [['ollama_chat/llama3.2:latest', true], ['ollama_chat/nomic-embed-text:latest', true]]);
    assert.equal(catalog.problems.length, 0, 'an Ollama that is not running is no problem either');
  });

  it('lists a gateway\'s /v1/models as litellm_proxy models, with the stored gateway key', async () => {
    const gateway = await startMockServer((req) => (req.headers.authorization === 'Bearer sk-team'
      ? { kind: 'json', body: { object: 'list', data: [{ id: 'team-gpt', object: 'model' }, { id: 'team-claude', object: 'model' }] } }
      : { kind: 'json', status: 401, body: { error: { message: 'bad key' } } }));
    servers.push(gateway);
    const catalog = await buildCatalog(inputs({ settings: settings({ gatewayUrl: `${gateway.url}/v1` }), keyEnv: { LITELLM_PROXY_API_KEY: 'sk-team' } }));
    const team = catalog.models.filter((m) => m.source === 'gateway');
    assert.deepEqual(team.map((m) => m.id), ['team-gpt', 'team-claude']);
    assert.equal(team[0]!.deployments[0]!.model, 'team-gpt');
    assert.equal(team[0]!.deployments[0]!.apiBase, `${gateway.url}/v1`);
    const refused = await buildCatalog(inputs({ settings: settings({ gatewayUrl: `${gateway.url}/v1` }) }));
    assert.match(refused.problems[0]!, /^anymodel\.gatewayUrl \(http:\/\/127\.0\.0\.1:\d+\/v1\): could not list models: .*401/);
  });

  it('reads a LiteLLM config file with its fallbacks, and reports a broken one without losing the settings models', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-catalog-'));
    const good = path.join(dir, 'config.yaml');
    fs.writeFileSync(good, 'model_list:\n  - model_name: main\n    litellm_params: { model: openai/gpt-4o }\n  - model_name: backup\n    litellm_params: { model: ollama_chat/llama3.2 }\nrouter_settings:\n  fallbacks: [{ main: [backup] }]\n');
    const catalog = await buildCatalog(inputs({ settings: settings({ configFile: good }), modelsSetting: [{ model_name: 'mine', litellm_params: { model: 'gemini/gemini-2.5-flash' } }] }));
    assert.deepEqual(catalog.models.map((m) => `${m.id}:${m.source}`).slice(0, 3), ['main:config file', 'backup:config file', 'mine:settings']);
    assert.deepEqual(catalog.config.settings.fallbacks, { main: ['backup'] });
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'model_list:\n  - model_name: x\n    litellm_params: { model: openai/gpt-4o, rpm: -1 }\n');
    const broken = await buildCatalog(inputs({ settings: settings({ configFile: bad }), modelsSetting: [{ model_name: 'mine', litellm_params: { model: 'gemini/gemini-2.5-flash' } }] }));
    assert.match(broken.problems[0]!, /^anymodel\.configFile \(.*bad\.yaml\): model_list\[0\]\.litellm_params\.rpm: must be more than zero/);
    assert.deepEqual(broken.models.map((m) => m.id), ['mine', 'ollama_chat/llama3.2']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
