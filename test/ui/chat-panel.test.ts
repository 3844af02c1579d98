/**
 * The chat panel in a real VS Code window, used like a person uses it: set a key in the password
 * box, open the chat from the palette, type, press Enter, read the streamed answer; model output
 * full of XSS payloads renders inert; an error shows its actions; the offline switch answers with
 * the local model; a reload brings back the conversation and the draft. The providers are mocks on
 * 127.0.0.1. Screenshots: test-results/screenshots/ui-1*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { openBrowser, type OpenBrowser } from '../../scripts/vscode/browser';
import { ensureVSCodeServer } from '../../scripts/vscode/install';
import { ROOT } from '../../scripts/vscode/paths';
import { startServer, type RunningServer } from '../../scripts/vscode/server';
import { onInterrupt } from '../../scripts/vscode/signals';
import { startOpenAIMock } from '../unit/mocks/openai';
import { startOllamaMock } from '../unit/mocks/ollama';
import { sse, startMockServer, type MockServer, type Reply } from '../unit/helpers/mock-server';
import { Workbench } from './workbench';

const KEY = 'sk-ui-suite-7d41';

/** An OpenAI stream of `text` in pieces of `size` characters, `delayMs` apart. */
function streamOf(text: string, size = 12, delayMs = 15): Reply {
  const base = { id: 'chatcmpl-ui', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
  const events: unknown[] = [];
  for (let i = 0; i < text.length; i += size) events.push({ ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + size) }, finish_reason: null }] });
  events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  events.push({ ...base, choices: [], usage: { prompt_tokens: 42, completion_tokens: 120, total_tokens: 162 } });
  return { kind: 'raw', contentType: 'text/event-stream', pieces: sse(events, { done: true }).split(/(?<=\n\n)/), delayMs };
}

const ANSWER = `## Backing off

Honour \`Retry-After\` first, then back off **exponentially** with jitter:

\`\`\`ts
export function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 250 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
\`\`\`

- 429 and 5xx are retried
- 400 and 401 are not
`;

