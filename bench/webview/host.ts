/**
 * The extension host's stand-in for the webview benchmark (bundled for the browser, loaded before
 * dist/webview.js). Messages are delivered with a synchronous dispatchEvent, so the time of the
 * chat's whole message handling is known exactly; animation-frame callbacks are timed with the
 * layout they cause. Results land on window.__bench for the suite to read.
 */
import { newestPage, pageBefore } from '../../src/extension/chat/threadPages';
import { parseHostMessage, type HostMessage, type WebviewMessage } from '../../src/shared/protocol';
import { conversation } from './conversation';

interface Bench {
  /** Time spent handling each message (ms), with the time it was delivered. */
  handled: { at: number; ms: number }[];
  frames: { at: number; ms: number }[];
  longTasks: { at: number; ms: number }[];
  /** Long animation frames (> 50 ms), with the scripts in them. */
  longFrames: { at: number; ms: number; blockingMs: number; renderMs: number; scripts: { what: string; ms: number; forcedLayoutMs: number }[] }[];
  ready: boolean;
  /** From delivering the state to the frame after the newest messages show, and until all it carried do. */
  openMs?: number;
  allShownMs?: number;
  openStartedAt?: number;
  /** Handling the state message: one task, the longest of the opening. */
  openHandledMs?: number;
  replay(text: string, chunkChars: number, intervalMs: number, messageId?: string): Promise<{ startedAt: number; endedAt: number; chunks: number }>;
  /** Scrolls the thread from the bottom to the top in jumps, one per frame; resolves with the frames it took. */
  scrollThrough(): Promise<{ startedAt: number; endedAt: number; steps: number }>;
  /** Characters of text in the restored conversation. */
  openChars?: number;
  /** Blocks the main thread for `ms` and resolves with the long task observed for it, if any. */
  probeLongTask(ms: number): Promise<number | undefined>;
  /** What the state message alone costs, each part timed apart after the open (see openBreakdown). */
  openBreakdown(): OpenBreakdown;
}

/** The parts of opening a conversation that come before any DOM work. */
interface OpenBreakdown {
  /** Characters of the state message as JSON (what VS Code carries between host and webview). */
  jsonChars: number;
  /** JSON.stringify + JSON.parse of it: the host→webview channel serialises messages. */
  jsonMs: number;
  /** structuredClone: the webview iframe's postMessage. */
  cloneMs: number;
  /** The zod validation the webview runs on every message (parseHostMessage). */
  parseMs: number;
}

