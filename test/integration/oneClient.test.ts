/**
 * One client for the window, inside the real extension host: the chat and the editor's proxy
 * spend from one ledger, and a model pick (a settings write, which rebuilds the catalog) leaves
 * the day's budget spent. A priced model in a LiteLLM config file with a daily budget, served by
 * a mock OpenAI server on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { startOpenAIMock } from '../unit/mocks/openai';
import type { MockServer } from '../unit/helpers/mock-server';
import type { HostMessage } from '../../src/shared/protocol';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, resetUserSetting, waitFor } from './helpers';

const KEY = 'test-key';

describe('one client for the window (extension host)', function () {
  this.timeout(60_000);
  let cloud: MockServer;
  let services: Services;
  let scratch: string;
  let seen: HostMessage[] = [];
  let listener: vscode.Disposable;
  const config = () => vscode.workspace.getConfiguration('anymodel');
  const G = vscode.ConfigurationTarget.Global;

  before(async () => {
    cloud = await startOpenAIMock({ apiKey: KEY });
    services = await anyModelExtension().exports.services();
    await services.testing.storeKey('OPENAI_API_KEY', KEY);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-one-client-'));
    const file = path.join(scratch, 'config.yaml');
    // 11 + 7 tokens at $0.001 each: $0.018 an answer; the day allows $0.03, so two answers pass it.
    fs.writeFileSync(file, [
      'model_list:',
      '  - model_name: priced',
      '    litellm_params:',
      '      model: openai/gpt-4o-mini',
      `      api_base: ${cloud.url}/v1`,
      '      api_key: os.environ/OPENAI_API_KEY',
      '      input_cost_per_token: 0.001',
      '      output_cost_per_token: 0.001',
      'litellm_settings:',
      '  max_budget: 0.03',
      '',
    ].join('\n'));
    await config().update('configFile', file, G);
    await config().update('defaultModel', 'priced', G);
    await config().update('proxy.port', 0, G);
    listener = services.testing.onHostMessage((m) => seen.push(m));
    await services.testing.refreshModels();
    await services.testing.post({ type: 'ready', requestId: 'r-one-ready', protocolVersion: 1 });
    await services.testing.post({ type: 'newChat' });
  });

  after(async () => {
    listener.dispose();
    if (services.testing.proxyUrl()) await vscode.commands.executeCommand('anymodel.stopProxy');
    for (const key of ['configFile', 'defaultModel', 'proxy.port']) await resetUserSetting(key);
    await services.testing.post({ type: 'newChat' });
    await cloud.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const send = async (text: string): Promise<HostMessage> => {
    seen = [];
    await services.testing.post({ type: 'send', requestId: `r-${Date.now()}`, messageId: `local-${Date.now()}`, conversationId: null, text, model: 'priced' });
    return waitFor(() => seen.find((m) => m.type === 'streamEnd' || m.type === 'streamError'), 'the answer to end', 20_000);
  };
  const viaProxy = async (url: string, key: string, content: string): Promise<Response> => fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'priced', messages: [{ role: 'user', content }] }),
  });

  it('the chat and the proxy spend from one ledger, and a model pick leaves the budget spent', async () => {
    const start = services.testing.spentToday();
    assert.ok(start < 0.012, `nothing much spent yet today (${start})`);
    assert.equal((await send('first, from the panel')).type, 'streamEnd');
    const afterPanel = services.testing.spentToday();
    assert.ok(afterPanel - start >= 0.017, `the panel's answer was counted (${afterPanel})`);

    const url = await vscode.commands.executeCommand<string>('anymodel.startProxy');
    const key = await services.testing.proxyKey();
    const answered = await viaProxy(url, key, 'second, through the proxy');
    assert.equal(answered.status, 200);
    assert.ok(services.testing.spentToday() - afterPanel >= 0.017, 'the proxy\'s answer is on the same ledger');

    // A model pick: a settings write, which rebuilds the catalog (and used to rebuild the client).
    await services.testing.post({ type: 'switchModel', model: 'fast' });
    await waitFor(() => seen.find((m) => m.type === 'models' && m.currentModel === 'fast'), 'the view to hear of the pick', 10_000);
    await services.testing.refreshModels();
    await services.testing.post({ type: 'switchModel', model: 'priced' });
    await waitFor(() => seen.find((m) => m.type === 'models' && m.currentModel === 'priced'), 'the pick back', 10_000);
    await services.testing.refreshModels();
    assert.ok(services.testing.spentToday() >= 0.03, 'still spent after the picks');

    const requests = cloud.requests.length;
    const refused = await send('third, over budget');
    assert.equal(refused.type, 'streamError');
    assert.equal(refused.type === 'streamError' && refused.kind, 'BudgetExceeded');
    assert.match(refused.type === 'streamError' ? refused.message : '', /Budget exceeded for all models/);
    const viaProxyRefused = await viaProxy(url, key, 'fourth, over budget, through the proxy');
    assert.notEqual(viaProxyRefused.status, 200, 'the proxy refuses it too');
    assert.match(await viaProxyRefused.text(), /Budget exceeded/);
    assert.equal(cloud.requests.length, requests, 'neither over-budget request reached the provider');
    assert.equal(services.testing.proxyUrl(), url, 'the proxy kept its address through the rebuilds');
  });
});