describe('UI: the chat panel in a real VS Code window', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  let cloud: MockServer;
  let ollama: MockServer;
  let pixel: MockServer;
  let wb: Workbench;
  let workspace: string;
  let releaseSignals = () => {};
  const cleanup = async () => {
    await browser?.close();
    await server?.stop();
  };

  const chat = (): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const composer = () => chat().locator('textarea.composer-input');
  const answers = () => chat().locator('article.message-assistant');

  async function sendInPanel(text: string): Promise<void> {
    await composer().click();
    await composer().fill(text);
    await wb.page.keyboard.press('Enter');
  }

  before(async function () {
    this.timeout(15 * 60_000);
    await ensureVSCodeServer();
    cloud = await startOpenAIMock({ apiKey: KEY });
    ollama = await startOllamaMock();
    pixel = await startMockServer(() => ({ kind: 'text', body: 'GIF89a' }));
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-ui-chat-'));
    fs.writeFileSync(path.join(workspace, 'hello.ts'), 'export const greet = (name: string) => `Hello, ${name}`;\n');
    releaseSignals = onInterrupt(cleanup);
    server = await startServer({
      logFile: path.join(ROOT, 'test-results/logs/ui-chat-server.log'),
      settings: {
        'anymodel.models': [{ model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${cloud.url}/v1` } }],
        'anymodel.defaultModel': 'cloud',
        'anymodel.ollamaBaseUrl': ollama.url,
        'anymodel.offlineRecheckSeconds': 2,
      },
    });
    browser = await openBrowser();
    wb = new Workbench(browser.page);
    await browser.page.goto(server.workbenchUrl({ folder: workspace, extensionDevelopmentPaths: [ROOT] }));
    await wb.waitUntilReady();
    await wb.modelStatusItem().waitFor({ state: 'visible', timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`ui-chat-failed-${this.currentTest.title.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await cleanup();
    releaseSignals();
    await cloud?.close();
    await ollama?.close();
    await pixel?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('stores a key typed into the password box of "Set API Key"', async () => {
    await wb.runCommand('AnyModel: Set API Key');
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Set API Key' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.keyboard.type('OPENAI_API_KEY', { delay: 10 });
    await wb.quickInputRows().filter({ hasText: 'OPENAI_API_KEY' }).first().waitFor({ state: 'visible', timeout: 5_000 });
    await wb.page.keyboard.press('Enter');
    const input = wb.quickInput().locator('input[type="password"]');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.keyboard.type(KEY, { delay: 5 });
    assert.equal(await input.getAttribute('type'), 'password', 'the key is never shown');
    await wb.page.keyboard.press('Enter');
    await wb.page.getByText('key for openai stored in secret storage', { exact: false }).first().waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('opens from the palette with an empty state', async () => {
    await wb.runCommand('AnyModel: Open Chat');
    await composer().waitFor({ state: 'visible', timeout: 30_000 });
    await chat().locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await chat().locator('.model-select').inputValue(), 'cloud');
    await wb.screenshot('ui-10-chat-empty');
  });

  it('sends with Enter and shows the streamed answer with code, model, tokens and cost', async () => {
    cloud.handle(() => streamOf(ANSWER));
    await sendInPanel('How should a client back off on 429?');
    const answer = answers().last();
    await answer.locator('h2', { hasText: 'Backing off' }).waitFor({ state: 'visible', timeout: 20_000 });
    await answer.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await answer.locator('.message-model').innerText(), 'cloud');
    const code = answer.locator('.code-block pre code');
    assert.match(await code.innerText(), /export function backoffMs\(attempt: number\): number \{/);
    assert.ok(await answer.locator('.code-block .hljs-keyword, .code-block [class*="hljs-"]').count() > 0, 'the code is highlighted');
    assert.equal(await answer.locator('.code-block [data-code-action]').count(), 3, 'copy, insert and apply');
    assert.match(await answer.locator('.message-footer').innerText(), /42 in.*120 out|162 tokens|120/);
    const sent = cloud.requests.at(-1)!;
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`, 'the key typed in the password box is used');
    await wb.screenshot('ui-11-chat-streamed-answer');
  });

  it('renders XSS payloads in model output inert: no script runs, no request leaves', async () => {
    const img = `${pixel.url}/pixel.gif`;
    const payload = [
      '<script>window.top.__pwned = "script"; window.__pwned = "script"</script>',
      `<img src="${img}?raw" onerror="window.__pwned='img'">`,
      '[click me](javascript:window.__pwned="link") [cmd](command:workbench.action.terminal.new) [data](data:text/html,<script>1</script>)',
      `![tracker](${img}?md)`,
      '<a href="https://example.com" onmouseover="window.__pwned=\'hover\'">hover</a> <svg onload="window.__pwned=\'svg\'"></svg> [docs](https://example.com/docs)',
      '<iframe src="https://example.com"></iframe> <style>body{display:none}</style>',
      'The end.',
    ].join('\n\n');
    cloud.handle(() => streamOf(payload, 40, 5));
    await sendInPanel('Show me some HTML');
    const answer = answers().last();
    await answer.getByText('The end.').waitFor({ state: 'visible', timeout: 20_000 });
    await answer.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 20_000 });
    await answer.getByText('hover', { exact: false }).first().hover();
    await wb.page.waitForTimeout(500);
    const body = answer.locator('.message-body');
    assert.equal(await body.locator('script, iframe, style, svg, object, embed').count(), 0, 'no active elements');
    assert.equal(await body.locator('[onerror], [onload], [onmouseover]').count(), 0, 'no event handlers');
    assert.equal(await body.locator('img[src^="http"]').count(), 0, 'no remote image');
    assert.equal(await body.locator('a[href^="javascript:"], a[href^="command:"], a[href^="data:"]').count(), 0, 'bad links are text');
    assert.equal(await answer.locator('a[href="https://example.com/docs"]').count(), 1, 'a markdown web link stays a link');
    assert.equal(await answer.locator('a[href="https://example.com"]').count(), 0, 'raw HTML is text, not a link');
    const pwned = await answer.evaluate(() => (window as unknown as { __pwned?: string }).__pwned);
    assert.equal(pwned, undefined, 'no payload ran');
    assert.equal(pixel.requests.length, 0, 'no image request left the webview');
    assert.equal(await wb.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
    await wb.screenshot('ui-12-chat-xss-inert');
  });

  it('shows an error in the thread with its actions, and "Pick Another Model" opens the picker', async () => {
    cloud.handle(() => ({ kind: 'json', status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } }));
    await sendInPanel('Still there?');
    const error = chat().locator('.message-error').last();
    await error.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await error.innerText(), /^openai 401: Incorrect API key provided.[\s\S]*Set the key with "AnyModel: Set API Key"/);
    const buttons = await error.locator('button').allInnerTexts();
    assert.deepEqual(buttons.map((b) => b.trim()), ['Set API Key', 'Pick Another Model']);
    await wb.screenshot('ui-13-chat-error-action');
    await error.getByRole('button', { name: 'Pick Another Model' }).click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Pick Model' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.quickInputRows().filter({ hasText: 'llama3.2' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('ui-14-model-picker');
    await wb.closeQuickInput();
  });

  it('answers with the local Ollama model when the cloud is down, and says so', async () => {
    cloud.handle(() => ({ kind: 'drop' }));
    await sendInPanel('Anyone home?');
    await chat().locator('.notice-offline').last().waitFor({ state: 'visible', timeout: 30_000 });
    const answer = answers().last();
    await answer.getByText('Hello from ollama: Anyone home?').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await answer.locator('.badge-fallback').innerText(), /fallback for cloud/);
    await wb.modelStatusItem().filter({ hasText: 'offline' }).waitFor({ timeout: 10_000 });
    await wb.screenshot('ui-15-offline-notice');
    cloud.handle(() => ({ kind: 'json', status: 404, body: { error: { message: 'up again' } } }));
    await wb.modelStatusItem().filter({ hasText: 'cloud' }).waitFor({ timeout: 20_000 });
  });

  it('brings back the conversation and the draft after a reload', async () => {
    await composer().click();
    await composer().fill('A draft I have not sent yet');
    await wb.page.waitForTimeout(1000); // the draft is posted after 400 ms of quiet
    await wb.runCommand('Developer: Reload Window');
    await wb.waitUntilReady();
    await composer().waitFor({ state: 'visible', timeout: 60_000 });
    await chat().locator('.message-user').getByText('How should a client back off on 429?').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await composer().inputValue(), 'A draft I have not sent yet');
    assert.ok(await answers().count() >= 3, 'the answers are back');
    await wb.screenshot('ui-16-chat-after-reload');
  });
});
