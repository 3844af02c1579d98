/**
 * A 2,000-message conversation (5 MB of text) in a real VS Code window: it opens at its newest
 * messages, scrolling up brings its older pages in from the extension, and the page keeps a
 * bounded run of messages (src/webview/window.ts), laid out one after another with no gap and no
 * overlap, in the middle of the conversation as at its end. Scrolling back down brings the newest
 * messages back. The conversation is in the extension's store before the window opens, as one a
 * user kept would be. Screenshots: test-results/screenshots/ui-69-long-thread-middle.png, and a
 * restored answer's highlighted code in the dark and the light theme, ui-69b-long-thread-code-dark.png
 * and ui-69c-long-thread-code-light.png.
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { ChatMessage } from '../../src/shared/protocol';
import { MAX_ATTACHED } from '../../src/webview/window';
import { waitFor } from '../unit/helpers/wait';
import { uiSuite } from './suite';

const MESSAGES = 2_000;
const ANSWER_CHARS = 5_000;

/** An answer of about ANSWER_CHARS characters: prose, a list, code blocks in a few languages. */
function answer(i: number): string {
  const parts = [`Answer ${i}: the router skips deployments in **cooldown** and picks by \`weight\` among the rest.`];
  for (let k = 0; parts.join('\n\n').length < ANSWER_CHARS; k++) {
    if (k % 4 === 1) parts.push(`\`\`\`ts\nexport function backoff${i}_${k}(attempt: number): number {\n  return Math.min(30_000, 250 * 2 ** attempt);\n}\n\`\`\``);
    else if (k % 4 === 3) parts.push(`- deployment ${k} cools down for \`cooldown_time\`\n- the next one is picked by \`weight\``);
    else parts.push(`A request that fails with a *retryable* status moves on to the next deployment after \`num_retries\` (${i}.${k}), honouring \`Retry-After\`; a stream that already started is never retried.`);
  }
  return parts.join('\n\n');
}

function conversation(): ChatMessage[] {
  return Array.from({ length: MESSAGES }, (_, i): ChatMessage => (i % 2 === 0
    ? { id: `m${i}`, role: 'user', text: `Question ${i}: how are retries and fallbacks ordered?` }
    : { id: `m${i}`, role: 'assistant', text: answer(i), model: 'plain', finishReason: 'stop', cost: 0.0012, usage: { inputTokens: 800, outputTokens: 1200, totalTokens: 2000 } }));
}

