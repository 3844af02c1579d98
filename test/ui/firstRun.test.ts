/**
 * First run in a real VS Code window: the default model is local (ollama_chat/llama3.2) and no
 * Ollama answers (anymodel.ollamaBaseUrl names a closed port on 127.0.0.1). Before the first
 * question the empty state says Ollama is not running and how to start it and pull the model, with
 * those actions as buttons; the first question gets the same advice instead of ECONNREFUSED.
 * Screenshots: test-results/screenshots/ui-20-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, type OpenBrowser } from '../../scripts/vscode/browser';
import { ensureVSCodeServer } from '../../scripts/vscode/install';
import { FIXTURE_WORKSPACE, ROOT } from '../../scripts/vscode/paths';
import { startServer, type RunningServer } from '../../scripts/vscode/server';
import { onInterrupt } from '../../scripts/vscode/signals';
import { Workbench } from './workbench';

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('UI: first run with a local default model and no Ollama', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  let scratch: string | undefined;
  let wb: Workbench;
  let ollamaUrl: string;
  let releaseSignals = () => {};
  const cleanup = async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  };

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs the VS Code server
    await ensureVSCodeServer();
    releaseSignals = onInterrupt(cleanup);
    ollamaUrl = `http://127.0.0.1:${await closedPort()}`;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-ui-first-run-'));
    const workspace = path.join(scratch, 'workspace');
    fs.cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), '// A fresh machine: no models configured.\n{}\n');
    server = await startServer({
      userDataDir: path.join(scratch, 'user-data'),
      logFile: path.join(ROOT, 'test-results/logs/ui-first-run-server.log'),
      // Nothing but where Ollama would be: the default model stays the built-in ollama_chat/llama3.2.
      settings: { 'anymodel.ollamaBaseUrl': ollamaUrl },
    });
    browser = await openBrowser();
    wb = new Workbench(browser.page);
    await browser.page.goto(server.workbenchUrl({ folder: workspace, extensionDevelopmentPaths: [ROOT] }));
    await wb.waitUntilReady();
    await wb.modelStatusItem().waitFor({ state: 'visible', timeout: 60_000 });
  });

  after(async () => {
    releaseSignals();
    await cleanup();
  });

  it('says before the first question that Ollama is not running, with Start / Pull / Pick as buttons, and answers the first question the same way', async () => {
    await wb.runCommand('AnyModel: Open Chat');
    const chat = await wb.readyChat(60_000);
    const advice = chat.locator('.empty-state [role="alert"]');
    await advice.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await advice.textContent()) ?? '';
    assert.match(text, new RegExp(`Ollama is not running at ${ollamaUrl.replace(/[.]/g, '\\.')}`));
    assert.match(text, /ollama serve/);
    assert.match(text, /ollama pull llama3\.2/);
    assert.match(text, /pick a cloud model and set its API key/);
    assert.deepEqual(await advice.locator('button').allTextContents(), ['Start Ollama', 'Pull the Model', 'Pick Another Model']);
    await wb.screenshot('ui-40-first-run-empty-state');

    await wb.sendInChat('Hello?');
    const error = chat.locator('article.message-assistant .message-error').last();
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    const errorText = (await error.textContent()) ?? '';
    assert.match(errorText, /Ollama is not running/);
    assert.doesNotMatch(errorText, /ECONNREFUSED/);
    assert.deepEqual(await error.locator('button').allTextContents(), ['Start Ollama', 'Pull the Model', 'Pick Another Model', 'Retry']);
    await wb.screenshot('ui-41-first-run-error');
  });
});
