/**
 * The chat panel in a real VS Code window, used the way a person uses it: a key typed into the
 * password box of "Set API Key", the chat opened from the palette, a question typed and sent with
 * Enter, the streamed answer read off the screen. Model output full of XSS payloads renders inert;
 * a model without its key shows the error with its actions, and "Pick Another Model" opens the
 * picker; a cloud outage is answered by the local Ollama model and labelled; a reload brings back
 * the conversation and the unsent draft.
 *
 * The providers are mocks on 127.0.0.1. The window opens a copy of the fixture workspace whose
 * .vscode/settings.json has no anymodel.models (a workspace value would shadow the user settings
 * this suite writes). Screenshots: test-results/screenshots/ui-1*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { startMockServer, type RecordedRequest, type Reply } from '../unit/helpers/mock-server';
import { startAnthropicMock } from '../unit/mocks/anthropic';
import { startOllamaMock } from '../unit/mocks/ollama';
import { error as openaiError, startOpenAIMock } from '../unit/mocks/openai';
import { openAIStreamOf } from './streams';
import { text, uiSuite } from './suite';
import type { Workbench } from './workbench';

const KEY = 'sk-ui-suite-7d41';
const LOCAL = 'ollama_chat/llama3.2:latest';

const streamOf = (text: string, size = 12, delayMs = 30): Reply => openAIStreamOf(text, { size, delayMs });

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

/** Model output that tries every way we know to run script or fetch something in the webview. */
function xssPayload(pixel: string): string {
  const mark = (how: string) => `window.__xss='${how}';alert('${how}')`;
  return [
    `<script>${mark('script')}</script>`,
    `<img src="${pixel}?raw-img" onerror="${mark('img')}">`,
    `<svg onload="${mark('svg')}"></svg> <details open ontoggle="${mark('details')}">toggle</details>`,
    `<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe> <style>body{display:none}</style>`,
    `[run me](javascript:${mark('link')}) [terminal](command:workbench.action.terminal.new) [page](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [obfuscated](jav&#x09;ascript:alert('entity'))`,
    `![tracker](${pixel}?md) ![ref][px]`,
    `[px]: ${pixel}?ref`,
    `<a href="https://example.com/raw" onmouseover="${mark('hover')}">hover me</a> and [docs](https://example.com/docs)`,
    'The end.',
  ].join('\n\n');
}