const win = window as unknown as Window & { __bench: Bench; acquireVsCodeApi(): unknown };
const bench: Bench = { handled: [], frames: [], longTasks: [], longFrames: [], ready: false, replay, probeLongTask, scrollThrough, openBreakdown };
win.__bench = bench;
new PerformanceObserver((list) => { for (const e of list.getEntries()) bench.longTasks.push({ at: e.startTime, ms: e.duration }); }).observe({ type: 'longtask', buffered: true });
// What a long task was made of, without a profiler's overhead: Chromium's long animation frames
// name each script callback in them (the invoker, the function and its place) and the frame's
// style and layout time.
interface LoafScript { invoker: string; sourceFunctionName: string; sourceCharPosition: number; duration: number; forcedStyleAndLayoutDuration: number }
interface Loaf extends PerformanceEntry { blockingDuration: number; styleAndLayoutStart: number; renderStart: number; scripts: LoafScript[] }
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Loaf[]) {
      bench.longFrames.push({
        at: e.startTime, ms: e.duration, blockingMs: e.blockingDuration,
        renderMs: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
        scripts: e.scripts.map((x) => ({ what: `${x.invoker} ${x.sourceFunctionName}@${x.sourceCharPosition}`, ms: x.duration, forcedLayoutMs: x.forcedStyleAndLayoutDuration })),
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
} catch { /* a browser without long animation frames: the long tasks still count */ }

const nativeRaf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => nativeRaf((t) => {
  const start = performance.now();
  callback(t);
  void document.body.offsetHeight; // the layout this frame's changes cost, inside the measurement
  bench.frames.push({ at: start, ms: performance.now() - start });
});

/**
 * Dispatches `message` as the host's postMessage would arrive. `clone`: a copy made in this task,
 * as VS Code's postMessage deserialises a message into the webview's heap (a page of older
 * messages must be new objects there, not the store's).
 */
function deliver(message: HostMessage, clone = false): void {
  const data = clone ? structuredClone(message) : message;
  const start = performance.now();
  window.dispatchEvent(new MessageEvent('message', { data }));
  bench.handled.push({ at: start, ms: performance.now() - start });
}

/** Jumps from the bottom of a long conversation to its top. */
const SCROLL_STEPS = 300;
const nextFrame = () => new Promise<number>((resolve) => nativeRaf(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let lastState: HostMessage | undefined;

function openBreakdown(): OpenBreakdown {
  const time = (work: () => unknown) => { const start = performance.now(); work(); return performance.now() - start; };
  const state = lastState!;
  let json = '';
  const jsonMs = time(() => { json = JSON.stringify(state); JSON.parse(json); });
  return { jsonChars: json.length, jsonMs, cloneMs: time(() => structuredClone(state)), parseMs: time(() => parseHostMessage(state)) };
}

/** A task that blocks for `ms`: the long-task observer must report it (else its silence means nothing). */
function probeLongTask(ms: number): Promise<number | undefined> {
  return new Promise((resolve) => setTimeout(() => {
    const start = performance.now();
    while (performance.now() - start < ms) { /* busy on purpose */ }
    setTimeout(() => resolve(bench.longTasks.find((t) => t.at >= start - 5)?.ms), 200);
  }, 0));
}

async function scrollThrough(): Promise<{ startedAt: number; endedAt: number; steps: number }> {
  const thread = document.querySelector<HTMLElement>('main.thread')!;
  const startedAt = performance.now();
  thread.scrollTop = thread.scrollHeight;
  await nextFrame();
  // From the bottom to the top in SCROLL_STEPS jumps, one per frame (a fast drag of the
  // scrollbar): each lands among messages not seen yet, whose answers render as they come near.
  // The height grows as answers render, so each step is a fraction of the height at that moment.
  let steps = 0;
  for (; steps < SCROLL_STEPS; steps++) {
    thread.scrollTop = Math.round(thread.scrollHeight * (1 - (steps + 1) / SCROLL_STEPS));
    await nextFrame();
  }
  // Held at the top until the conversation's first message is there (older messages may come in
  // as the reader nears the top), a frame at a time, bounded.
  const first = document.querySelector('article.message') ? '[data-message-id="m0"]' : undefined;
  for (let i = 0; first && i < 3000 && !document.querySelector(first); i++, steps++) {
    thread.scrollTop = 0;
    await nextFrame();
  }
  const endedAt = performance.now();
  await sleep(100); // long-task entries reach the observer after their task
  return { startedAt, endedAt, steps };
}

async function replay(text: string, chunkChars: number, intervalMs: number, messageId = 'bench-answer'): Promise<{ startedAt: number; endedAt: number; chunks: number }> {
  deliver({ type: 'streamStart', conversationId: 'c1', messageId, model: 'openai/gpt-4o' });
  const startedAt = performance.now();
  let chunks = 0;
  // Paced against the clock, not the previous timer, so slow frames do not slow the stream down.
  for (let i = 0; i < text.length; i += chunkChars) {
    const due = startedAt + chunks * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    deliver({ type: 'streamDelta', messageId, text: text.slice(i, i + chunkChars) });
    chunks++;
  }
  deliver({ type: 'streamEnd', messageId, usage: { inputTokens: 100, outputTokens: chunks, totalTokens: 100 + chunks }, cost: 0.01, finishReason: 'stop' });
  await nextFrame();
  await nextFrame();
  const endedAt = performance.now();
  await sleep(100); // long-task entries reach the observer after their task
  return { startedAt, endedAt, chunks };
}

const query = new URLSearchParams(location.search);
const opened = Number(query.get('open') ?? 0);
/**
 * The whole conversation, as the store holds it; the view is sent pages of it, as the controller
 * does. The real webview never holds it, so it is made as the page loads, before dist/webview.js
 * runs, and a full collection moves it out of the young generation there. Made in the task that
 * answered `ready`, its megabytes were copied by the scavenges that fell into the opening's first
 * frames. The collection is V8's `gc()` (the suite launches Chromium with --expose-gc), not
 * DevTools' `HeapProfiler.collectGarbage`, which flushes compiled code and so would make the
 * webview's first state far colder than a real panel's.
 */
const stored = conversation(opened, Number(query.get('chars') ?? 0));
bench.openChars = stored.reduce((sum, m) => sum + m.text.length, 0);
const gc = (window as { gc?: () => void }).gc;
if (!gc) throw new Error('The webview bench needs V8\'s gc(): launch Chromium with --js-flags=--expose-gc.');
gc();

/** Answers a page request in a task of its own, as a message from the extension host arrives. */
function answerOlder(message: Extract<WebviewMessage, { type: 'loadOlder' }>): void {
  const page = pageBefore(stored, message.beforeMessageId);
  setTimeout(() => deliver(page
    ? { type: 'olderPage', inReplyTo: message.requestId, conversationId: message.conversationId, beforeMessageId: message.beforeMessageId, messages: page.messages, olderMessages: page.older }
    : { type: 'reply', inReplyTo: message.requestId, ok: false, error: 'no such message' }, true), 0);
}

win.acquireVsCodeApi = () => ({
  postMessage(message: WebviewMessage) {
    if (message.type === 'loadOlder') return answerOlder(message);
    if (message.type !== 'ready' || !message.requestId) return;
    const page = newestPage(stored);
    const state: HostMessage = {
      type: 'state', inReplyTo: message.requestId, conversations: [{ id: 'c1', title: 'Bench', updatedAt: 1 }], activeConversationId: opened ? 'c1' : null,
      messages: page.messages, olderMessages: page.older, draft: '', models: [{ id: 'openai/gpt-4o' }], currentModel: 'openai/gpt-4o', offline: null,
    };
    // Delivered in a task of its own, timed until the frame after the one that shows the newest
    // message (a frame's callbacks run before its paint, so the next frame's come after it).
    lastState = state;
    const newest = opened ? `[data-message-id="m${opened - 1}"]` : undefined;
    setTimeout(async () => {
      const start = performance.now();
      bench.openStartedAt = start;
      deliver(state, true);
      bench.openHandledMs = bench.handled.at(-1)?.ms;
      await nextFrame();
      for (let i = 0; i < 600 && newest && !document.querySelector(newest); i++) await nextFrame();
      await nextFrame();
      bench.openMs = performance.now() - start;
      for (let i = 0; i < 600 && document.querySelectorAll('article.message').length < page.messages.length; i++) await nextFrame();
      await nextFrame();
      bench.allShownMs = performance.now() - start;
      await sleep(100); // long-task entries reach the observer after their task
      bench.ready = true;
    }, 0);
  },
  getState: () => undefined,
  setState: () => undefined,
});
