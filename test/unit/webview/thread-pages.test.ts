/**
 * A long conversation in pages, in the webview (jsdom): the state's newest page is shown and
 * nothing more is asked for while the reader is at the bottom; scrolling near the top asks the
 * host for the page before the oldest message (one request at a time), which goes in above in
 * order with the reader's place kept (by scroll anchoring, also from the very top); the last page
 * ends the asking, and a page that arrives after another state is dropped. jsdom has no layout,
 * so the thread's heights are those of a stand-in: 100 px per message, with Chromium's scroll
 * anchoring (content added above moves the position with it, except at the very top).
 */
import assert from 'node:assert/strict';
import type { HostMessage } from '../../../src/shared/protocol';
import { ChatApp } from '../../../src/webview/app';
import { FakeVsCode, ManualFrames, useDom } from './dom-env';
import { longState, range, settleFrames, shownIds } from './long-thread';
import { waitFor } from '../helpers/wait';

const ROW_PX = 100;
const STATE = longState(100, 150, [{ id: 'c1', title: 'Long', updatedAt: 2 }, { id: 'c2', title: 'Other', updatedAt: 1 }]);

describe('chat webview: a long conversation in pages', () => {
  const env = useDom();
  let vscode: FakeVsCode;
  let frames: ManualFrames;
  let app: ChatApp;
  let root: HTMLElement;
  let thread: HTMLElement;
  let scrollTop = 0;
  let seenHeight = 0;
  const deliver = (m: HostMessage): void => { window.dispatchEvent(new env.window.MessageEvent('message', { data: m })); };
  const shown = (): string[] => shownIds(root);
  const settle = (): void => settleFrames(frames);
  const scrollTo = (top: number): void => { scrollTop = top; thread.dispatchEvent(new env.window.Event('scroll')); };
  const requests = () => vscode.ofType('loadOlder');

  beforeEach(async () => {
    root = document.createElement('div');
    document.body.replaceChildren(root);
    vscode = new FakeVsCode();
    frames = new ManualFrames();
    app = new ChatApp(root, vscode, { scheduler: frames, replyTimeoutMs: 2000 });
    thread = root.querySelector('main.thread')!;
    // The stand-in layout: each message 100 px high, a 500 px viewport.
    Object.defineProperty(thread, 'scrollHeight', { configurable: true, get: () => thread.querySelectorAll('article.message').length * ROW_PX });
    Object.defineProperty(thread, 'clientHeight', { configurable: true, get: () => 500 });
    const anchor = () => {
      const height = thread.scrollHeight;
      if (scrollTop > 0) scrollTop += height - seenHeight;
      seenHeight = height;
    };
    Object.defineProperty(thread, 'scrollTop', {
      configurable: true,
      get: () => { anchor(); return scrollTop; },
      set: (v: number) => { anchor(); scrollTop = Math.max(0, Math.min(v, thread.scrollHeight - 500)); },
    });
    app.start();
    const ready = vscode.posted[0]!;
    deliver({ ...STATE, inReplyTo: ready.type === 'ready' ? ready.requestId : '' });
    await waitFor(() => root.getAttribute('aria-busy') === 'false', 'the restored state');
    settle();
  });
  afterEach(() => app.dispose());

  it('shows the newest page and asks for nothing more while the reader is at the bottom', () => {
    assert.deepEqual(shown(), STATE.messages.map((m) => m.id));
    assert.equal(thread.scrollTop, 50 * ROW_PX - 500, 'opened at the bottom');
    scrollTo(3000);
    settle();
    assert.equal(requests().length, 0);
  });

  it('asks for the page before the oldest message near the top, once, and puts it in above keeping the place', async () => {
    scrollTo(1200);
    scrollTo(1100);
    assert.equal(requests().length, 1, 'one request while it is answered');
    const asked = requests()[0]!;
    assert.deepEqual({ conversationId: asked.conversationId, beforeMessageId: asked.beforeMessageId }, { conversationId: 'c1', beforeMessageId: 'm100' });
    const looking = root.querySelector('[data-message-id="m111"]')!;
    deliver({ type: 'olderPage', inReplyTo: asked.requestId, conversationId: 'c1', beforeMessageId: 'm100', messages: range(50, 100), olderMessages: 50 });
    await waitFor(() => shown().length === 100, 'the older page');
    assert.deepEqual(shown(), range(50, 150).map((m) => m.id), 'in order, above');
    assert.equal(thread.scrollTop, 1100 + 50 * ROW_PX, 'moved down by the height that went in above');
    assert.ok(looking.isConnected, 'the message the reader looked at is the same element');
    assert.equal(root.querySelector('[data-message-id="m51"] strong')?.textContent, '51', 'an older answer renders its markdown');

    // Dragged to the very top, where the browser's scroll anchoring does nothing.
    scrollTo(0);
    assert.equal(requests().length, 2);
    assert.equal(requests()[1]!.beforeMessageId, 'm50');
    deliver({ type: 'olderPage', inReplyTo: requests()[1]!.requestId, conversationId: 'c1', beforeMessageId: 'm50', messages: range(0, 50), olderMessages: 0 });
    await waitFor(() => shown().length === 150, 'the first page');
    assert.equal(shown()[0], 'm0');
    assert.equal(thread.scrollTop, 1 + 50 * ROW_PX, 'the message that was at the top is still there (a pixel down, for the anchoring)');
    scrollTo(0);
    settle();
    assert.equal(requests().length, 2, 'nothing is older than the first message');
  });

  it('drops a page that arrives after another state, and pages that state from its own oldest message', async () => {
    scrollTo(1000);
    const asked = requests()[0]!;
    deliver({ ...STATE, activeConversationId: 'c2', messages: range(500, 550).map((m) => ({ ...m, id: `x${m.id}` })), olderMessages: 20 });
    settle();
    deliver({ type: 'olderPage', inReplyTo: asked.requestId, conversationId: 'c1', beforeMessageId: 'm100', messages: range(50, 100), olderMessages: 50 });
    // A dropped page leaves no state to wait for: its reply is handled in a promise callback, and
    // every queued callback has run once a macrotask comes round (this is not a timed wait).
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(root.querySelector('[data-message-id="m99"]'), null, 'the other conversation\'s page is not shown');
    assert.equal(shown()[0], 'xm500');
    scrollTo(500);
    assert.equal(requests().at(-1)!.beforeMessageId, 'xm500');
    assert.equal(requests().at(-1)!.conversationId, 'c2');
  });
});