describe('UI: the chat panel in a real VS Code window', function () {
  this.timeout(60_000);
  const ui = uiSuite({
    name: 'chat',
    mocks: async () => {
      const [cloud, claude, ollama, pixel] = await Promise.all([
        startOpenAIMock({ apiKey: KEY }), startAnthropicMock(), startOllamaMock(),
        // A tracking pixel: any hit means the webview fetched a remote image.
        startMockServer(() => ({ kind: 'raw', contentType: 'image/png', pieces: [Buffer.from('89504e470d0a1a0a', 'hex')] })),
      ]);
      return { cloud, claude, ollama, pixel };
    },
    workspaceSettings: '// The chat UI suite sets the models in user settings; a workspace value would shadow them.\n{}\n',
    settings: ({ cloud, claude, ollama }) => ({
      'anymodel.models': [
        // Keys named: a default key goes to a custom api_base only when named or allowed.
        { model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${cloud.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } },
        { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: claude.url, api_key: 'os.environ/ANTHROPIC_API_KEY' } },
      ],
      'anymodel.defaultModel': 'cloud',
      'anymodel.ollamaBaseUrl': ollama.url,
      'anymodel.offlineRecheckSeconds': 1,
    }),
  });
  const { wb, dialogs } = ui;

  /** The cloud mock answers `reply` to a request carrying the stored key, and 401 like OpenAI otherwise. */
  const answerWith = (reply: (req: RecordedRequest) => Reply) => ui.mocks.cloud.handle((req) => req.headers.authorization === `Bearer ${KEY}`
    ? reply(req) : openaiError('openai', 401, 'Incorrect API key provided.', 'invalid_api_key'));
  const chat = (): Promise<Frame> => wb.chatFrame();
  const lastAnswer = async () => (await chat()).locator('article.message-assistant').last();

  it('stores the OpenAI key typed into the password box of "Set API Key", and not in settings', async () => {
    await wb.setApiKey('openai', KEY);
    const settings = fs.readFileSync(path.join(ui.userDataDir, 'User', 'settings.json'), 'utf8');
    assert.ok(!settings.includes(KEY), 'the key is not in settings.json');
  });

  it('"AnyModel: Open Chat" opens the panel with an empty state', async () => {
    await wb.runCommand('AnyModel: Open Chat');
    const panel = await wb.readyChat();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await text(panel.locator('.empty-state .empty-model')), 'cloud');
    assert.equal(await panel.locator('.model-select').inputValue(), 'cloud');
    assert.equal(await panel.locator('textarea.composer-input').inputValue(), '');
    assert.equal(await panel.locator('.message-list > *').count(), 0);
    await wb.screenshot('ui-10-chat-empty');
  });

  it('typing and Enter sends; the answer streams in with highlighted code, model, tokens and cost', async () => {
    answerWith(() => streamOf(ANSWER, 12, 40));
    const panel = await chat();
    await wb.sendInChat('How should a client back off on 429?');
    // While it streams, the stop button stands in for send.
    await panel.locator('article.message-assistant.streaming').waitFor({ state: 'attached', timeout: 10_000 });
    await panel.locator('button.composer-stop').waitFor({ state: 'visible', timeout: 5_000 });
    const answer = await lastAnswer();
    await answer.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await panel.locator('article.message-assistant.streaming').count(), 0, 'the answer finished');
    assert.ok(await panel.locator('button.composer-send').isVisible(), 'send is back');
    assert.equal(await text(panel.locator('.message-user .message-body').last()), 'How should a client back off on 429?');
    assert.equal(await text(answer.locator('h2')), 'Backing off');
    assert.equal(await text(answer.locator('p code').first()), 'Retry-After');
    assert.equal(await text(answer.locator('strong').first()), 'exponentially');
    assert.deepEqual(await answer.locator('li').allTextContents(), ['429 and 5xx are retried', '400 and 401 are not']);
    const block = answer.locator('.code-block');
    assert.equal(await block.getAttribute('data-lang'), 'ts');
    assert.equal(await text(block.locator('pre code')), ANSWER.split('```ts\n')[1]!.split('\n```')[0]);
    assert.ok(await block.locator('.hljs-keyword').count() >= 3, 'the code is highlighted');
    assert.deepEqual(await block.locator('[data-code-action]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
      ['Copy ts code', 'Insert ts code at cursor', 'Apply ts code to the editor (shows a diff)']);
    assert.equal(await text(answer.locator('.message-model')), 'cloud');
    assert.equal(await text(answer.locator('.message-footer')), '162 tokens (42 in, 120 out) · < $0.0001');
    const sent = ui.mocks.cloud.requests.at(-1)!;
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`, 'the key typed in the password box is used');
    assert.equal((sent.body as { model: string }).model, 'gpt-4o-mini');
    await wb.screenshot('ui-11-chat-streamed-answer');
  });

  it('renders XSS payloads in model output inert: no script runs, no request leaves, bad links are text', async () => {
    const panel = await chat();
    await panel.getByRole('button', { name: 'New chat' }).click();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
    const pixelUrl = `${ui.mocks.pixel.url}/pixel.png`;
    answerWith(() => streamOf(xssPayload(pixelUrl), 40, 10));
    await wb.sendInChat('Show me some HTML');
    const answer = await lastAnswer();
    await answer.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 20_000 });
    const body = answer.locator('.message-body');
    await body.getByText('The end.').waitFor({ state: 'visible', timeout: 5_000 });
    // What a curious person does: hover the link-looking text, click the blocked links.
    await body.getByText('hover me', { exact: false }).hover();
    await body.getByText('run me', { exact: true }).click();
    await body.getByText('terminal', { exact: true }).click();
    await wb.page.waitForTimeout(500);

    const dom = await body.evaluate((el) => ({
      active: el.querySelectorAll('script, iframe, object, embed, style, img, form, details, svg:not(.icon)').length,
      withSource: el.querySelectorAll('[src], [srcdoc], [srcset]').length,
      handlers: [...el.querySelectorAll('*')].flatMap((n) => [...n.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
      hrefs: [...el.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      blocked: [...el.querySelectorAll('.blocked-link')].map((s) => s.textContent),
      text: el.textContent ?? '',
    }));
    assert.equal(dom.active, 0, 'no script, frame, style or image element');
    assert.equal(dom.withSource, 0, 'nothing with a src');
    assert.deepEqual(dom.handlers, [], 'no event handler attributes');
    assert.deepEqual(dom.hrefs, ['https://example.com/docs'], 'only the markdown web link is a link');
    for (const text of ['run me', 'terminal', 'page']) assert.ok(dom.blocked.includes(text), `${text} is text, not a link (blocked: ${dom.blocked.join(', ')})`);
    assert.ok(dom.text.includes('<script>') && dom.text.includes('onerror='), 'raw HTML is shown as text');
    assert.equal(await body.locator('.image-placeholder').count(), 2, 'images are placeholders');
    for (const frame of wb.page.frames()) {
      const marker = await frame.evaluate(() => (window as unknown as { __xss?: string }).__xss).catch(() => undefined);
      assert.equal(marker, undefined, `a payload ran in ${frame.url().slice(0, 80)}`);
    }
    assert.deepEqual(dialogs, [], 'no alert opened');
    assert.equal(ui.mocks.pixel.requests.length, 0, 'no request reached the pixel listener');
    assert.equal(await wb.dialog().count(), 0, 'a blocked link asks nothing');
    await answer.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await wb.screenshot('ui-12-chat-xss-inert');

    // A web link goes through the extension, which asks before opening; Cancel leaves it closed.
    await body.getByRole('link', { name: 'docs' }).click();
    await wb.dialog().filter({ hasText: 'https://example.com/docs' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.dialog().getByRole('button', { name: 'Cancel' }).click();
    await wb.dialog().waitFor({ state: 'hidden', timeout: 5_000 });
  });

  it('a model without its key shows the error with actions; "Pick Another Model" opens the grouped picker', async () => {
    const panel = await chat();
    await panel.locator('.model-select').selectOption('claude');
    await wb.modelStatusItem().filter({ hasText: 'claude' }).waitFor({ timeout: 10_000 });
    await wb.sendInChat('Hello Claude?');
    const error = panel.locator('.message-error').last();
    await error.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await error.getAttribute('data-error-kind'), 'Authentication');
    assert.match(await text(error.locator('.message-error-text')), /^No API key for anthropic \(claude\)\. Set one with "AnyModel: Set API Key", or pick another model\./);
    assert.deepEqual((await error.locator('button').allTextContents()).map((b) => b.trim()), ['Set API Key', 'Pick Another Model']);
    assert.equal(ui.mocks.claude.requests.length, 0, 'nothing was sent without a key');
    assert.ok(await panel.locator('button.composer-send').isVisible(), 'the panel is ready for the next message');
    await wb.screenshot('ui-13-chat-error-action');

    await error.getByRole('button', { name: 'Pick Another Model' }).click();
    await wb.quickInputTitle().filter({ hasText: 'AnyModel: Pick Model' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.quickInputRows().filter({ hasText: LOCAL }).first().waitFor({ state: 'visible', timeout: 10_000 });
    // A row's separator element stays in it, hidden and with the text it had, when the list
    // reuses the row: only a shown separator names a group.
    const rows = await wb.quickInputRows().evaluateAll((els) => els.map((el) => {
      const separator = el.querySelector('.quick-input-list-separator');
      return {
        label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
        group: separator?.checkVisibility() ? separator.textContent?.trim() ?? '' : '',
        text: (el as HTMLElement).innerText.replace(/\s+/g, ' '),
      };
    }));
    const row = (label: string) => rows.find((r) => r.label === label) ?? assert.fail(`no ${label} row in ${JSON.stringify(rows)}`);
    assert.deepEqual(rows.map((r) => r.group).filter(Boolean), ['anthropic', 'ollama_chat', 'openai'], `grouped by provider: ${JSON.stringify(rows)}`);
    assert.match(row('claude').text, /cloud · 200K context · \$3 \/ \$15 per M tokens.*no API key stored for anthropic/);
    assert.match(row(LOCAL).text, /local · free/);
    assert.match(row('cloud').text, /cloud · 128K context · \$0\.15 \/ \$0\.60 per M tokens/);
    assert.equal(await wb.focusedQuickInputLabel(), 'claude', 'the picker opens on the current model');
    await wb.screenshot('ui-14-model-picker');
    await wb.clickQuickInputRow('cloud');
    await wb.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
    await wb.modelStatusItem().filter({ hasText: 'cloud' }).waitFor({ timeout: 10_000 });
    assert.equal(await waitForValue(() => panel.locator('.model-select').inputValue(), 'cloud'), 'cloud', 'the panel follows the pick');
  });

  it('when the cloud drops connections, the local model answers, labelled, with the offline notice', async () => {
    ui.mocks.cloud.handle(() => ({ kind: 'drop' }));
    const panel = await chat();
    await wb.sendInChat('Anyone home?');
    await panel.locator('.notice-offline').last().waitFor({ state: 'visible', timeout: 30_000 });
    const answer = await lastAnswer();
    await answer.getByText('Hello from ollama: Anyone home?').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text(answer.locator('.message-model')), LOCAL);
    assert.equal(await text(answer.locator('.badge-fallback')), 'fallback for cloud');
    assert.match(await text(panel.locator('.notice-offline').last()), new RegExp(`^cloud is unreachable \\(.*\\)\\. Answering with ${LOCAL} until it is back\\.$`));
    assert.equal(await text(panel.locator('.badge-offline')), `offline: ${LOCAL}`);
    await wb.modelStatusItem().filter({ hasText: 'offline' }).waitFor({ timeout: 10_000 });
    assert.equal(await wb.modelStatusText(), `${LOCAL} · offline`);
    assert.ok(ui.mocks.ollama.requests.some((r) => r.url === '/api/chat'), 'Ollama answered');
    await wb.screenshot('ui-15-offline-notice');

    // The cloud comes back: the recheck notices, the status bar and the panel say so, and the next
    // message goes to the cloud again.
    answerWith(() => streamOf('Back online.', 6, 10));
    await wb.modelStatusItem().filter({ hasNotText: 'offline' }).waitFor({ timeout: 20_000 });
    assert.equal(await wb.modelStatusText(), 'cloud');
    await panel.locator('.notice', { hasText: 'cloud is reachable again' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await panel.locator('.badge-offline').isHidden());
    await wb.sendInChat('And now?');
    const back = await lastAnswer();
    await back.getByText('Back online.').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await text(back.locator('.message-model')), 'cloud');
    assert.equal(await back.locator('.badge-fallback').count(), 0);
    await back.locator('.message-footer', { hasText: 'tokens' }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('ui-16-back-online');
  });

  it('a reload brings back the conversation and the unsent draft', async function () {
    // A reload restarts the workbench and the extension host: on a loaded 2-core machine the new
    // extension host has been seen to start 70 s after the old one stopped.
    this.timeout(360_000);
    // Its own conversation on the local model (no key, no cloud handler), so it passes alone or
    // after the others, whatever they sent.
    const spoken = (list: Awaited<ReturnType<Workbench['chatMessages']>>) => list.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => `${m.role}: ${m.text}`);
    await wb.runCommand('AnyModel: Open Chat');
    const panel = await wb.readyChat();
    await panel.getByRole('button', { name: 'New chat' }).click();
    await panel.locator('.empty-state').waitFor({ state: 'visible', timeout: 10_000 });
    await panel.locator(`.model-select option[value="${LOCAL}"]`).waitFor({ state: 'attached', timeout: 20_000 });
    await panel.locator('.model-select').selectOption(LOCAL);
    await wb.sendInChat('Will this survive a reload?');
    await (await lastAnswer()).getByText('Hello from ollama: Will this survive a reload?').waitFor({ state: 'visible', timeout: 20_000 });
    await panel.locator('article.message-assistant.streaming').waitFor({ state: 'detached', timeout: 20_000 });
    const before = spoken(await wb.chatMessages());
    assert.deepEqual(before, ['user: Will this survive a reload?', 'assistant: Hello from ollama: Will this survive a reload?']);
    // Earlier conversations (none when this test runs alone); the placeholder of the new one is not one.
    const historyBefore = await panel.locator('.history-select option:not([disabled])').allTextContents();
    await wb.typeInChat('A draft I have not sent yet');
    // Leaving the input (F1 opens the palette) posts the draft at once; the debounce is for typing.
    await wb.reloadWindow();
    const revived = await wb.readyChat(150_000);
    await revived.locator('.message-user').first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.deepEqual(spoken(await wb.chatMessages()), before, 'the same messages, in order');
    assert.equal(await revived.locator('textarea.composer-input').inputValue(), 'A draft I have not sent yet');
    const historyAfter = await revived.locator('.history-select option:not([disabled])').allTextContents();
    assert.deepEqual(historyAfter.filter((t) => t !== 'Will this survive a reload?').sort(), historyBefore.sort(), 'the earlier conversations are still listed');
    assert.ok(historyAfter.includes('Will this survive a reload?'), `this conversation is listed: ${historyAfter.join(' | ')}`);
    const active = await revived.locator('.history-select').inputValue();
    assert.equal(await text(revived.locator(`.history-select option[value="${active}"]`)), 'Will this survive a reload?', 'the conversation of before is the active one');
    await wb.screenshot('ui-17-chat-after-reload');
  });
});

/** Polls `read` until it returns `want` (5 s at most) and returns the last value read. */
async function waitForValue<T>(read: () => Promise<T>, want: T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}
