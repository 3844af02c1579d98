/**
 * A long conversation keeps a bounded part of itself in the page (src/webview/window.ts), in the
 * webview (jsdom): as older pages come in above, the messages far below go out of the page; scrolling
 * back down puts them back, in order, without asking the host again; an answer being streamed
 * into never goes out; a new message brings the end of the conversation back. No message is ever
 * lost or shown twice. jsdom has no layout, so the thread's heights are a stand-in: 100 px per
 * message in the page, a 500 px viewport, and Chromium's scroll anchoring (the message at the
 * top of the viewport stays where it is on screen when messages go in or out elsewhere, except
 * at scroll offset 0).
 */
import assert from 'node:assert/strict';
import type { HostMessage } from '../../../src/shared/protocol';
import { ChatApp } from '../../../src/webview/app';
import { MAX_ATTACHED } from '../../../src/webview/window';
import { FakeVsCode, ManualFrames, useDom } from './dom-env';
import { longState, range, settleFrames, shownIds } from './long-thread';
import { waitFor } from '../helpers/wait';

const ROW_PX = 100;
const VIEW_PX = 500;
const TOTAL = 1000;
const ids = (from: number, to: number): string[] => range(from, to).map((m) => m.id);
const STATE = longState(TOTAL - 50, TOTAL);