describe('UI: a 2,000-message conversation in a real VS Code window', function () {
  this.timeout(120_000);
  let chat: Frame;
  const updatedAt = Date.now();
  // The store's files (src/extension/chat/store.ts), where the extension's global storage is.
  const store = 'User/globalStorage/anymodel.anymodel/conversations';
  const { wb } = uiSuite({
    name: 'long-thread',
    workspaceSettings: '{}\n',
    userFiles: () => ({
      [`${store}/long.json`]: JSON.stringify({ id: 'long', title: 'A long conversation', updatedAt, messages: conversation() }),
      [`${store}/index.json`]: JSON.stringify({ conversations: [{ id: 'long', title: 'A long conversation', updatedAt }], activeId: 'long' }),
    }),
    settings: () => ({
      // Nothing is asked of a model here; the address is one nothing listens on.
      'anymodel.models': [{ model_name: 'plain', litellm_params: { model: 'hosted_vllm/llama-3.1-8b', api_base: 'http://127.0.0.1:9/v1' } }],
      'anymodel.defaultModel': 'plain',
      'anymodel.ollamaBaseUrl': 'http://127.0.0.1:9',
      'workbench.colorTheme': 'Default Dark Modern',
    }),
    ready: async () => {
      await wb.runCommand('AnyModel: Open Chat');
      chat = await wb.readyChat();
    },
  });

  /** The ids of the messages in the page, top to bottom. */
  const shown = (): Promise<string[]> => chat.locator('.message-list').evaluate((list) => [...list.querySelectorAll(':scope > article.message')].map((el) => el.getAttribute('data-message-id') ?? ''));
  const scrollThread = (to: 'top' | 'bottom' | 'middle'): Promise<void> => chat.locator('main.thread').evaluate((thread, where) => {
    thread.scrollTop = where === 'top' ? 0 : where === 'bottom' ? thread.scrollHeight : Math.round((thread.scrollHeight - thread.clientHeight) / 2);
  }, to);
  const assertRun = async (what: string): Promise<string[]> => {
    const ids = await shown();
    assert.ok(ids.length > 0 && ids.length <= MAX_ATTACHED, `${what}: ${ids.length} messages in the page, at most ${MAX_ATTACHED}`);
    const first = Number(ids[0]!.slice(1));
    assert.deepEqual(ids, ids.map((_, k) => `m${first + k}`), `${what}: a contiguous run of the conversation, in order, none twice`);
    return ids;
  };

  it('opens at the newest messages, brings older pages in while scrolling up, and keeps a bounded run in the page', async () => {
    await chat.locator(`article[data-message-id="m${MESSAGES - 1}"] .message-body .md-block`).first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal((await shown()).at(-1), `m${MESSAGES - 1}`);
    // Up to the top, and again as each page comes in, until ten pages (500 messages) are in.
    await waitFor(async () => {
      await scrollThread('top');
      const ids = await shown();
      return Number(ids[0]!.slice(1)) <= MESSAGES - 500 ? ids : undefined;
    }, 'ten older pages', 60_000);
    const ids = await assertRun('after ten pages');
    assert.ok(!ids.includes(`m${MESSAGES - 1}`), 'the newest message went out of the page');
  });

  it('shows the middle of the run laid out message after message: no gap, no overlap', async () => {
    await scrollThread('middle');
    // A question in the middle of the run at the middle of the screen: the picture shows where
    // one answer ends and the next turn begins.
    const ids = await shown();
    const middle = ids.slice(ids.length >> 1).find((id) => Number(id.slice(1)) % 2 === 0)!;
    await chat.locator(`article[data-message-id="${middle}"]`).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    // Until the answers on screen have their markdown (each renders as it nears the screen).
    await waitFor(() => chat.locator('main.thread').evaluate((thread) => {
      const view = thread.getBoundingClientRect();
      const onScreen = [...thread.querySelectorAll('article.message')].filter((el) => { const r = el.getBoundingClientRect(); return r.bottom > view.top && r.top < view.bottom; });
      return onScreen.length > 0 && onScreen.every((el) => !el.querySelector('.md-deferred'));
    }), 'rendered answers on screen', 30_000);
    await wb.screenshot('ui-69-long-thread-middle');
    const boxes = await chat.locator('.message-list').evaluate((list) => [...list.querySelectorAll(':scope > article.message')].map((el) => { const r = el.getBoundingClientRect(); return { id: el.getAttribute('data-message-id'), top: r.top, bottom: r.bottom }; }));
    for (let k = 1; k < boxes.length; k++) {
      const gap = boxes[k]!.top - boxes[k - 1]!.bottom;
      assert.ok(gap >= -0.5, `${boxes[k]!.id} overlaps ${boxes[k - 1]!.id} by ${-gap} px`);
      assert.ok(gap <= 16, `a gap of ${gap} px between ${boxes[k - 1]!.id} and ${boxes[k]!.id}`);
    }
    await assertRun('in the middle');
  });

  it('brings the newest messages back when the reader scrolls down to the end', async () => {
    await waitFor(async () => {
      await scrollThread('bottom');
      return (await shown()).at(-1) === `m${MESSAGES - 1}`;
    }, 'the end of the conversation back', 60_000);
    await assertRun('back at the end');
    assert.ok(await chat.locator(`article[data-message-id="m${MESSAGES - 1}"] .md-block`).count() > 0, 'its markdown kept');
  });

  it('colours a restored answer\'s code (highlighted after its markdown, src/webview/deferred.ts), in a dark and a light theme', async () => {
    const block = chat.locator(`article[data-message-id="m${MESSAGES - 3}"] .code-block`).first();
    await block.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await block.locator('span.hljs-keyword').first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await chat.locator('.code-unhighlighted').count(), 0, 'no code block on screen left plain');
    assert.match(await block.locator('pre code').innerText(), /^export function backoff\d+_1\(attempt: number\): number \{/, 'the code as written');
    const keywordColour = () => block.locator('span.hljs-keyword').first().evaluate((el) => getComputedStyle(el).color);
    const textColour = () => block.locator('pre code').evaluate((el) => getComputedStyle(el).color);
    const dark = { keyword: await keywordColour(), text: await textColour() };
    assert.notEqual(dark.keyword, dark.text, 'keywords coloured apart from the code\'s text');
    await wb.screenshot('ui-69b-long-thread-code-dark');
    // The chat's text colour follows the theme (its background is the workbench's, seen through).
    const foreground = () => chat.locator('body').evaluate((el) => getComputedStyle(el).color);
    const darkForeground = await foreground();
    await wb.colorTheme('Light Modern');
    await chat.locator('body.vscode-light').waitFor({ state: 'attached', timeout: 30_000 });
    await waitFor(async () => (await keywordColour()) !== dark.keyword && (await foreground()) !== darkForeground, 'the light theme\'s colours in the chat', 30_000);
    const light = { keyword: await keywordColour(), text: await textColour() };
    assert.notEqual(light.keyword, light.text);
    // VS Code's default webview styles give every <code> the inline-code background: inside a
    // block it painted a band behind each line (media/chat.css takes it off there, not inline).
    const background = (selector: string) => chat.locator(`article[data-message-id="m${MESSAGES - 3}"] ${selector}`).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(await background('.code-block pre code'), 'rgba(0, 0, 0, 0)', 'no background behind a code block\'s lines');
    assert.notEqual(await background('p code'), 'rgba(0, 0, 0, 0)', 'inline code keeps its background');
    await wb.screenshot('ui-69c-long-thread-code-light');
    await wb.colorTheme('Dark Modern');
    await chat.locator('body.vscode-dark').waitFor({ state: 'attached', timeout: 30_000 });
  });
});
