/**
 * The usage store inside the real extension host: a request from the chat panel, one from VS
 * Code's chat (vscode.lm) and one through the editor's proxy each become one line in today's
 * file in global storage, saying where it came from, with tokens and cost, without the key or the
 * prompt; today's spend adds them up. Against a mock OpenAI server on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { startOpenAIMock } from '../unit/mocks/openai';
import type { MockServer } from '../unit/helpers/mock-server';
import type { HostMessage } from '../../src/shared/protocol';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, resetUserSetting, useCloudModel, waitFor } from './helpers';

const KEY = 'test-key';

describe('usage store (extension host)', function () {
  this.timeout(60_000);
  let cloud: MockServer;
  let services: Services;
  let restore: () => Promise<void>;
  let seen: HostMessage[] = [];
  let listener: vscode.Disposable;

  before(async () => {
    cloud = await startOpenAIMock({ apiKey: KEY });
    services = await anyModelExtension().exports.services();
    await services.testing.storeKey('OPENAI_API_KEY', KEY);
    restore = await useCloudModel(cloud.url);
    await vscode.workspace.getConfiguration('anymodel').update('proxy.port', 0, vscode.ConfigurationTarget.Global);
    listener = services.testing.onHostMessage((m) => seen.push(m));
    await services.testing.refreshModels();
    await services.testing.post({ type: 'ready', requestId: 'r-usage-ready', protocolVersion: 1 });
    await services.testing.post({ type: 'newChat' });
  });

  after(async () => {
    listener.dispose();
    if (services.testing.proxyUrl()) await vscode.commands.executeCommand('anymodel.stopProxy');
    await resetUserSetting('proxy.port');
    await services.testing.post({ type: 'newChat' });
    await restore();
    await cloud.close();
  });

  /** Today's records in the store, as written. */
  const todays = async () => {
    await services.testing.usage.flush();
    const file = path.join(services.testing.usage.dir, `usage-${new Date().toISOString().slice(0, 10)}.jsonl`);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    return { text, records: text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; modelGroup: string; source?: string; costUsd: number; inputTokens: number; outputTokens: number }) };
  };

  it('the panel, VS Code\'s chat and the editor proxy each write one record with its source, cost and tokens', async () => {
    const before = (await todays()).records.length;
    const spentBefore = services.testing.usage.spentToday();

    seen = [];
    await services.testing.post({ type: 'send', requestId: 'r-usage-1', messageId: 'local-usage-1', conversationId: null, text: 'private question from the panel', model: 'cloud' });
    await waitFor(() => seen.find((m) => m.type === 'streamEnd'), 'the panel answer', 20_000);

    // VS Code hears of the model list after the rebuild: ask until it is there (bounded).
    const model = await waitFor(async () => (await vscode.lm.selectChatModels({ vendor: 'anymodel', id: 'cloud' }))[0], 'cloud in vscode.lm', 20_000);
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('private question from VS Code chat')], {});
    for await (const _ of response.stream) { /* read to the end */ }

    const url = await vscode.commands.executeCommand<string>('anymodel.startProxy');
    assert.ok(url, 'the proxy started');
    const res = await fetch(`${services.testing.proxyUrl()}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await services.testing.proxyKey()}` },
      body: JSON.stringify({ model: 'cloud', messages: [{ role: 'user', content: 'private question through the proxy' }] }),
    });
    assert.equal(res.status, 200);
    await res.json();

    const { text, records } = await todays();
    const added = records.slice(before);
    assert.deepEqual(added.map((r) => [r.modelGroup, r.source]), [['cloud', 'panel'], ['cloud', 'vscode-chat'], ['cloud', 'proxy']]);
    for (const r of added) assert.ok(r.costUsd > 0 && r.inputTokens > 0 && r.outputTokens > 0, `priced and counted: ${JSON.stringify(r)}`);
    assert.ok(!text.includes(KEY), 'no key in the store');
    assert.ok(!text.includes('private question'), 'no prompt in the store (logPrompts is off)');
    const paid = added.reduce((s, r) => s + r.costUsd, 0);
    assert.ok(Math.abs(services.testing.usage.spentToday() - spentBefore - paid) < 1e-12, 'today\'s spend adds up the store');
  });
});