describe('chat webview: a long conversation keeps a bounded part of itself in the page', () => {
  const env = useDom();
  let vscode: FakeVsCode;
  let frames: ManualFrames;
  let app: ChatApp;
  let root: HTMLElement;
  let thread: HTMLElement;
  /** The stand-in scroll position, and the message at the top of the viewport that anchoring keeps in place. */
  let position = 0;
  let anchor: { id: string; offset: number } | undefined;
  const deliver = (m: HostMessage): void => { window.dispatchEvent(new env.window.MessageEvent('message', { data: m })); };
  const shown = (): string[] => shownIds(root);
  const settle = (): void => settleFrames(frames);
  const requests = () => vscode.ofType('loadOlder');
  const maxTop = () => Math.max(0, shown().length * ROW_PX - VIEW_PX);

  /** Chromium's anchoring: the anchor message stays at its offset from the viewport's top (not at offset 0). */
  const reanchor = (): void => {
    if (!anchor || position === 0) return;
    const index = shown().indexOf(anchor.id);
    if (index >= 0) position = Math.min(index * ROW_PX + anchor.offset, maxTop());
  };
  const place = (top: number): void => {
    position = Math.max(0, Math.min(top, maxTop()));
    const id = shown()[Math.floor(position / ROW_PX)];
    anchor = id ? { id, offset: position % ROW_PX } : undefined;
  };
  const scrollTo = (top: number): void => { reanchor(); place(top); thread.dispatchEvent(new env.window.Event('scroll')); };
  /** The message at the top of the viewport. */
  const looking = (): string | undefined => { reanchor(); return shown()[Math.floor(position / ROW_PX)]; };

  /** Every message in the page exactly once, a contiguous run of the conversation in its order (the streaming one may follow). */
  const assertRun = (what: string, streaming?: string): void => {
    const list = shown().filter((id) => id !== streaming);
    assert.equal(new Set(shown()).size, shown().length, `${what}: no message twice`);
    const first = Number(list[0]!.slice(1));
    assert.deepEqual(list, ids(first, first + list.length), `${what}: a contiguous run in order`);
    assert.ok(list.length <= MAX_ATTACHED, `${what}: at most ${MAX_ATTACHED} in the page (${list.length})`);
    if (streaming) assert.equal(shown().at(-1), streaming, `${what}: the streaming answer at the end`);
  };

  /** Scrolls to the top and answers the page request, `pages` times. */
  async function loadPages(pages: number): Promise<void> {
    for (let p = 0; p < pages; p++) {
      const asked = requests().length;
      scrollTo(0);
      settle();
      await waitFor(() => requests().length === asked + 1, 'a page request');
      const request = requests().at(-1)!;
      const end = Number(request.beforeMessageId.slice(1));
      const start = Math.max(0, end - 50);
      const before = looking();
      deliver({ type: 'olderPage', inReplyTo: request.requestId, conversationId: 'c1', beforeMessageId: request.beforeMessageId, messages: range(start, end), olderMessages: start });
      await waitFor(() => shown().includes(`m${start}`), `the page from m${start}`);
      assert.equal(looking(), before, 'the message the reader looked at stays at the top of the viewport');
      settle();
    }
  }

  beforeEach(async () => {
    root = document.createElement('div');
    document.body.replaceChildren(root);
    vscode = new FakeVsCode();
    frames = new ManualFrames();
    app = new ChatApp(root, vscode, { scheduler: frames, replyTimeoutMs: 2000 });
    thread = root.querySelector('main.thread')!;
    position = 0;
    anchor = undefined;
    Object.defineProperty(thread, 'scrollHeight', { configurable: true, get: () => shown().length * ROW_PX });
    Object.defineProperty(thread, 'clientHeight', { configurable: true, get: () => VIEW_PX });
    Object.defineProperty(thread, 'scrollTop', { configurable: true, get: () => { reanchor(); return position; }, set: (v: number) => { reanchor(); place(v); } });
    app.start();
    const ready = vscode.posted[0]!;
    deliver({ ...STATE, inReplyTo: ready.type === 'ready' ? ready.requestId : '' });
    await waitFor(() => root.getAttribute('aria-busy') === 'false', 'the restored state');
    settle();
  });
  afterEach(() => app.dispose());

  it('takes the messages far below out of the page as older pages come in above', async () => {
    assert.deepEqual(shown(), ids(TOTAL - 50, TOTAL));
    await loadPages(4);
    assert.equal(shown()[0], `m${TOTAL - 250}`, 'the oldest page is at the top');
    assert.equal(shown().length, MAX_ATTACHED);
    assert.equal(root.querySelector(`[data-message-id="m${TOTAL - 1}"]`), null, 'the newest message is out of the page');
    assertRun('after four pages');
  });

  it('puts them back in order when the reader scrolls down, without asking the host again', async () => {
    await loadPages(4);
    assert.equal(root.querySelector(`[data-message-id="m${TOTAL - 1}"]`), null, 'the end is out of the page before scrolling down');
    const asked = requests().length;
    const seen = new Set(shown());
    for (let i = 0; i < 40 && shown().at(-1) !== `m${TOTAL - 1}`; i++) {
      scrollTo(maxTop());
      settle();
      assertRun(`scrolling down, step ${i}`);
      for (const id of shown()) seen.add(id);
    }
    assert.equal(shown().at(-1), `m${TOTAL - 1}`, 'the end of the conversation is back');
    assert.deepEqual([...seen].sort(), ids(TOTAL - 250, TOTAL).sort(), 'every message loaded was shown on the way down');
    assert.equal(requests().length, asked, 'nothing asked of the host: the webview had them');
    assert.equal(root.querySelector(`[data-message-id="m${TOTAL - 1}"] strong`)?.textContent, String(TOTAL - 1), 'markdown kept');
    // And up again: the top comes back from the webview too, before any new page is asked for.
    for (let i = 0; i < 40 && shown()[0] !== `m${TOTAL - 250}`; i++) {
      scrollTo(0);
      settle();
      assertRun(`scrolling up, step ${i}`);
    }
    assert.equal(shown()[0], `m${TOTAL - 250}`);
    assert.equal(requests().length, asked, 'still nothing asked: those were held too');
  });

  it('never takes out an answer being streamed into, and brings the run back in before it', async () => {
    deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'live', model: 'claude' });
    deliver({ type: 'streamDelta', messageId: 'live', text: 'Streaming **on**' });
    settle();
    await loadPages(4);
    const live = root.querySelector('article[data-message-id="live"]');
    assert.ok(live?.isConnected, 'the streaming answer is still in the page');
    assertRun('pages in above a stream', 'live');
    deliver({ type: 'streamDelta', messageId: 'live', text: ' and on' });
    settle();
    assert.match(live.textContent ?? '', /Streaming on and on/);
    for (let i = 0; i < 40 && !shown().includes(`m${TOTAL - 1}`); i++) {
      scrollTo(maxTop());
      settle();
      assertRun(`scrolling down to the stream, step ${i}`, 'live');
    }
    assert.deepEqual(shown().slice(-3), [`m${TOTAL - 2}`, `m${TOTAL - 1}`, 'live'], 'the run came back in before it');
    deliver({ type: 'streamEnd', messageId: 'live', cost: null, finishReason: 'stop' });
    settle();
    assert.equal(root.querySelectorAll('article[data-message-id="live"]').length, 1, 'the answer once');
  });

  it('brings the end of the conversation back for a new message', async () => {
    await loadPages(4);
    assert.equal(root.querySelector(`[data-message-id="m${TOTAL - 1}"]`), null);
    deliver({ type: 'messageAdded', conversationId: 'c1', message: { id: 'new', role: 'user', text: 'One more question' } });
    settle();
    const list = shown();
    assert.equal(list.at(-1), 'new', 'the new message at the end');
    assert.equal(list.at(-2), `m${TOTAL - 1}`, 'right after the newest message before it');
    assert.equal(new Set(list).size, list.length, 'no message twice');
    const first = Number(list[0]!.slice(1));
    assert.deepEqual(list.slice(0, -1), ids(first, TOTAL), 'a contiguous run up to it');
    assert.equal(thread.scrollTop, maxTop(), 'scrolled to the new message');
  });
});
