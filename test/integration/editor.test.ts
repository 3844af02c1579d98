/**
 * The editor commands in the real extension host: selection commands send the code with its
 * file, language and lines; keys are cleared through the real QuickPick; the proxy started from
 * the editor serves the official openai client with its generated key; the output channel gets
 * one line per request and never a key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import * as vscode from 'vscode';
import { startOpenAIMock } from '../unit/mocks/openai';
import type { MockServer } from '../unit/helpers/mock-server';
import type { HostMessage } from '../../src/shared/protocol';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, sleep, useCloudModel, waitFor } from './helpers';

const KEY = 'sk-editor-suite-DO-NOT-LOG-7f3a9c';

describe('editor commands, keys, proxy and log', function () {
  // Some commands open the chat panel, whose webview loads in the window's browser first.
  this.timeout(60_000);
  let cloud: MockServer;
  let services: Services;
  let seen: HostMessage[] = [];
  let listener: vscode.Disposable;
  let restoreModels: () => Promise<void>;
  const config = () => vscode.workspace.getConfiguration('anymodel');
  const G = vscode.ConfigurationTarget.Global;
  const chatRequests = () => cloud.requests.filter((r) => r.url === '/v1/chat/completions');
  const lastPrompt = () => {
    const body = chatRequests().at(-1)?.body as { messages: { content: string }[] } | undefined;
    return body?.messages.at(-1)?.content ?? '';
  };

  before(async () => {
    cloud = await startOpenAIMock({ apiKey: KEY });
    services = await anyModelExtension().exports.services();
    restoreModels = await useCloudModel(cloud.url);
    await services.testing.storeKey('OPENAI_API_KEY', KEY);
    await services.testing.refreshModels();
    listener = services.testing.onHostMessage((m) => seen.push(m));
    await services.testing.post({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
    await services.testing.post({ type: 'newChat' });
  });

  after(async () => {
    listener.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await restoreModels();
    for (const key of ['logPrompts', 'proxy.port']) await config().update(key, undefined, G);
    await cloud.close();
  });

  async function openHello(selection?: vscode.Selection): Promise<vscode.TextEditor> {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const editor = await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, 'hello.ts'));
    editor.selection = selection ?? new vscode.Selection(0, 0, 0, 0);
    return editor;
  }

  async function runAndWait(command: string, ...args: unknown[]): Promise<void> {
    seen = [];
    await vscode.commands.executeCommand(command, ...args);
    await waitFor(() => seen.find((m) => m.type === 'streamEnd' || m.type === 'streamError'), `${command} to get an answer`, 40_000);
  }

  it('explainSelection sends the selected lines with file name, language and line range', async () => {
    const editor = await openHello(new vscode.Selection(0, 0, 2, 0));
    const selected = editor.document.getText(editor.selection);
    await runAndWait('anymodel.explainSelection');
    const prompt = lastPrompt();
    assert.match(prompt, /^Explain what this code does/);
    assert.ok(prompt.includes('From `hello.ts` (typescript), lines 1–2:'), prompt);
    assert.ok(prompt.includes(`\`\`\`typescript\n${selected.replace(/\n$/, '')}\n\`\`\``), prompt);
    const added = seen.find((m) => m.type === 'messageAdded');
    assert.equal(added?.type === 'messageAdded' && added.message.text, prompt, 'the thread shows what was sent');
    assert.equal(seen.find((m) => m.type === 'streamEnd')?.type, 'streamEnd');
  });

  it('fixSelection without a selection sends the whole file', async () => {
    const editor = await openHello();
    await runAndWait('anymodel.fixSelection');
    assert.match(lastPrompt(), /^Find the bugs in this code/);
    assert.ok(lastPrompt().includes('From `hello.ts` (typescript), the whole file:'));
    assert.ok(lastPrompt().includes(editor.document.getText().trimEnd()));
  });

  it('askAboutSelection sends the question (here from keybinding args) before the code', async () => {
    await openHello(new vscode.Selection(0, 0, 0, 5));
    await runAndWait('anymodel.askAboutSelection', 'Why is this exported?');
    assert.match(lastPrompt(), /^Why is this exported\?\n\nFrom `hello.ts` \(typescript\), line 1:/);
  });

  it('addSelectionToChat puts the code in the chat input instead of sending it', async () => {
    await openHello(new vscode.Selection(0, 0, 1, 0));
    const before = chatRequests().length;
    seen = [];
    const opened = vscode.commands.executeCommand('anymodel.addSelectionToChat');
    // The command opens the real panel and waits for its webview to say ready.
    await Promise.race([opened, sleep(15_000).then(() => { throw new Error('the chat panel did not open'); })]);
    const draft = await waitFor(() => seen.find((m) => m.type === 'setDraft'), 'the draft');
    assert.equal(draft.type === 'setDraft' && draft.mode, 'append');
    assert.ok(draft.type === 'setDraft' && draft.text.startsWith('From `hello.ts` (typescript), line 1:'), JSON.stringify(draft));
    assert.equal(chatRequests().length, before, 'nothing sent');
    assert.ok(vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label === 'AnyModel Chat')), 'the chat panel is open');
  });

  it('sends nothing without an editor', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(() => vscode.window.activeTextEditor === undefined || undefined, 'no editor');
    const before = chatRequests().length;
    await vscode.commands.executeCommand('anymodel.explainSelection');
    await sleep(300);
    assert.equal(chatRequests().length, before);
  });

  it('clearApiKey removes the key picked in the QuickPick and keeps the others', async () => {
    await services.testing.storeKey('GROQ_API_KEY', 'gsk-to-be-removed');
    // Only stored keys are listed, in registry order: openai, then groq.
    const result = vscode.commands.executeCommand<boolean>('anymodel.clearApiKey');
    await sleep(400);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await result, true);
    assert.equal(await services.testing.hasKey('GROQ_API_KEY'), false);
    assert.equal(await services.testing.hasKey('OPENAI_API_KEY'), true);
  });

  it('startProxy serves the same models to the openai client, only with the generated key', async () => {
    await config().update('proxy.port', 0, G);
    const url = await vscode.commands.executeCommand<string>('anymodel.startProxy');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const key = await services.testing.proxyKey();
    assert.match(key, /^sk-anymodel-/);
    const client = new OpenAI({ baseURL: url, apiKey: key, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: 'via the proxy' }] });
    assert.equal(answer.choices[0]?.message.content, 'Hello from openai: via the proxy');
    const stranger = new OpenAI({ baseURL: url, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(stranger.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: 'x' }] }), (e: { status?: number }) => e.status === 401);
    // A model added in settings is served at once, on the same URL with the same key.
    const models = config().inspect<unknown[]>('models')?.workspaceValue ?? [];
    await config().update('models', [...models, { model_name: 'second', litellm_params: { model: 'openai/gpt-4o', api_base: `${cloud.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } }], vscode.ConfigurationTarget.Workspace);
    const listed = async () => (await client.models.list().catch(() => ({ data: [] }))).data.map((m) => m.id);
    for (let i = 0; i < 50 && !(await listed()).includes('second'); i++) await sleep(100);
    assert.deepEqual((await listed()).sort(), ['cloud', 'second']);
    await config().update('models', models, vscode.ConfigurationTarget.Workspace);
    assert.equal(await vscode.commands.executeCommand('anymodel.stopProxy'), true);
    await assert.rejects(client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: 'x' }] }), /Connection error/);
  });

  it('logs one line per request with model, deployment, tokens, cost, latency and outcome, never a key', async () => {
    const logFile = path.join(services.testing.logUri.fsPath, 'AnyModel.log');
    await openHello(new vscode.Selection(0, 0, 0, 5));
    await runAndWait('anymodel.askAboutSelection', 'Log this?');
    const port = new URL(cloud.url).port;
    const line = await waitFor(() => fs.readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes(`request cloud → openai/gpt-4o-mini@127.0.0.1:${port}`)), 'a request line');
    assert.match(line, new RegExp(`request cloud → openai/gpt-4o-mini@127\\.0\\.0\\.1:${port} · 11 in / 7 out tokens · \\$[\\d.]+ · \\d+ ms \\(first token \\d+ ms\\) · success`));
    const log = fs.readFileSync(logFile, 'utf8');
    assert.ok(!log.includes(KEY), 'the provider key is never logged');
    assert.ok(!log.includes(await services.testing.proxyKey()), 'the proxy key is never logged');
    assert.ok(!log.includes('Log this?'), 'prompts are not logged unless anymodel.logPrompts is on');

    await config().update('logPrompts', true, G);
    await sleep(300); // the catalog is rebuilt with the new setting
    await openHello(new vscode.Selection(0, 0, 0, 5)); // the chat panel took the focus
    await runAndWait('anymodel.askAboutSelection', 'Now log this');
    await waitFor(() => fs.readFileSync(logFile, 'utf8').includes('prompt: "Now log this'), 'the prompt line');
  });
});
