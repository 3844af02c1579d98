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
import type { Frame } from 'playwright-core';
import { startMockServer } from '../unit/helpers/mock-server';
import { openAIReasoningStreamOf, openAIStreamOf } from './streams';
import { text, uiSuite } from './suite';

const AGENTS = '# House rules\n\nAlways answer with the test command first: `npm test`.\n';
const THOUGHTS = 'The user asks why the retry test fails. First, check whether Retry-After is honoured: the test expects a wait of 2 s. Then check the jitter bound. ';
type Body = { model: string; messages: { role: string; content: string }[] };

describe('UI: thinking, instructions and working with the thread', function () {
  this.timeout(90_000);
  const ui = uiSuite({
    name: 'thread',
    mocks: async () => ({
      mock: await startMockServer((req) => {
        const b = req.body as Body;
        const question = b.messages.at(-1)?.content ?? '';
        if (b.model === 'deepseek-r1') return openAIReasoningStreamOf(THOUGHTS, `Run \`npm test\` first. The test waits for **Retry-After** (asked: ${question}).`, { size: 6, delayMs: 40, thinkMs: 1500 });
        return openAIStreamOf(`Answer to: ${question}`, { size: 8, delayMs: 10 });
      }),
    }),
    workspaceSettings: '{}\n',
    files: { 'AGENTS.md': AGENTS },
    settings: ({ mock }) => ({
      'anymodel.models': [
        { model_name: 'r1', litellm_params: { model: 'hosted_vllm/deepseek-r1', api_base: `${mock.url}/v1` } },
        { model_name: 'plain', litellm_params: { model: 'hosted_vllm/llama-3.1-8b', api_base: `${mock.url}/v1` } },
      ],
      'anymodel.defaultModel': 'r1',
      'anymodel.ollamaBaseUrl': 'http://127.0.0.1:9',
      'workbench.colorTheme': 'Default Dark Modern',
    }),
    ready: async ({ wb }) => {
      await wb.runCommand('AnyModel: Open Chat');
      wb.page.on('console', (m) => { if (m.text().startsWith('anymodel-csp-violation ')) violations.push(m.text()); });
      await wb.readyChat();
      await chat();
    },
  });
  const { wb } = ui;
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
    const sent = ui.mocks.mock.requests.at(-1)!.body as Body & { reasoning_effort?: string };
    assert.equal(sent.reasoning_effort, 'high', 'the effort chosen in the header reached the request');
    await wb.screenshot('ui-61-thinking-collapsed-dark');
    await wb.colorTheme('Light Modern');
    await block.locator('summary').click();
    await block.locator('.thinking-body', { hasText: 'jitter bound' }).waitFor({ state: 'visible', timeout: 5_000 });
    await wb.screenshot('ui-62-thinking-opened-light');
    await block.locator('summary').click();
    await wb.colorTheme('Dark Modern');
  });

  it('sends AGENTS.md as the system message, names it in the header, and opens it on a click', async () => {
    const panel = await chat();
    const badge = panel.locator('.chat-header [data-instructions="AGENTS.md"]');
    await badge.waitFor({ state: 'visible', timeout: 10_000 });
    const messages = (ui.mocks.mock.requests.at(-1)!.body as Body).messages;
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
    assert.deepEqual((ui.mocks.mock.requests.at(-1)!.body as Body).messages.filter((m) => m.role !== 'system').map((m) => m.content), ['What is full jitter?'], 'the old turns are not sent');
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
