/**
 * Context in the chat, in a real VS Code window, the way a person brings it: a file attached by
 * typing `#` and picking the completion, a file from the attach button's picker, the Problems of
 * the open file, a screenshot pasted with Ctrl+V; each a chip with its token estimate, sent to
 * the model (the Ollama mock records what it got: the file text, the problems, the image in
 * Ollama's `images`, and the `num_ctx` that fits), shown with the message. A model without vision
 * says so before sending; the meter warns past 80 % of a small window and, when a send would not
 * fit, offers the choice instead of an upstream error. No CSP violation in the webview throughout.
 *
 * Screenshots: test-results/screenshots/ui-50 … ui-58 (dark, and light where colours matter).
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { RecordedRequest } from '../unit/helpers/mock-server';
import { startOllamaMock } from '../unit/mocks/ollama';
import { encodePng } from '../unit/helpers/png';
import { waitFor } from '../unit/helpers/wait';
import { text, uiSuite } from './suite';

const LOCAL = 'ollama_chat/llama3.2:latest';
const RETRY_TS = 'export const MAX_TRIES = 3;\nexport const BACKOFF_MS = [250, 500, 1000];\n';

interface OllamaBody { messages: { role: string; content: string; images?: string[] }[]; options?: { num_ctx?: number } }

describe('UI: context in the chat (attachments, images, the meter)', function () {
  this.timeout(120_000);
  const ui = uiSuite({
    name: 'context',
    mocks: async () => ({ ollama: await startOllamaMock() }),
    workspaceSettings: '// The context UI suite sets the models in user settings.\n{}\n',
    files: {
      'src/retry.ts': RETRY_TS,
      // A JSON file with a syntax error: VS Code's own JSON support reports it in Problems.
      'broken.json': '{\n  "name": "demo",\n  "version": 1,,\n  "private": true\n}\n',
    },
    settings: ({ ollama }) => ({
      'anymodel.models': [
        // A small window, to see the meter warn; and a model that takes no images.
        { model_name: 'small', litellm_params: { model: 'ollama_chat/llama3.2', api_base: ollama.url }, model_info: { max_input_tokens: 600 } },
        { model_name: 'text-only', litellm_params: { model: 'ollama_chat/llama3.2', api_base: ollama.url }, model_info: { supports_vision: false } },
      ],
      'anymodel.defaultModel': LOCAL,
      'anymodel.ollamaBaseUrl': ollama.url,
      'workbench.colorTheme': 'Default Dark Modern',
    }),
    ready: async ({ wb }) => {
      // broken.json open first: the chat opens beside it, and it is the editor "Problems" means.
      await wb.page.keyboard.press('Control+P');
      await wb.quickInput().locator('input').waitFor({ state: 'visible', timeout: 10_000 });
      await wb.page.keyboard.type('broken.json', { delay: 20 });
      await wb.quickInputRows().filter({ hasText: 'broken.json' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await wb.page.keyboard.press('Enter');
      await wb.page.locator('.tab.active', { hasText: 'broken.json' }).waitFor({ state: 'visible', timeout: 20_000 });
      await wb.runCommand('AnyModel: Open Chat');
      const panel = await wb.readyChat(60_000);
      await panel.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { __csp: string[] }).__csp = seen;
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await panel.locator('.context-meter').waitFor({ state: 'visible', timeout: 30_000 });
    },
  });
  const { wb } = ui;
  const chat = (): Promise<Frame> => wb.chatFrame();
  const lastChat = (): RecordedRequest | undefined => ui.mocks.ollama.requests.filter((r) => r.url === '/api/chat').at(-1);
  const lastUser = () => (lastChat()?.body as OllamaBody | undefined)?.messages.filter((m) => m.role === 'user').at(-1);
  const answered = async (count: number) => {
    const panel = await chat();
    await panel.locator('article.message-assistant .message-footer').nth(count - 1).waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('article.message-assistant.streaming').waitFor({ state: 'detached', timeout: 30_000 });
  };
  const newChat = async () => {
    const panel = await chat();
    await panel.getByRole('button', { name: 'New chat' }).click();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
  };
  const pickModel = async (model: string) => {
    const panel = await chat();
    await panel.locator(`.model-select option[value="${model}"]`).waitFor({ state: 'attached', timeout: 20_000 });
    await panel.locator('.model-select').selectOption(model);
    // The meter follows the model the host now answers for.
    await panel.locator('.context-meter[title*="' + model + '"]').waitFor({ state: 'attached', timeout: 20_000 });
  };
  /** CSP violations the chat webview reported since it loaded (a listener the test installs). */
  const violations = async (): Promise<string[]> => (await chat()).evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? ['no listener']);

  it('a # mention completes the file name, attaches the file as a chip, and the model receives its content', async () => {
    const panel = await chat();
    await wb.typeInChat('Why #retr');
    const item = panel.locator('.mention-list .mention-item', { hasText: 'retry.ts' });
    await item.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await text(panel.locator('.mention-item.active .mention-dir')), 'src');
    await wb.screenshot('ui-50-mention-completion');
    await wb.page.keyboard.press('Enter');
    const chip = panel.locator('.composer-chips .chip', { hasText: 'src/retry.ts' });
    await chip.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await text(chip.locator('.chip-tokens')), /^~\d+ tokens$/);
    assert.equal(await panel.locator('textarea.composer-input').inputValue(), 'Why #src/retry.ts ', 'the mention stays in the text');
    await wb.page.keyboard.type('three tries?', { delay: 5 });
    await wb.screenshot('ui-51-file-chip');
    await wb.page.keyboard.press('Enter');
    await answered(1);
    const user = lastUser()!;
    assert.ok(user.content.includes('File `src/retry.ts`:'), user.content);
    assert.ok(user.content.includes(RETRY_TS.trim()), 'the file text reached the model');
    assert.ok(user.content.endsWith('Why #src/retry.ts three tries?'), 'then the question');
    assert.equal((lastChat()!.body as OllamaBody).options?.num_ctx, 4096, 'a num_ctx was sent, from /api/show');
    assert.equal(await panel.locator('.message-user .message-attachments .chip', { hasText: 'src/retry.ts' }).count(), 1, 'the thread shows what was attached');
    assert.equal(await panel.locator('.composer-chips .chip').count(), 0, 'the composer is empty again');
  });

  it('the attach button\'s picker attaches a workspace file', async () => {
    const panel = await chat();
    await newChat();
    await panel.locator('button.composer-attach').click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Attach to the Message' }).waitFor({ state: 'visible', timeout: 20_000 });
    await wb.screenshot('ui-52-attach-menu');
    await wb.clickQuickInputRow('Files…');
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Attach File' }).waitFor({ state: 'visible', timeout: 20_000 });
    await wb.page.keyboard.type('hello', { delay: 20 });
    // Enter takes the focused row: wait until the filter has put the focus on hello.ts.
    assert.equal(await wb.waitForFocusedQuickInputLabel('hello.ts', 20_000), 'hello.ts', 'the picker stayed open and found hello.ts');
    await wb.page.keyboard.press('Enter');
    await panel.locator('.composer-chips .chip', { hasText: 'hello.ts' }).waitFor({ state: 'visible', timeout: 20_000 });
    await wb.sendInChat('What does greet return?');
    await answered(1);
    assert.ok(lastUser()!.content.includes('export function greet(name: string): string {'), 'hello.ts reached the model');
  });

  it('the Problems of the open file attach from the menu and reach the model', async () => {
    const panel = await chat();
    await newChat();
    // VS Code's JSON support reports the error a moment after the file opened: reopen the menu
    // until its Problems row counts it (each round is a click and a wait for the menu).
    await waitFor(async () => {
      await panel.locator('button.composer-attach').click();
      await wb.quickInputTitle().filter({ hasText: 'AnyModel: Attach to the Message' }).waitFor({ state: 'visible', timeout: 20_000 });
      const row = wb.quickInputRows().filter({ hasText: 'Problems' }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      if (!/\b0 in broken\.json/.test(await row.innerText())) return true;
      await wb.closeQuickInput();
      return false;
    }, 'the Problems row to count the JSON error', 60_000);
    await wb.clickQuickInputRow('Problems');
    const chip = panel.locator('.composer-chips .chip-problems');
    await chip.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await text(chip.locator('.chip-name')), /^Problems in broken\.json \(\d+ errors?/);
    await wb.typeInChat('How do I fix these?');
    await wb.screenshot('ui-53-problems-chip');
    await wb.page.keyboard.press('Enter');
    await answered(1);
    const user = lastUser()!.content;
    assert.ok(user.includes('Problems VS Code reports in `broken.json`'), user);
    assert.match(user, /- broken\.json:3:\d+ error: /, 'the error on line 3, with its position');
  });

  it('a pasted screenshot becomes a thumbnail chip, reaches Ollama as an image, and shows in the thread', async () => {
    const panel = await chat();
    await newChat();
    const png = makePng(160, 90);
    await panel.locator('textarea.composer-input').click();
    await pasteImage(panel, png);
    const thumb = panel.locator('.composer-chips .chip-image img.chip-thumb');
    await thumb.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await thumb.getAttribute('src'), `data:image/png;base64,${png.toString('base64')}`, 'the host re-made the data: URL');
    await wb.typeInChat('What is in this screenshot?');
    await wb.screenshot('ui-54-image-chip');
    await wb.page.keyboard.press('Enter');
    await answered(1);
    const user = lastUser()!;
    assert.deepEqual(user.images, [png.toString('base64')], 'Ollama\'s format: bare base64 in images');
    assert.equal(user.content, 'What is in this screenshot?');
    const answer = panel.locator('article.message-assistant').last();
    assert.equal(await text(answer.locator('.message-body')), 'I see 1 image(s): image/png');
    const shown = panel.locator('.message-user .message-attachments img.chip-thumb');
    await shown.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await shown.evaluate((img) => (img as HTMLImageElement).naturalWidth), 160, 'the thumbnail loaded under the CSP');
    await wb.screenshot('ui-55-image-in-thread-dark');
    await wb.colorTheme('Light Modern');
    await wb.screenshot('ui-55-image-in-thread-light');
    await wb.colorTheme('Dark Modern');
  });

  it('a model without vision says so before sending, keeping the draft and the image', async () => {
    const panel = await chat();
    await newChat();
    await pickModel('text-only');
    await panel.locator('textarea.composer-input').click();
    await pasteImage(panel, makePng(64, 64));
    await panel.locator('.composer-chips .chip-image').waitFor({ state: 'visible', timeout: 20_000 });
    const before = ui.mocks.ollama.requests.filter((r) => r.url === '/api/chat').length;
    await wb.sendInChat('Describe the picture');
    const alert = panel.locator('.composer-alert');
    await alert.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await text(alert), /^text-only does not take images\. Remove the image, or pick a model that reads images\./);
    assert.equal(await panel.locator('textarea.composer-input').inputValue(), 'Describe the picture', 'the draft is still there');
    assert.equal(await panel.locator('.composer-chips .chip-image').count(), 1, 'the image is still there');
    assert.equal(ui.mocks.ollama.requests.filter((r) => r.url === '/api/chat').length, before, 'nothing was sent');
    await wb.screenshot('ui-56-no-vision');
    await panel.locator('.composer-chips .chip-remove').click();
    await panel.locator('.composer-chips .chip').waitFor({ state: 'detached', timeout: 10_000 });
    await panel.locator('textarea.composer-input').fill('');
  });

  it('the meter warns past 80 % of the window, and a send that would not fit offers a choice', async () => {
    const panel = await chat();
    await newChat();
    await pickModel('small');
    const meter = panel.locator('.context-meter');
    const input = panel.locator('textarea.composer-input');
    await input.fill('Summarise this: ' + 'lorem ipsum dolor '.repeat(110)); // ~2,000 characters, ~500 of 600 tokens
    await meter.and(panel.locator('.meter-warning')).waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await text(meter), /^\d{3} \/ 600 tokens \(\d{2} %\) · nearly full$/);
    assert.match(await meter.getAttribute('title') ?? '', /of the 600 tokens small holds .* The window is nearly full\.$/);
    await wb.screenshot('ui-57-meter-warning-dark');
    await wb.colorTheme('Light Modern');
    await wb.screenshot('ui-57-meter-warning-light');
    await wb.colorTheme('Dark Modern');
    await input.fill('Summarise this: ' + 'lorem ipsum dolor '.repeat(160));
    await meter.and(panel.locator('.meter-over')).waitFor({ state: 'visible', timeout: 10_000 });
    const before = ui.mocks.ollama.requests.filter((r) => r.url === '/api/chat').length;
    await input.press('Enter');
    const alert = panel.locator('.composer-alert');
    await alert.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await text(alert.locator('.composer-alert-text')), /do not fit the 600-token context window of small\. Choose what to do:$/);
    assert.deepEqual((await alert.locator('.composer-alert-actions button').allTextContents()).map((t) => t.trim()), ['Drop Oldest Turns and Send', 'Pick a Model with a Larger Window']);
    assert.ok((await input.inputValue()).startsWith('Summarise this: '), 'the draft stays');
    assert.equal(ui.mocks.ollama.requests.filter((r) => r.url === '/api/chat').length, before, 'no upstream error: nothing was sent');
    await wb.screenshot('ui-58-does-not-fit-dark');
    await wb.colorTheme('Light Modern');
    await wb.screenshot('ui-58-does-not-fit-light');
    await wb.colorTheme('Dark Modern');
    await alert.getByRole('button', { name: 'Pick a Model with a Larger Window' }).click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Models That Hold' }).waitFor({ state: 'visible', timeout: 20_000 });
    const labels = await wb.quickInputLabels();
    assert.ok(labels.includes(LOCAL) && !labels.includes('small'), `only larger windows: ${labels.join(', ')}`);
    await wb.clickQuickInputRow(LOCAL);
    await panel.locator('.context-meter[title*="' + LOCAL + '"]').waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await panel.locator('.model-select').inputValue(), LOCAL);
    await input.press('Enter');
    await answered(1);
    assert.ok(lastUser()!.content.startsWith('Summarise this: lorem'), 'sent in full to the larger model');
    assert.deepEqual(await violations(), [], 'no CSP violation in the webview');
  });
});

/** Pastes `png` into the focused composer as Ctrl+V of a screenshot does: a paste event carrying an image file. */
async function pasteImage(panel: Frame, png: Buffer): Promise<void> {
  await panel.locator('textarea.composer-input').evaluate((el, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
}

/** A real PNG (a window-like picture: title bar, two panes) so the thumbnail shows something. */
function makePng(width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const rgb = y < height / 8 ? [60, 60, 60] : x < width / 3 ? [37, 99, 235] : (y % 12 < 2 && x > width / 3 + 8) ? [220, 220, 220] : [30, 30, 30];
      raw.set(rgb, y * (width * 3 + 1) + 1 + x * 3);
    }
  }
  return encodePng(width, height, 'rgb', raw);
}

