/**
 * End-to-end smoke test, acting like a person in a real VS Code (the server from the code-server
 * package) in headless Chromium, with the extension loaded in development mode and the fixture
 * workspace open. Screenshots land in test-results/screenshots/ui-*.png.
 *
 * Runs outside VS Code, in plain Node: npm run test:integration:ui
 */
import assert from 'node:assert/strict';
import { uiSuite } from './suite';

describe('UI smoke: AnyModel in a real VS Code window', function () {
  this.timeout(120_000);
  // The fixture workspace as it is; the server's own temporary user data.
  const { wb } = uiSuite({ name: 'smoke', logName: 'ui-server.log' });

  it('shows the current model in the status bar', async () => {
    assert.equal(await wb.modelStatusText(), 'ollama_chat/llama3.2 · local');
    await wb.screenshot('ui-01-workbench-ready');
  });

  it('finds "AnyModel: Pick Model" in the command palette', async () => {
    await wb.typeInCommandPalette('AnyModel: Pick Model');
    await wb.screenshot('ui-02-command-palette');
    await wb.page.keyboard.press('Enter');
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Pick Model' }).waitFor({ state: 'visible', timeout: 10_000 });
    // The fixture workspace lists fast, smart (two deployments) and local-vllm, grouped by provider
    // (anthropic, hosted_vllm, ollama_chat); the default model is offered too.
    await wb.quickInputRows().filter({ hasText: 'local-vllm' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual(await wb.quickInputLabels(), ['smart', 'local-vllm', 'fast', 'ollama_chat/llama3.2']);
    await wb.screenshot('ui-03-model-picker');
  });

  it('picking a model updates the status bar without a reload', async () => {
    await wb.clickQuickInputRow('smart');
    await wb.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
    await wb.modelStatusItem().filter({ hasText: 'smart' }).waitFor({ timeout: 5_000 });
    assert.equal(await wb.modelStatusText(), 'smart');
    await wb.screenshot('ui-04-model-picked');
  });

  it('clicking the status bar item opens the picker on the current model', async () => {
    // The current model must not be the first row, where the list's focus would land anyway.
    await wb.modelStatusItem().click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Pick Model' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.quickInputRows().filter({ hasText: 'fast' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.clickQuickInputRow('fast');
    await wb.modelStatusItem().filter({ hasText: 'fast' }).waitFor({ timeout: 10_000 });
    await wb.modelStatusItem().click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Pick Model' }).waitFor({ state: 'visible', timeout: 10_000 });
    // The rows arrive after the picker opens (it is busy while the catalog loads) and the focus
    // moves to the current model after them: wait for that state, not for a time.
    assert.equal(await wb.waitForFocusedQuickInputLabel('fast'), 'fast');
    assert.notEqual((await wb.quickInputLabels())[0], 'fast', 'fast is not the first row');
    await wb.screenshot('ui-05-status-bar-picker');
    await wb.closeQuickInput();
    assert.match(await wb.modelStatusText(), /^fast( · local)?$/, 'dismissing changes nothing');
  });

  it('"AnyModel: Show Log" shows what happened', async () => {
    await wb.runCommand('AnyModel: Show Log');
    const output = wb.page.locator('.part.panel');
    await output.getByText('Default model set to smart', { exact: false }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('ui-06-log');
  });
});
