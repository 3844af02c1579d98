/**
 * Compare mode in a real VS Code window, used the way a person uses it: the header's Compare
 * button opens a multi-select picker, four models are ticked, one question is typed, and the
 * answers of three mock models with different latencies stream side by side while the fourth
 * (Claude, no key yet) fails with its actions; its "Set API Key" and "Retry" fix that column alone;
 * the slow column is stopped alone; one answer is continued with and the next question goes to
 * that model with the chosen answer in its history. Then "Compare Models on Selection" asks about
 * code in the editor, and a reload brings the comparison back. Screenshots on a wide and a narrow
 * window, dark and light: test-results/screenshots/ui-7*.png.
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { startMockServer, type MockServer, type RecordedRequest, type Reply } from '../unit/helpers/mock-server';
import { startAnthropicMock } from '../unit/mocks/anthropic';
import { error as openaiError } from '../unit/mocks/openai';
import { waitFor } from '../unit/helpers/wait';
import { openAIStreamOf } from './streams';
import { text, uiSuite } from './suite';

const KEY = 'sk-ui-compare-5c2e';
const QUESTION = 'Which sorting algorithm is stable?';
const ANSWERS = {
  quick: 'Merge sort is stable: equal keys keep their order.',
  steady: '**Merge sort** and insertion sort are stable.\n\n```ts\nconst sorted = [...items].sort((a, b) => a.key - b.key); // stable since ES2019\n```\n',
  slow: 'Let me think about this carefully, one algorithm at a time, starting with bubble sort, then insertion sort, then merge sort, then quicksort, then heapsort, and so on for a long while.',
};
type Body = { model: string; messages: { role: string; content: string }[] };
const bodyOf = (r: RecordedRequest) => r.body as Body;
const keyed = (reply: (req: RecordedRequest) => Reply) => (req: RecordedRequest): Reply => req.headers.authorization === `Bearer ${KEY}` ? reply(req) : openaiError('openai', 401, 'Incorrect API key provided.', 'invalid_api_key');

describe('UI: compare models side by side in a real VS Code window', function () {
  this.timeout(120_000);
  const ui = uiSuite({
    name: 'compare',
    mocks: async () => {
      const [quick, steady, slow, claude] = await Promise.all([
        startMockServer(keyed(() => openAIStreamOf(ANSWERS.quick, { size: 20, delayMs: 20, usage: { prompt_tokens: 30, completion_tokens: 12 } }))),
        startMockServer(keyed((req) => openAIStreamOf(bodyOf(req).messages.length > 1 ? 'Yes: equal keys never swap in merge sort.' : ANSWERS.steady, { size: 10, delayMs: 120, usage: { prompt_tokens: 30, completion_tokens: 40 } }))),
        // Slow to start and slow to go on: still streaming when it is stopped.
        startMockServer(keyed(() => ({ ...(openAIStreamOf(ANSWERS.slow, { size: 4, delayMs: 400 }) as Extract<Reply, { kind: 'raw' }>), hang: true }))),
        startAnthropicMock(),
      ]);
      return { quick, steady, slow, claude };
    },
    workspaceSettings: '// The compare UI suite sets the models in user settings.\n{}\n',
    settings: ({ quick, steady, slow, claude }) => {
      const entry = (name: string, model: string, mock: MockServer) => ({ model_name: name, litellm_params: { model, api_base: `${mock.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } });
      return {
        'anymodel.models': [
          entry('quick', 'openai/gpt-4o-mini', quick), entry('steady', 'openai/gpt-4o', steady), entry('slow', 'openai/gpt-4.1', slow),
          { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: claude.url, api_key: 'os.environ/ANTHROPIC_API_KEY' } },
        ],
        'anymodel.defaultModel': 'quick',
        'anymodel.ollamaBaseUrl': 'http://127.0.0.1:9',
        'workbench.colorTheme': 'Default Dark Modern',
      };
    },
    viewport: { width: 1600, height: 900 },
    ready: ({ wb }) => wb.setApiKey('openai', KEY),
  });
  const { wb } = ui;
  const chat = (): Promise<Frame> => wb.chatFrame();
  const column = async (model: string) => (await chat()).locator(`.compare`).last().locator(`.compare-column[data-model="${model}"]`);
  const figure = async (model: string, label: string) => text((await column(model)).locator(`dd[data-figure="${label}"]`));
  const seconds = (s: string) => Number(s.replace(' s', ''));

  it('the Compare button ticks four models; they answer side by side with their figures, one failing with its actions', async () => {
    await wb.runCommand('AnyModel: Open Chat');
    const panel = await wb.readyChat();
    // Wide: the side bar out of the way, the panel across the window.
    await wb.page.keyboard.press('Control+B');
    await panel.getByRole('button', { name: 'Compare models' }).click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Compare Models' }).waitFor({ state: 'visible', timeout: 30_000 });
    for (const model of ['quick', 'steady', 'slow', 'claude']) await wb.toggleQuickInputRow(model);
    await wb.quickInputTitle().filter({ hasText: '4 ticked' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.keyboard.press('Enter');
    await wb.quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
    const bar = panel.locator('.compare-bar');
    await bar.waitFor({ state: 'visible', timeout: 10_000 });
    // In the picker's order (grouped by provider), whatever order they were ticked in.
    assert.deepEqual(await bar.locator('strong').allTextContents(), ['claude', 'quick', 'steady', 'slow']);
    assert.equal(await panel.getByRole('button', { name: 'Compare models' }).getAttribute('aria-pressed'), 'true');

    await wb.sendInChat(QUESTION);
    const block = panel.locator('.compare').last();
    await block.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await text(block.locator('.compare-prompt')), QUESTION);
    assert.deepEqual(await block.locator('.compare-column .compare-model').allTextContents(), ['claude', 'quick', 'steady', 'slow']);
    // Quick is done while slow still streams, with its stop button.
    await (await column('quick')).locator('dd[data-figure="cost"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await (await column('slow')).getAttribute('data-status'), 'running');
    assert.ok(await (await column('slow')).getByRole('button', { name: 'Stop slow' }).isVisible());
    assert.equal(await text((await column('quick')).locator('.compare-column-body')), ANSWERS.quick);
    assert.equal(await figure('quick', 'tokens'), '30 in / 12 out');
    assert.equal(await figure('quick', 'cost'), '< $0.0001');
    // Claude has no key: its column fails on its own, with its actions.
    const failed = await column('claude');
    await failed.locator('.message-error').waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await text(failed.locator('.message-error-text')), /^No API key for anthropic \(claude\)/);
    assert.deepEqual((await failed.locator('.message-error button').allTextContents()).map((b) => b.trim()), ['Set API Key', 'Pick Another Model', 'Retry']);
    assert.equal(ui.mocks.claude.requests.length, 0, 'nothing was sent without a key');
    // Steady finishes with highlighted code, slower than quick.
    await (await column('steady')).locator('dd[data-figure="cost"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text((await column('steady')).locator('strong')), 'Merge sort');
    assert.ok(await (await column('steady')).locator('.code-block .hljs-keyword').count() >= 1);
    assert.equal(await figure('steady', 'tokens'), '30 in / 40 out');
    assert.equal(await figure('steady', 'cost'), '$0.0005');
    assert.ok(seconds(await figure('steady', 'total')) > seconds(await figure('quick', 'total')), 'steady took longer than quick');
    assert.ok(seconds(await figure('quick', 'TTFT')) <= seconds(await figure('quick', 'total')));
    // Every mock got the same question.
    for (const m of [ui.mocks.quick, ui.mocks.steady, ui.mocks.slow]) assert.equal(bodyOf(m.requests.at(-1)!).messages.at(-1)!.content, QUESTION);
    assert.equal(await (await column('slow')).getAttribute('data-status'), 'running', 'slow is still streaming');
    await wb.screenshot('ui-70-compare-wide-dark');
  });

  it('a failed column is fixed alone (Set API Key, Retry) and the slow one is stopped alone', async () => {
    const panel = await chat();
    const failed = await column('claude');
    await failed.getByRole('button', { name: 'Set API Key' }).click();
    await wb.quickInputTitle().filter({ hasText: 'API key for anthropic' }).waitFor({ state: 'visible', timeout: 30_000 });
    await wb.page.keyboard.type('test-key', { delay: 5 });
    await wb.page.keyboard.press('Enter');
    await wb.announcement('key for anthropic stored in secret storage').waitFor({ state: 'attached', timeout: 30_000 });
    // Stop the slow column; the others keep what they have.
    const slowColumn = await column('slow');
    const aborted = ui.mocks.slow.nextClientAbort();
    await slowColumn.getByRole('button', { name: 'Stop slow' }).click();
    await aborted;
    await slowColumn.locator('.compare-badge-stopped').waitFor({ state: 'visible', timeout: 20_000 });
    const slowText = await text(slowColumn.locator('.compare-column-body'));
    assert.ok(slowText.length > 0 && ANSWERS.slow.startsWith(slowText), `kept what arrived: ${slowText}`);
    assert.equal(await text((await column('quick')).locator('.compare-column-body')), ANSWERS.quick);
    await panel.locator('button.composer-send').waitFor({ state: 'visible', timeout: 10_000 });
    await failed.getByRole('button', { name: 'Retry' }).click();
    await failed.getByText('Hello from anthropic: Which sorting algorithm is stable?').waitFor({ state: 'visible', timeout: 30_000 });
    await failed.locator('dd[data-figure="cost"]').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await failed.locator('.message-error').count(), 0);
    assert.equal(ui.mocks.claude.requests.length, 1);
    assert.equal(await figure('claude', 'tokens'), '11 in / 7 out');
    assert.equal(ui.mocks.slow.requests.length, 1, 'the retry asked only its own column');
  });

  it('narrow, and in a light theme, the columns stack and stay readable', async () => {
    const panel = await chat();
    const wide = await panel.locator('.compare-column').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
    assert.equal(new Set(wide).size, 1, `wide: one row of columns (${wide.join(', ')})`);
    await wb.page.setViewportSize({ width: 640, height: 900 });
    await waitFor(async () => new Set(await panel.locator('.compare-column').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().left)))).size === 1, 'the columns stacked');
    const lefts = await panel.locator('.compare-column').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().left)));
    assert.equal(new Set(lefts).size, 1, `narrow: stacked (${lefts.join(', ')})`);
    await panel.locator('.compare-column[data-model="quick"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await wb.screenshot('ui-71-compare-narrow-dark');
    await wb.colorTheme('Light Modern');
    await panel.locator('body.vscode-light').waitFor({ state: 'attached', timeout: 30_000 });
    await wb.screenshot('ui-73-compare-narrow-light');
    await wb.page.setViewportSize({ width: 1600, height: 900 });
    await waitFor(async () => new Set(await panel.locator('.compare-column').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)))).size === 1, 'the columns side by side');
    await wb.screenshot('ui-72-compare-wide-light');
    await wb.colorTheme('Dark Modern');
    await panel.locator('body.vscode-dark').waitFor({ state: 'attached', timeout: 30_000 });
  });

  it('"Continue with this answer" goes on with that model, the chosen answer in its history', async () => {
    const panel = await chat();
    await (await column('steady')).getByRole('button', { name: 'Continue with this answer' }).click();
    await (await column('steady')).locator('.compare-badge-chosen').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await (await column('quick')).getAttribute('class').then((c) => c?.includes('compare-unchosen')), true);
    await waitFor(async () => (await panel.locator('.model-select').inputValue()) === 'steady', 'the model switch to follow the choice');
    await panel.locator('.compare-bar').waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await panel.locator('.compare-continue').count(), 0, 'no other answer can be continued with now');
    const before = ui.mocks.steady.requests.length;
    await wb.sendInChat('Does it stay stable with equal keys?');
    const answer = panel.locator('article.message-assistant').last();
    await answer.getByText('Yes: equal keys never swap in merge sort.').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text(answer.locator('.message-model')), 'steady');
    assert.equal(ui.mocks.steady.requests.length, before + 1);
    assert.deepEqual(bodyOf(ui.mocks.steady.requests.at(-1)!).messages.map((m) => [m.role, m.content]), [
      ['user', QUESTION],
      ['assistant', ANSWERS.steady],
      ['user', 'Does it stay stable with equal keys?'],
    ]);
    assert.equal(ui.mocks.quick.requests.length, 1, 'the other models were not asked again');
    await answer.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 20_000 });
    await wb.screenshot('ui-74-compare-continued');
  });

  it('"Compare Models on Selection" asks the remembered models about the selected code', async () => {
    await wb.page.keyboard.press('Control+B'); // the explorer again
    await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hello.ts' }).first().click();
    const editor = wb.page.locator('.monaco-editor[data-uri$="hello.ts"], .editor-instance .monaco-editor').first();
    await editor.waitFor({ state: 'visible', timeout: 30_000 });
    await editor.locator('.view-lines').click();
    await wb.page.keyboard.press('Control+A');
    const before = [ui.mocks.quick.requests.length, ui.mocks.steady.requests.length];
    await wb.runCommand('AnyModel: Compare Models on Selection');
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Compare Models on Selection' }).waitFor({ state: 'visible', timeout: 30_000 });
    await wb.page.keyboard.type('What does this print?', { delay: 5 });
    await wb.page.keyboard.press('Enter');
    const panel = await chat();
    const block = panel.locator('.compare').last();
    await waitFor(async () => (await block.locator('.compare-prompt').textContent() ?? '').startsWith('What does this print?'), 'the question about the selection');
    assert.deepEqual(await block.locator('.compare-column .compare-model').allTextContents(), ['claude', 'quick', 'steady', 'slow'], 'the models compared last');
    await block.locator('.compare-column[data-model="quick"] dd[data-figure="cost"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(ui.mocks.quick.requests.length, before[0]! + 1);
    const asked = bodyOf(ui.mocks.quick.requests.at(-1)!).messages.at(-1)!.content;
    assert.match(asked, /^What does this print\?\n\nFrom `hello\.ts` \(typescript\), lines 1–\d+:\n\n```typescript\n\/\/ A file to select and ask about\./);
    assert.equal(bodyOf(ui.mocks.quick.requests.at(-1)!).messages.length, 5, 'the conversation so far went along: question, chosen answer, follow-up, its answer, this');
    await block.locator('.compare-column[data-model="slow"]').getByRole('button', { name: 'Stop slow' }).click();
    await panel.locator('button.composer-send').waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('a reload brings the comparisons back, with their figures and the choice', async function () {
    this.timeout(360_000); // a reload restarts the extension host, slow on a loaded machine
    await wb.reloadWindow();
    const panel = await wb.readyChat(150_000);
    const first = panel.locator('.compare').first();
    await first.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text(first.locator('.compare-prompt')), QUESTION);
    assert.equal(await text(first.locator('.compare-column[data-model="quick"] .compare-column-body')), ANSWERS.quick);
    assert.equal(await text(first.locator('.compare-column[data-model="quick"] dd[data-figure="tokens"]')), '30 in / 12 out');
    assert.ok(await first.locator('.compare-column[data-model="steady"] .compare-badge-chosen').isVisible());
    assert.ok(await first.locator('.compare-column[data-model="slow"] .compare-badge-stopped').isVisible());
    assert.equal(await panel.locator('.compare').count(), 2);
    await wb.screenshot('ui-75-compare-after-reload');
  });
});


