/**
 * The extension host's stand-in for the webview benchmark (bundled for the browser, loaded before
 * dist/webview.js). Messages are delivered with a synchronous dispatchEvent, so the time of the
 * chat's whole message handling is known exactly; animation-frame callbacks are timed with the
 * layout they cause. Results land on window.__bench for the suite to read.
 */
import type { ChatMessage, HostMessage } from '../../src/shared/protocol';

interface Bench {
  /** Time spent handling each message (ms), with the time it was delivered. */
  handled: { at: number; ms: number }[];
  frames: { at: number; ms: number }[];
  longTasks: { at: number; ms: number }[];
  ready: boolean;
  /** From delivering the state to the frame after the newest messages show, and until all do. */
  openMs?: number;
  allShownMs?: number;
  openStartedAt?: number;
  replay(text: string, chunkChars: number, intervalMs: number): Promise<{ startedAt: number; endedAt: number; chunks: number }>;
}

const win = window as unknown as Window & { __bench: Bench; acquireVsCodeApi(): unknown };
const bench: Bench = { handled: [], frames: [], longTasks: [], ready: false, replay };
win.__bench = bench;
new PerformanceObserver((list) => { for (const e of list.getEntries()) bench.longTasks.push({ at: e.startTime, ms: e.duration }); }).observe({ type: 'longtask', buffered: true });

const nativeRaf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => nativeRaf((t) => {
  const start = performance.now();
  callback(t);
  void document.body.offsetHeight; // the layout this frame's changes cost, inside the measurement
  bench.frames.push({ at: start, ms: performance.now() - start });
});

function deliver(message: HostMessage): void {
  const start = performance.now();
  window.dispatchEvent(new MessageEvent('message', { data: message }));
  bench.handled.push({ at: start, ms: performance.now() - start });
}

const nextFrame = () => new Promise<number>((resolve) => nativeRaf(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ?open=N: the conversation to restore on `ready` has N messages. */
function conversation(n: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < n; i++) {
    out.push(i % 2 === 0
      ? { id: `u${i}`, role: 'user', text: `Question ${i}: how does the router pick a deployment when two are cooling down?` }
      : { id: `a${i}`, role: 'assistant', model: 'openai/gpt-4o', finishReason: 'stop', cost: 0.0012, usage: { inputTokens: 800, outputTokens: 240, totalTokens: 1040 },
        text: `It skips deployments in **cooldown** and picks by \`weight\` among the rest (${i}).\n\n\`\`\`ts\nconst free = group.filter((d) => !cooling(d));\nreturn pick(free.length ? free : group, ${i});\n\`\`\`\n\n- cooldown: \`cooldown_time\` seconds\n- then [the docs](https://docs.litellm.ai/docs/routing)\n` });
  }
  return out;
}

async function replay(text: string, chunkChars: number, intervalMs: number): Promise<{ startedAt: number; endedAt: number; chunks: number }> {
  const messageId = 'bench-answer';
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
  return { startedAt, endedAt: performance.now(), chunks };
}

win.acquireVsCodeApi = () => ({
  postMessage(message: { type: string; requestId?: string }) {
    if (message.type !== 'ready' || !message.requestId) return;
    const n = Number(new URLSearchParams(location.search).get('open') ?? 0);
    const state: HostMessage = {
      type: 'state', inReplyTo: message.requestId, conversations: [{ id: 'c1', title: 'Bench', updatedAt: 1 }], activeConversationId: n ? 'c1' : null,
      messages: conversation(n), draft: '', models: [{ id: 'openai/gpt-4o' }], currentModel: 'openai/gpt-4o', offline: null,
    };
    // Delivered in a task of its own, timed until the frame after the one that shows it.
    setTimeout(async () => {
      const start = performance.now();
      bench.openStartedAt = start;
      deliver(state);
      await nextFrame();
      await nextFrame();
      bench.openMs = performance.now() - start;
      for (let i = 0; i < 600 && document.querySelectorAll('article.message').length < n; i++) await nextFrame();
      bench.allShownMs = performance.now() - start;
      bench.ready = true;
    }, 0);
  },
  getState: () => undefined,
  setState: () => undefined,
});
