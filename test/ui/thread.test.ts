/**
 * Working with the thread in a real VS Code window: a reasoning model's thoughts stream into a
 * Thinking block that collapses with its duration when the answer starts (dark and light theme);
 * the workspace's AGENTS.md is the system prompt the mock receives, named in the header, opened
 * by a click; an edited question replaces the answers after it and the old branch comes back with
 * the ‹ 1/2 › switcher; "AnyModel: Search Conversations" finds an old conversation and opens it.
 *
 * The models are served by one mock on 127.0.0.1 speaking vLLM's OpenAI-compatible format, with
 * DeepSeek-R1's `reasoning_content`. Screenshots: test-results/screenshots/ui-6*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import { openBrowser, type OpenBrowser } from '../../scripts/vscode/browser';
import { ensureVSCodeServer } from '../../scripts/vscode/install';
import { FIXTURE_WORKSPACE, ROOT } from '../../scripts/vscode/paths';
import { startServer, type RunningServer } from '../../scripts/vscode/server';
import { onInterrupt } from '../../scripts/vscode/signals';
import { startMockServer, type MockServer } from '../unit/helpers/mock-server';
import { openAIReasoningStreamOf, openAIStreamOf } from './streams';
import { Workbench } from './workbench';

const text = async (l: Locator): Promise<string> => (await l.textContent({ timeout: 10_000 }) ?? '').trim();
const AGENTS = '# House rules\n\nAlways answer with the test command first: `npm test`.\n';
const THOUGHTS = 'The user asks why the retry test fails. First, check whether Retry-After is honoured: the test expects a wait of 2 s. Then check the jitter bound. ';
type Body = { model: string; messages: { role: string; content: string }[] };

describe('UI: thinking, instructions and working with the thread', function () {
  this.timeout(90_000);
  let server: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  let mock: MockServer | undefined;
  let scratch: string | undefined;
  let wb: Workbench;
  let releaseSignals = () => {};

  const cleanup = async () => {
    await browser?.close();
    await server?.stop();
    await mock?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  };
  /** Refusals of the chat's CSP, as its page reports them (forwarded through the console, so a reload loses none). */
  const violations: string[] = [];
  /** The chat frame, with the CSP watch installed in it (again after the webview was reloaded). */
  const chat = async (): Promise<Frame> => {
    const frame = await wb.chatFrame();
    await frame.evaluate(() => {
      const w = window as unknown as { __cspWatched?: boolean };
      if (w.__cspWatched) return;
      w.__cspWatched = true;
      document.addEventListener('securitypolicyviolation', (e) => console.warn(`anymodel-csp-violation ${e.violatedDirective} ${e.blockedURI}`));
    });
    return frame;
  };
  const command = async (title: string) => {
    await wb.typeInCommandPalette(title);
    await wb.clickQuickInputRow(title);
  };
  const colorTheme = async (label: 'Dark Modern' | 'Light Modern') => {
    await command('Preferences: Color Theme');
    await wb.quickInputBox().and(wb.page.locator('[placeholder*="Color Theme" i], [aria-label*="Color Theme" i]')).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.keyboard.type(label, { delay: 10 });
    await wb.quickInputRows().filter({ hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.clickQuickInputRow(label);
    await wb.quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
    await wb.page.locator(label === 'Dark Modern' ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs').waitFor({ state: 'attached', timeout: 20_000 });
  };
  /** Waits for the thread to read `expected` (role: text, top to bottom), and returns what it read last. */
  const threadReads = async (expected: string[], timeoutMs = 30_000): Promise<string[]> => {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = (await wb.chatMessages()).map((m) => `${m.role}: ${m.text}`);
      if (JSON.stringify(seen) === JSON.stringify(expected)) break;
      await wb.page.waitForTimeout(150);
    }
    return seen;
  };
  const answered = async () => (await chat()).locator('article.message-assistant').last().locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 30_000 });

  before(async function () {
    this.timeout(15 * 60_000);
    await ensureVSCodeServer();
    releaseSignals = onInterrupt(cleanup);
    mock = await startMockServer((req) => {
      const b = req.body as Body;
      const question = b.messages.at(-1)?.content ?? '';
      if (b.model === 'deepseek-r1') return openAIReasoningStreamOf(THOUGHTS, `Run \`npm test\` first. The test waits for **Retry-After** (asked: ${question}).`, { size: 6, delayMs: 40, thinkMs: 1500 });
      return openAIStreamOf(`Answer to: ${question}`, { size: 8, delayMs: 10 });
    });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-ui-thread-'));
    const workspace = path.join(scratch, 'workspace');
    fs.cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), '{}\n');
    fs.writeFileSync(path.join(workspace, 'AGENTS.md'), AGENTS);
    server = await startServer({
      userDataDir: path.join(scratch, 'user-data'),
      logFile: path.join(ROOT, 'test-results/logs/ui-thread-server.log'),
      settings: {
        'anymodel.models': [
          { model_name: 'r1', litellm_params: { model: 'hosted_vllm/deepseek-r1', api_base: `${mock.url}/v1` } },
          { model_name: 'plain', litellm_params: { model: 'hosted_vllm/llama-3.1-8b', api_base: `${mock.url}/v1` } },
        ],
        'anymodel.defaultModel': 'r1',
        'anymodel.ollamaBaseUrl': 'http://127.0.0.1:9',
        'workbench.colorTheme': 'Default Dark Modern',
      },
    });
    browser = await openBrowser();
    wb = new Workbench(browser.page);
    await browser.page.goto(server.workbenchUrl({ folder: workspace, extensionDevelopmentPaths: [ROOT] }), { timeout: 180_000 });
    await wb.waitUntilReady();
    await wb.modelStatusItem().waitFor({ state: 'visible', timeout: 60_000 });
    await wb.runCommand('AnyModel: Open Chat');
    browser.page.on('console', (m) => { if (m.text().startsWith('anymodel-csp-violation ')) violations.push(m.text()); });
    await wb.readyChat();
    await chat();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`ui-thread-failed-${this.currentTest.title.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await cleanup();
    releaseSignals();
  });

  it('streams the thoughts into an open Thinking block, collapsed with its duration when the answer starts', async () => {
    const panel = await chat();
    const effort = panel.locator('select.effort-select');
    await effort.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await effort.inputValue(), 'medium', 'a reasoning model gets the effort control');
    await effort.selectOption('high');
    await wb.sendInChat('Why does the retry test fail?');
    const live = panel.locator('article.message-assistant.streaming details.thinking[open]');
    await live.locator('.thinking-body', { hasText: 'Retry-After is honoured' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text(live.locator('.thinking-label')), 'Thinking…');
    assert.equal(await text(panel.locator('article.message-assistant.streaming .message-body')), '', 'no answer text yet');
    await wb.screenshot('ui-60-thinking-streaming-dark');
    await answered();
    const answer = panel.locator('article.message-assistant').last();
    const block = answer.locator('details.thinking');
    assert.equal(await block.evaluate((d) => (d as HTMLDetailsElement).open), false, 'collapsed once the answer started');
    assert.match(await text(block.locator('.thinking-label')), /^Thought for [2-9] s$/, 'about the 1.5 s pause plus the streamed thoughts');
    assert.equal(await text(answer.locator('.message-body strong')), 'Retry-After');
    assert.ok(!(await text(answer.locator('.message-body'))).includes('jitter bound'), 'the thoughts are not in the answer');
    const sent = mock!.requests.at(-1)!.body as Body & { reasoning_effort?: string };
    assert.equal(sent.reasoning_effort, 'high', 'the effort chosen in the header reached the request');
    await wb.screenshot('ui-61-thinking-collapsed-dark');
    await colorTheme('Light Modern');
    await block.locator('summary').click();
    await block.locator('.thinking-body', { hasText: 'jitter bound' }).waitFor({ state: 'visible', timeout: 5_000 });
    await wb.screenshot('ui-62-thinking-opened-light');
    await block.locator('summary').click();
    await colorTheme('Dark Modern');
  });

  it('sends AGENTS.md as the system message, names it in the header, and opens it on a click', async () => {
    const panel = await chat();
    const badge = panel.locator('.chat-header [data-instructions="AGENTS.md"]');
    await badge.waitFor({ state: 'visible', timeout: 10_000 });
    const messages = (mock!.requests.at(-1)!.body as Body).messages;
    assert.equal(messages[0]!.role, 'system');
    assert.equal(messages[0]!.content, `Instructions from AGENTS.md:\n\n${AGENTS.trimEnd()}`);
    assert.equal(messages.filter((m) => m.role === 'system').length, 1);
    await badge.hover();
    await wb.screenshot('ui-63-instructions-badge');
    await badge.click();
    await wb.page.locator('.tabs-container .tab', { hasText: 'AGENTS.md' }).waitFor({ state: 'visible', timeout: 20_000 });
    await wb.runCommand('AnyModel: Open Chat');
  });

  it('an edited question replaces the answers after it; the old branch comes back with ‹ 1/2 ›', async () => {
    await wb.readyChat();
    let panel = await chat();
    await panel.getByRole('button', { name: 'New chat' }).click();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
    await panel.locator('.model-select').selectOption('plain');
    await wb.modelStatusItem().filter({ hasText: 'plain' }).waitFor({ timeout: 10_000 });
    await wb.sendInChat('What is a jitter?');
    await answered();
    await wb.sendInChat('And a backoff?');
    await answered();
    const original = ['user: What is a jitter?', 'assistant: Answer to: What is a jitter?', 'user: And a backoff?', 'assistant: Answer to: And a backoff?'];
    assert.deepEqual(await threadReads(original), original);

    const first = panel.locator('article.message-user').first();
    await first.hover();
    await first.getByRole('button', { name: 'Edit and resend this question' }).click();
    const box = first.locator('textarea.message-edit-input');
    await box.waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await box.inputValue(), 'What is a jitter?');
    await box.fill('What is full jitter?');
    await box.press('Enter');
    const edited = ['user: What is full jitter?', 'assistant: Answer to: What is full jitter?'];
    assert.deepEqual(await threadReads(edited), edited, 'the later answers are replaced');
    panel = await chat();
    await panel.locator('article.message-assistant .message-footer', { hasText: 'tokens' }).last().waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual((mock!.requests.at(-1)!.body as Body).messages.filter((m) => m.role !== 'system').map((m) => m.content), ['What is full jitter?'], 'the old turns are not sent');
    const switcher = panel.locator('article.message-user').first().locator('.branch-switcher');
    assert.equal(await text(switcher.locator('.branch-position')), '2/2');
    await wb.screenshot('ui-64-edited-question');

    await switcher.getByRole('button', { name: 'Previous version of this question' }).click();
    assert.deepEqual(await threadReads(original), original, 'the old branch, whole');
    panel = await chat();
    assert.equal(await text(panel.locator('article.message-user').first().locator('.branch-position')), '1/2');
    await wb.screenshot('ui-65-old-branch-restored');
  });

  it('"AnyModel: Search Conversations" finds an old conversation by a word in it and opens it', async () => {
    const panel = await chat();
    await panel.getByRole('button', { name: 'New chat' }).click();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
    await wb.sendInChat('Tell me about the quokka deployment');
    await answered();
    await panel.getByRole('button', { name: 'New chat' }).click();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });

    await wb.runCommand('AnyModel: Search Conversations');
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Search Conversations' }).waitFor({ state: 'visible', timeout: 20_000 });
    await wb.page.keyboard.type('quokka', { delay: 20 });
    const row = wb.quickInputRows().filter({ hasText: 'Tell me about the quokka deployment' });
    await row.first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await wb.quickInputRows().count(), 1, 'only the conversation with the word');
    await wb.screenshot('ui-66-search-conversations');
    await wb.page.keyboard.press('Enter');
    const expected = ['user: Tell me about the quokka deployment', 'assistant: Answer to: Tell me about the quokka deployment'];
    assert.deepEqual(await threadReads(expected), expected, 'the found conversation is open in the chat');
    await wb.screenshot('ui-67-search-opened');
  });

  it('did all of the above within the webview\'s CSP: nothing was refused', async () => {
    const panel = await chat();
    assert.deepEqual(violations, [], 'no refusal in any page of the chat');
    // The observer's silence means something only if it reports a refusal we cause: a remote image
    // (blocked by img-src before any request is made).
    await panel.evaluate(() => { const img = document.createElement('img'); img.src = 'https://example.invalid/probe.png'; document.body.append(img); });
    const deadline = Date.now() + 10_000;
    const reported = (): string[] => violations;
    while (!reported().some((v) => v.includes('img-src')) && Date.now() < deadline) await wb.page.waitForTimeout(100);
    assert.ok(reported().some((v) => v.includes('img-src')), `the watch reports a refusal (${reported().join('; ') || 'none seen'})`);
  });
});
