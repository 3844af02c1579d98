/**
 * The chat's host half inside the real extension host, against mock providers on 127.0.0.1: the
 * suite posts what the webview posts (through the extension's test hook, which hands messages to
 * the same controller the panel uses) and reads what the webview would be sent.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOpenAIMock } from '../unit/mocks/openai';
import { startOllamaMock } from '../unit/mocks/ollama';
import type { MockServer } from '../unit/helpers/mock-server';
import type { HostMessage } from '../../src/shared/protocol';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, useCloudModel, waitFor } from './helpers';

const KEY = 'test-key';

describe('chat (extension host, mock providers)', function () {
  this.timeout(30_000);
  let cloud: MockServer;
  let ollama: MockServer;
  let services: Services;
  let seen: HostMessage[] = [];
  let listener: vscode.Disposable;
  let restoreModels: () => Promise<void>;
  const config = () => vscode.workspace.getConfiguration('anymodel');
  const G = vscode.ConfigurationTarget.Global;

  before(async () => {
    cloud = await startOpenAIMock({ apiKey: KEY });
    ollama = await startOllamaMock();
    services = await anyModelExtension().exports.services();
    restoreModels = await useCloudModel(cloud.url);
    await config().update('ollamaBaseUrl', ollama.url, G);
    await config().update('offlineRecheckSeconds', 1, G);
    listener = services.testing.onHostMessage((m) => seen.push(m));
  });

  after(async () => {
    listener.dispose();
    await restoreModels();
    for (const key of ['ollamaBaseUrl', 'offlineRecheckSeconds']) await config().update(key, undefined, G);
    await services.testing.post({ type: 'newChat' });
    await cloud.close();
    await ollama.close();
  });

  beforeEach(async () => {
    await services.testing.refreshModels();
    seen = [];
    await services.testing.post({ type: 'ready', requestId: 'r-ready', protocolVersion: 1 });
    await services.testing.post({ type: 'newChat' });
    seen = [];
  });

  const ended = () => waitFor(() => seen.find((m) => m.type === 'streamEnd' || m.type === 'streamError'), 'the answer to end', 15_000);
  // Not awaited by the tests: the controller handles a send until its answer ends.
  const send = (text: string, model = 'cloud') => void services.testing.post({ type: 'send', requestId: `r-${Date.now()}`, messageId: `local-${Date.now()}`, conversationId: null, text, model });

  it('shows a refused key with the action to set one, keeping the question', async () => {
    send('Are you there?');
    const error = await ended();
    assert.equal(error.type, 'streamError');
    assert.equal(error.type === 'streamError' && error.kind, 'Authentication');
    assert.deepEqual(error.type === 'streamError' && error.actions, ['setKey', 'pickModel']);
    assert.match(error.type === 'streamError' ? error.message : '', /Set API Key/);
    assert.equal(cloud.requests.at(-1)?.headers.authorization, undefined, 'no key was stored, none was sent');
    // The question is still in the history.
    seen = [];
    await services.testing.post({ type: 'ready', requestId: 'r2', protocolVersion: 1 });
    const state = seen.find((m) => m.type === 'state');
    assert.equal(state?.type === 'state' && state.messages[0]?.text, 'Are you there?');
  });

  it('streams an answer from the provider, with usage and the key only in the request header', async () => {
    await services.testing.storeKey('OPENAI_API_KEY', KEY);
    assert.equal(await services.testing.hasKey('OPENAI_API_KEY'), true);
    await services.testing.refreshModels();
    send('Hello there');
    const end = await ended();
    assert.equal(end.type, 'streamEnd', JSON.stringify(end));
    const start = seen.find((m) => m.type === 'streamStart');
    assert.equal(start?.type === 'streamStart' && start.model, 'cloud');
    const text = seen.filter((m) => m.type === 'streamDelta').map((m) => (m.type === 'streamDelta' ? m.text : '')).join('');
    assert.equal(text, 'Hello from openai: Hello there');
    assert.ok(seen.filter((m) => m.type === 'streamDelta').length >= 2, 'arrives in several deltas');
    assert.deepEqual(end.type === 'streamEnd' && end.usage, { inputTokens: 11, outputTokens: 7, totalTokens: 18 });
    assert.equal(end.type === 'streamEnd' && end.finishReason, 'stop');
    const request = cloud.requests.at(-1)!;
    assert.equal(request.headers.authorization, `Bearer ${KEY}`);
    assert.equal((request.body as { stream: boolean }).stream, true);
    assert.ok(!JSON.stringify(seen).includes(KEY), 'the key never reaches the webview');
  });

  it('sends the whole conversation on the next turn', async () => {
    send('First');
    await ended();
    seen = [];
    const state = await stateNow();
    void services.testing.post({ type: 'send', requestId: 'r-2', messageId: 'local-2', conversationId: state.activeConversationId, text: 'Second', model: 'cloud' });
    await ended();
    const body = cloud.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    assert.deepEqual(body.messages.map((m) => [m.role, m.content]), [['user', 'First'], ['assistant', 'Hello from openai: First'], ['user', 'Second']]);
  });

  it('stop cancels the request and ends the answer as stopped', async () => {
    cloud.handle(() => ({ kind: 'raw', contentType: 'text/event-stream', pieces: ['data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"slow "},"finish_reason":null}]}\n\n'], hang: true }));
    const aborted = cloud.nextClientAbort();
    send('Take your time');
    await waitFor(() => seen.find((m) => m.type === 'streamDelta'), 'the first delta');
    await services.testing.post({ type: 'stop' });
    const end = await ended();
    assert.equal(end.type === 'streamEnd' && end.finishReason, 'stopped');
    await aborted; // the upstream connection was closed
    const state = await stateNow();
    assert.equal(state.messages.at(-1)?.text, 'slow ');
    assert.equal(state.messages.at(-1)?.finishReason, 'stopped');
  });

  it('switches to the local Ollama model when the cloud is down, and back when it returns', async () => {
    cloud.handle(() => ({ kind: 'drop' }));
    send('Anyone home?');
    const end = await ended();
    assert.equal(end.type, 'streamEnd', JSON.stringify(end));
    const offline = seen.find((m) => m.type === 'offline');
    assert.ok(offline?.type === 'offline' && offline.notice.active, 'an offline notice');
    assert.equal(offline.type === 'offline' && offline.notice.model, 'ollama_chat/llama3.2:latest');
    const start = seen.find((m) => m.type === 'streamStart');
    assert.equal(start?.type === 'streamStart' && start.model, 'ollama_chat/llama3.2:latest');
    assert.equal(start?.type === 'streamStart' && start.fallback?.requestedModel, 'cloud');
    assert.equal(anyModelExtension().exports.statusBar().offlineModel, 'ollama_chat/llama3.2:latest');
    assert.match(anyModelExtension().exports.statusBar().text, /offline/);
    assert.ok(ollama.requests.some((r) => r.url === '/api/chat'));

    // The cloud comes back: the next check (1 s) switches back.
    seen = [];
    cloud.handle(() => ({ kind: 'json', status: 404, body: { error: { message: 'not here' } } }));
    const back = await waitFor(() => seen.find((m) => m.type === 'offline' && !m.notice.active), 'the switch back', 10_000);
    assert.match(back.type === 'offline' ? back.notice.message : '', /reachable again/);
    assert.equal(anyModelExtension().exports.statusBar().offlineModel, undefined);
  });

  async function stateNow() {
    seen = [];
    await services.testing.post({ type: 'ready', requestId: 'r-state', protocolVersion: 1 });
    const state = seen.find((m) => m.type === 'state');
    if (state?.type !== 'state') throw new Error('no state');
    return state;
  }
});
