/**
 * First run in a real VS Code window: the default model is local (ollama_chat/llama3.2) and no
 * Ollama answers (anymodel.ollamaBaseUrl names a closed port on 127.0.0.1). Before the first
 * question the empty state says Ollama is not running and how to start it and pull the model, with
 * those actions as buttons; the first question gets the same advice instead of ECONNREFUSED.
 * Screenshots: test-results/screenshots/ui-20-*.png.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { uiSuite } from './suite';

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
  let ollamaUrl: string;
  const { wb } = uiSuite({
    name: 'first-run',
    workspaceSettings: '// A fresh machine: no models configured.\n{}\n',
    // Nothing but where Ollama would be: the default model stays the built-in ollama_chat/llama3.2.
    settings: async () => {
      ollamaUrl = `http://127.0.0.1:${await closedPort()}`;
      return { 'anymodel.ollamaBaseUrl': ollamaUrl };
    },
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
