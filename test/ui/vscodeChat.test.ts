/**
 * AnyModel's models in VS Code's own Chat view, in a real VS Code window, the way a person gets
 * there: the key typed into "Set API Key", then "AnyModel: Use AnyModel Models in VS Code Chat",
 * which runs VS Code's "Chat: Manage Language Models" (listing AnyModel's models with their
 * capabilities) and opens the Chat view; a question typed there is answered by the mock through
 * AnyModel, and the AnyModel log shows the request with its cost.
 *
 * The harness turns VS Code's AI chat off for every other suite (scripts/vscode/server.ts); this
 * suite's server turns it on. The provider is a mock on 127.0.0.1. Screenshots:
 * test-results/screenshots/ui-2*.png.
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { Reply } from '../unit/helpers/mock-server';
import { startOllamaMock } from '../unit/mocks/ollama';
import { error as openaiError, startOpenAIMock } from '../unit/mocks/openai';
import { openAIStreamOf } from './streams';
import { uiSuite } from './suite';

const KEY = 'sk-ui-vscode-chat-5e2a';
const ANSWER = 'Exponential backoff with jitter: wait 250 ms × 2^attempt, capped at 30 s, and honour Retry-After first.';

const streamOf = (text: string, size = 16, delayMs = 30): Reply => openAIStreamOf(text, { size, delayMs, usage: { prompt_tokens: 1200, completion_tokens: 30 } });

interface SentBody { model: string; messages: { role: string; content: unknown }[]; tools?: unknown[] }

describe('UI: AnyModel models in VS Code\'s own Chat view', function () {
  this.timeout(120_000);
  const ui = uiSuite({
    name: 'vscode-chat',
    mocks: async () => {
      const [cloud, ollama] = await Promise.all([startOpenAIMock({ apiKey: KEY }), startOllamaMock({ models: [] })]);
      // Whatever VS Code's chat sends (Agent mode offers tools), the mock answers with text when the key is right.
      cloud.handle((req) => req.headers.authorization === `Bearer ${KEY}` ? streamOf(ANSWER) : openaiError('openai', 401, 'Incorrect API key provided.', 'invalid_api_key'));
      return { cloud, ollama };
    },
    workspaceSettings: '// Models come from user settings in this suite.\n{}\n',
    settings: ({ cloud, ollama }) => ({
      // On for this suite only: VS Code's Chat view is what it tests.
      'chat.disableAIFeatures': false,
      'anymodel.models': [{ model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${cloud.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } }],
      'anymodel.defaultModel': 'cloud',
      'anymodel.ollamaBaseUrl': ollama.url,
    }),
  });
  const { wb, dialogs } = ui;
  let signInAsked = false;
  const chatView = (): Locator => wb.page.locator('.interactive-session').first();
  const chatInput = (): Locator => wb.page.locator('.interactive-input-part .monaco-editor').first();
  /** The rows of VS Code's "Language Models" editor (a table with a capabilities column). */
  const modelRows = (): Locator => wb.page.locator('.monaco-list-row').filter({ has: wb.page.locator('.model-capability-column') });

  it('"Use AnyModel Models in VS Code Chat" lists the models in "Manage Language Models" with their capabilities', async () => {
    await wb.setApiKey('openai', KEY);
    await wb.runCommand('AnyModel: Use AnyModel Models in VS Code Chat');
    const row = modelRows().filter({ hasText: 'cloud' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    assert.deepEqual((await row.locator('.model-capability').allTextContents()).map((t) => t.trim()), ['Tools', 'Vision']);
    assert.match(await row.innerText(), /128K/, 'the context window from the price catalog');
    await wb.screenshot('ui-20-vscode-chat-manage-models');
    await wb.page.getByRole('button', { name: /^Close Modal Editor/ }).click();
    await row.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('the Chat view has the AnyModel model picked; a question is answered by the mock through AnyModel', async () => {
    await chatView().waitFor({ state: 'visible', timeout: 30_000 });
    const picker = wb.page.locator('.interactive-input-part .model-picker-item .chat-input-picker-label').first();
    await picker.filter({ hasText: 'cloud' }).waitFor({ state: 'visible', timeout: 30_000 });
    const question = 'How should a client back off on 429?';
    const ask = async () => {
      await chatInput().click();
      await wb.page.keyboard.type(question, { delay: 10 });
      await wb.page.keyboard.press('Enter');
    };
    await ask();
    // The whole answer, streamed in pieces: its last words are there once the stream ended.
    const answer = wb.page.locator('.monaco-list-row.response .rendered-markdown').filter({ hasText: 'Retry-After first.' }).last();
    const signIn = wb.dialog().filter({ hasText: 'Sign in to use GitHub Copilot' });
    // VS Code 1.139 may still ask a fresh profile to sign in on its first prompt when the models come
    // from an extension's vendor rather than its own model configuration: a person closes the
    // dialog (no sign-in) and asks again; the answer then comes from AnyModel all the same.
    const first = await Promise.race([
      answer.waitFor({ state: 'visible', timeout: 60_000 }).then(() => 'answer' as const),
      signIn.waitFor({ state: 'visible', timeout: 60_000 }).then(() => 'sign-in' as const),
    ]);
    if (first === 'sign-in') {
      signInAsked = true;
      await wb.screenshot('ui-24-vscode-chat-sign-in-dialog');
      await signIn.getByRole('button', { name: /close/i }).first().click();
      await signIn.waitFor({ state: 'hidden', timeout: 10_000 });
      await ask();
      await answer.waitFor({ state: 'visible', timeout: 60_000 });
    }
    assert.equal((await answer.innerText()).trim(), ANSWER);
    await wb.page.locator('.monaco-list-row.response .chat-response-model-details').filter({ hasText: 'cloud' }).first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.deepEqual(dialogs, [], 'no browser dialog');
    assert.equal(await signIn.count(), 0, 'no sign-in dialog left open');
    console.log(`      sign-in dialog on the first prompt: ${signInAsked ? 'yes, closed without signing in' : 'no'}`);
    const sent = ui.mocks.cloud.requests.map((r) => r.body as SentBody).filter((b) => JSON.stringify(b.messages).includes(question)).at(-1);
    assert.ok(sent, 'the question reached the provider');
    assert.equal(sent.model, 'gpt-4o-mini');
    assert.ok((sent.tools?.length ?? 0) > 0, 'Agent mode offered VS Code\'s tools: the model declares tool calling');
    await wb.screenshot('ui-21-vscode-chat-answer-light');
  });

  it('looks right in a dark theme too', async () => {
    await wb.colorTheme('Dark 2026');
    await wb.page.locator('.monaco-list-row.response .rendered-markdown').filter({ hasText: 'Exponential backoff' }).last().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('ui-22-vscode-chat-answer-dark');
  });

  it('the AnyModel log has the request with its tokens and cost', async () => {
    await wb.runCommand('AnyModel: Show Log');
    const view = wb.page.locator('.part.panel .view-lines').first();
    await view.filter({ hasText: 'request cloud →' }).waitFor({ state: 'visible', timeout: 30_000 });
    // The output view wraps long lines into several .view-line rows: read them as one text.
    // Monaco reuses line elements, so put them in screen order (their `top`) first.
    const rows = await view.locator('.view-line').evaluateAll((els) => els.map((el) => [parseFloat((el as HTMLElement).style.top) || 0, el.textContent ?? ''] as const));
    const text = rows.sort((a, b) => a[0] - b[0]).map(([, t]) => t).join('').replace(/\u00a0/g, ' ');
    assert.match(text, /request cloud → openai\/gpt-4o-mini@127\.0\.0\.1:\d+ · 1200 in \/ 30 out tokens · \$0\.000\d+ · \d+ ms/);
    await wb.screenshot('ui-23-vscode-chat-log-cost');
  });
});
