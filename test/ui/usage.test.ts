/**
 * The usage dashboard and the editor's budgets in a real VS Code window, used as a person would:
 * "AnyModel: Show Usage" before anything was asked shows an empty state that explains itself;
 * after a few chats against mock providers (two models, one failed request) the dashboard shows
 * them in its totals, charts and sortable table, in the dark and the light theme, and exports
 * them as CSV through the save dialog. Then a model's daily budget runs out: the next request
 * asks first, "Allow this request" sends that one, "Open settings" sends nothing and opens the
 * budget settings. Screenshots: test-results/screenshots/ui-4*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import type { RecordedRequest } from '../unit/helpers/mock-server';
import { startOllamaMock } from '../unit/mocks/ollama';
import { error as openaiError, readConversation, startOpenAIMock } from '../unit/mocks/openai';
import { waitFor } from '../unit/helpers/wait';
import { openAIStreamOf } from './streams';
import { text, uiSuite } from './suite';

const KEY = 'sk-ui-usage-51c2';
/** openai/gpt-4o at 42 in / 120 out tokens (the mock's usage): $0.001305 a request, by the price catalog. */
const BIG_BUDGET = 0.002;

describe('UI: the usage dashboard and budgets in a real VS Code window', function () {
  this.timeout(90_000);
  const ui = uiSuite({
    name: 'usage',
    mocks: async () => {
      const [cloud, ollama] = await Promise.all([startOpenAIMock({ apiKey: KEY }), startOllamaMock()]);
      // A last question with "fail" in it gets a 400 (not retried): one failed request for the dashboard.
      cloud.handle((req) => {
        if (req.headers.authorization !== `Bearer ${KEY}`) return openaiError('openai', 401, 'Incorrect API key provided.', 'invalid_api_key');
        return readConversation(req.body as Parameters<typeof readConversation>[0]).lastUserText.includes('fail') ? openaiError('openai', 400, 'This request is refused by the mock.', 'invalid_request') : openAIStreamOf('An answer from the mock.', { size: 8, delayMs: 10 });
      });
      return { cloud, ollama };
    },
    workspaceSettings: '// This suite sets the models in user settings; a workspace value would shadow them.\n{}\n',
    settings: ({ cloud, ollama }) => ({
      'anymodel.models': [
        { model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${cloud.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } },
        { model_name: 'big', litellm_params: { model: 'openai/gpt-4o', api_base: `${cloud.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } },
      ],
      'anymodel.defaultModel': 'cloud',
      'anymodel.ollamaBaseUrl': ollama.url,
      'anymodel.statusBar.showSpend': true,
      'anymodel.budget.perModelDailyUsd': { big: { budget_limit: BIG_BUDGET, time_period: '1d' } },
      'workbench.colorTheme': 'Default Dark Modern',
    }),
    ready: async ({ wb }) => {
      // The dashboard gets the window's width, as a person looking at charts would give it.
      await wb.runExactCommand('View: Close Primary Side Bar');
      await wb.page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: 10_000 });
    },
  });
  const { wb } = ui;
  const modelOf = (req: RecordedRequest) => (req.body as { model?: string }).model;
  const lastAnswer = async () => (await wb.chatFrame()).locator('article.message-assistant').last();
  /** Sends in the chat and waits for the answer (its footer) or its error. */
  const ask = async (question: string, expect: 'answer' | 'error' = 'answer') => {
    const before = await (await wb.chatFrame()).locator('article.message-assistant').count();
    await wb.sendInChat(question);
    const panel = await wb.chatFrame();
    const answers = panel.locator('article.message-assistant');
    await waitFor(async () => (await answers.count()) > before, `an answer to "${question}"`, 30_000);
    const answer = answers.last();
    if (expect === 'answer') await answer.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 30_000 });
    else await answer.locator('.message-error').waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('button.composer-send').waitFor({ state: 'visible', timeout: 10_000 });
  };
  const tableRows = async (usage: Frame) => usage.locator('.usage-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent?.trim() ?? '')));

  it('"AnyModel: Show Usage" before any request: an empty state that says what will be shown and where it is kept', async () => {
    // showSpend loads the services at startup: the status bar shows today's (empty) spend.
    await wb.modelStatusItem().filter({ hasText: '$0.0000 today' }).waitFor({ timeout: 30_000 });
    await wb.runCommand('AnyModel: Show Usage');
    const usage = await wb.usageFrame();
    const empty = usage.locator('.empty');
    await empty.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await text(empty.locator('h2')), 'No requests in the last 30 days');
    assert.match(await text(empty), /Every request AnyModel sends.*is recorded here/);
    assert.match(await text(empty), /Prompts are not kept unless anymodel\.logPrompts is on; keys never are\./);
    assert.equal(await usage.locator('canvas').count(), 0);
    assert.ok(await usage.locator('button[data-action="export"]').isDisabled(), 'nothing to export');
    await wb.screenshot('ui-80-usage-empty');
  });

  it('after chats with two models (one failed), the dashboard shows them: totals, charts, a sortable table', async () => {
    await wb.setApiKey('openai', KEY);
    await wb.runCommand('AnyModel: Open Chat');
    await wb.readyChat();
    await ask('First question?');
    await ask('Second question?');
    await ask('Please fail this one', 'error');
    const panel = await wb.chatFrame();
    await panel.locator('.model-select').selectOption('big');
    await wb.modelStatusItem().filter({ hasText: 'big' }).waitFor({ timeout: 10_000 });
    await ask('A question for the big model?');
    assert.deepEqual(ui.mocks.cloud.requests.map(modelOf), ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o']);
    // 65 % of big's budget: no warning yet; the status bar has today's spend.
    await wb.modelStatusItem().filter({ hasText: '$0.0015 today' }).waitFor({ timeout: 20_000 });

    await wb.runCommand('AnyModel: Show Usage');
    const usage = await wb.usageFrame();
    await usage.locator('[data-total="requests"]', { hasText: '4' }).waitFor({ timeout: 20_000 });
    assert.equal(await text(usage.locator('[data-total="errors"]')), '1');
    assert.equal(await text(usage.locator('[data-total="today"]')), '$0.0015');
    assert.equal(await usage.locator('canvas').count(), 5);
    assert.match(await usage.locator('[data-chart="spend"] canvas').getAttribute('aria-label') ?? '', /big \$0\.0013, cloud \$0\.0002/);
    assert.match(await usage.locator('[data-chart="requests"] canvas').getAttribute('aria-label') ?? '', /^4 requests and 1 errors/);
    assert.match(await usage.locator('[data-chart="tokens"] canvas').getAttribute('aria-label') ?? '', /big: 42 in, 120 out; cloud: 84 in, 240 out/);
    // The table, most spent first: model, requests, errors, tokens in, out, cached, cost.
    const rows = await tableRows(usage);
    assert.deepEqual(rows.map((r) => r.slice(0, 7)), [['big', '1', '0', '42', '120', '0', '$0.0013'], ['cloud', '3', '1', '84', '240', '0', '$0.0002']]);
    assert.match(rows[1]![7]!, /^\d[\d,]* ms$/, 'a latency p50 for cloud');
    // Sorting by requests puts cloud first; again reverses.
    await usage.locator('button.sort[data-key="requests"]').click();
    assert.deepEqual((await tableRows(usage)).map((r) => r[0]), ['cloud', 'big']);
    assert.equal(await usage.locator('th[aria-sort="descending"] button.sort').getAttribute('data-key'), 'requests');
    await usage.locator('button.sort[data-key="requests"]').click();
    assert.deepEqual((await tableRows(usage)).map((r) => r[0]), ['big', 'cloud']);
    const top = async () => (await wb.usageFrame()).evaluate(() => window.scrollTo(0, 0));
    const bottom = async () => (await wb.usageFrame()).evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await top();
    await wb.screenshot('ui-81-usage-dark');
    await bottom();
    await wb.screenshot('ui-82-usage-dark-table');
    // The charts are redrawn in each theme's colours (read from its CSS variables).
    await wb.colorTheme('Light Modern');
    await (await wb.usageFrame()).locator('body.vscode-light').waitFor({ state: 'attached', timeout: 10_000 });
    await top();
    await wb.screenshot('ui-83-usage-light');
    await wb.colorTheme('Dark High Contrast');
    await (await wb.usageFrame()).locator('body.vscode-high-contrast').waitFor({ state: 'attached', timeout: 10_000 });
    await top();
    await wb.screenshot('ui-84-usage-high-contrast');
    await wb.colorTheme('Dark Modern');
  });

  it('exports the records as CSV through the save dialog', async () => {
    await wb.runCommand('AnyModel: Show Usage');
    const usage = await wb.usageFrame();
    await usage.locator('button[data-action="export"]').click();
    // The web workbench's save dialog is a quick input holding the proposed path.
    const box = wb.quickInputBox();
    await box.waitFor({ state: 'visible', timeout: 20_000 });
    // The dialog fills in the folder first, then the proposed name: wait (bounded) for the name.
    const named = /anymodel-usage-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/;
    let proposed = '';
    await waitFor(async () => named.test(proposed = await box.inputValue()), 'the proposed file name', 10_000).catch(() => undefined);
    assert.match(proposed, named);
    await wb.page.keyboard.press('Enter');
    const file = path.join(ui.workspace, path.basename(proposed));
    // The file exists as soon as the save opens it: wait (bounded) until all its rows are in.
    const rows = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\r\n') : []);
    await waitFor(() => rows().length >= 5, `${file} written with a header and four records`, 20_000).catch(() => undefined);
    const lines = rows();
    assert.equal(lines.length, 5, 'a header and four records');
    assert.match(lines[0]!, /^time,modelGroup,deployment,provider,source,outcome,/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(1, 2).concat(l.split(',').slice(4, 6))), [
      ['cloud', 'panel', 'success'], ['cloud', 'panel', 'success'], ['cloud', 'panel', 'error'], ['big', 'panel', 'success'],
    ]);
    assert.ok(!fs.readFileSync(file, 'utf8').includes(KEY));
  });

  it('a spent budget: the next request asks first; "Allow this request" sends it, "Open settings" sends nothing', async () => {
    await wb.page.getByRole('tab', { name: /AnyModel Chat/ }).click();
    await wb.readyChat();
    // The second request to big takes it past its $0.002: it is sent (the budget was not spent yet) and warns.
    await ask('Another one for the big model?');
    await wb.announcement('The daily budget for big').waitFor({ state: 'attached', timeout: 20_000 });
    assert.match(await text(wb.announcement('The daily budget for big')), /\$0\.0026 of \$0\.0020 spent today, UTC\) is 130 % used\. Further requests ask before they are sent\./);
    const sent = ui.mocks.cloud.requests.length;

    await wb.sendInChat('And one more?');
    const dialog = wb.dialog();
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await text(dialog), /The daily budget for big \(\$0\.0026 of \$0\.0020 spent today, UTC\) is used up\./);
    assert.match(await text(dialog), /This request to big has not been sent\./);
    const buttons = (await dialog.locator('.monaco-button').allTextContents()).map((b) => b.trim()).filter(Boolean);
    // The dialog lays its buttons out in the platform's order; what matters is that these are the choices.
    assert.deepEqual([...buttons].sort(), ['Allow this request', 'Cancel', 'Open settings']);
    assert.equal(ui.mocks.cloud.requests.length, sent, 'nothing is sent while it asks');
    await wb.screenshot('ui-85-budget-refusal');
    await dialog.getByRole('button', { name: 'Allow this request' }).click();
    await (await lastAnswer()).locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(ui.mocks.cloud.requests.length, sent + 1, 'the allowed request was sent');
    await (await wb.chatFrame()).locator('button.composer-send').waitFor({ state: 'visible', timeout: 10_000 });

    await wb.sendInChat('And yet another?');
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Open settings' }).click();
    await wb.page.locator('.settings-editor').waitFor({ state: 'visible', timeout: 20_000 });
    await wb.page.locator('.settings-editor .setting-item').filter({ hasText: 'Per Model Daily Usd' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await wb.screenshot('ui-86-budget-settings');
    // The Settings editor may cover the chat: back to it, as a person would, to read the refusal.
    await wb.page.getByRole('tab', { name: /AnyModel Chat/ }).click();
    await wb.readyChat();
    const error = (await lastAnswer()).locator('.message-error');
    await error.waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await error.getAttribute('data-error-kind'), 'BudgetExceeded');
    assert.match(await text(error.locator('.message-error-text')), /^Not sent: the daily budget for big .* is used up\./);
    assert.equal(ui.mocks.cloud.requests.length, sent + 1, 'the refused request was not sent');
  });
});
