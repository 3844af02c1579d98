/**
 * The chat webview in headless Chromium, with the real bundle, stylesheet, HTML builder and CSP,
 * fed by bench/webview/host.ts: a ~2,000-token markdown answer with code blocks, a table and lists
 * replayed at 100 tokens/s (a 4-character delta every 10 ms), and a 500-message conversation
 * opened. Per chunk: the time to handle its message plus its share of the animation frames (with
 * layout), near the start (first 10 % of the replay) and near the end (last 10 %). Then the long
 * cases: a 20,000-token answer (10 tokens per delta every 10 ms, so it takes 20 s), and a
 * 2,000-message, 5 MB conversation opened and scrolled from the bottom to the top in 300 jumps,
 * one per frame, counting long tasks. Every request the page makes is answered from memory; nothing
 * leaves the machine.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser } from '../../scripts/vscode/browser';
import { buildWebviewHtml, createNonce } from '../../src/shared/html';
import { fmt, type BenchContext, type Suite, type SuiteResult, type Table } from '../lib/report';
import { keepSourceMap, WebviewProfiler, webviewProfileWanted } from './webview-profile';

// A secure context (127.0.0.1 is one) may be cross-origin isolated. Nothing listens there: every
// request is answered by the route below.
const ORIGIN = 'http://127.0.0.1:9';
const TOKEN_CHARS = 4;
const INTERVAL_MS = 10; // 100 tokens/s
const WARM_UP_TOKENS = 200;
const REPLAYS = Number(process.env.BENCH_WEBVIEW_REPLAYS ?? 3);
/** The long answer: 20,000 tokens in deltas of 10 tokens. */
const LONG_TOKENS = 20_000;
const LONG_CHUNK_TOKENS = 10;
/** The long conversation: 2,000 messages, answers padded to about 5,000 characters (5 MB in all). */
const LONG_MESSAGES = 2_000;
const LONG_ANSWER_CHARS = 5_000;

interface ReplayResult { chunks: number; early: number; late: number; ratio: number; worstFrame: number; longTasks: Timed[]; longFrames: LongFrame[]; codeBlocks: number }

/** About 2,000 tokens of the markdown a model writes: headings, prose, lists, code, a table. */
export function benchAnswer(tokens = 2000): string {
  const parts: string[] = [];
  for (let i = 1; parts.join('').length < tokens * TOKEN_CHARS; i++) {
    parts.push(`## Step ${i}: retries and fallbacks\n\nThe router is the **only** retry loop; it honours \`Retry-After\` and moves to a [fallback](https://docs.litellm.ai/docs/routing) after \`num_retries\`.\n\n`);
    parts.push(`- deployment ${i} cools down for \`cooldown_time\`\n- the next one is picked by \`weight\`\n- a stream is never retried once it started\n\n`);
    parts.push(`\`\`\`ts\nexport function backoff${i}(attempt: number): number {\n  const base = Math.min(30_000, 250 * 2 ** attempt);\n  return base / 2 + Math.random() * (base / 2);\n}\n\`\`\`\n\n`);
    if (i % 2 === 0) parts.push(`| status | retried | why |\n|---|:-:|---|\n| 429 | yes | rate limit ${i} |\n| 401 | no | same request fails again |\n\n`);
  }
  return parts.join('').slice(0, tokens * TOKEN_CHARS);
}

interface Timed { at: number; ms: number }
/** A long animation frame (bench/webview/host.ts): what a long task was made of. */
interface LongFrame { at: number; ms: number; blockingMs: number; renderMs: number; scripts: { what: string; ms: number; forcedLayoutMs: number }[] }

/** The long animation frames that end after `since`, with times relative to it. */
const framesSince = (frames: LongFrame[], since: number): LongFrame[] => frames.filter((t) => t.at + t.ms > since).map((t) => ({ ...t, at: t.at - since }));

/** Long animation frames, for the notes: when, how long, their scripts and their rendering. */
function describeFrames(frames: LongFrame[]): string {
  if (frames.length === 0) return 'none';
  return frames.map((f) => `at +${fmt(f.at, 0)} ms, ${fmt(f.ms, 0)} ms (rendering ${fmt(f.renderMs, 0)}): ${f.scripts.map((x) => `${x.what} ${fmt(x.ms, 0)} ms${x.forcedLayoutMs >= 1 ? ` (forced layout ${fmt(x.forcedLayoutMs, 0)})` : ''}`).join(', ') || 'no script'}`).join('; ');
}

/** `work`, or an error after `ms`: a page that hangs must not hang the benchmark (the browser is closed after). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms); });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Main-thread ms per chunk inside [from, to): handling plus frames, over the chunks handled there. */
function perChunk(handled: Timed[], frames: Timed[], from: number, to: number): number {
  const inWindow = (t: Timed) => t.at >= from && t.at < to;
  const chunks = handled.filter(inWindow);
  const work = chunks.reduce((s, t) => s + t.ms, 0) + frames.filter(inWindow).reduce((s, t) => s + t.ms, 0);
  return chunks.length ? work / chunks.length : NaN;
}

export const webviewSuite: Suite = {
  id: 'webview',
  title: 'Chat webview: streaming replay and a long conversation in Chromium',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const profiling = webviewProfileWanted();
    const bundle = async (entry: string) => Buffer.from((await build({ entryPoints: [join(ctx.root, entry)], bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'silent' })).outputFiles[0]!.contents);
    // Profiled: with a source map (a comment at the end of the bundle, so positions stay), for the summary by source file.
    const webviewBundle = async () => {
      if (!profiling) return { js: await bundle('src/webview/main.ts'), map: undefined };
      const out = await build({ entryPoints: [join(ctx.root, 'src/webview/main.ts')], outfile: 'webview.js', sourcemap: 'external', bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'silent' });
      return { js: Buffer.from(out.outputFiles.find((f) => f.path.endsWith('.js'))!.contents), map: keepSourceMap(out.outputFiles.find((f) => f.path.endsWith('.map'))!.contents) };
    };
    const webview = await webviewBundle();
    const files: Record<string, { body: Buffer; type: string }> = {
      '/webview.js': { body: webview.js, type: 'text/javascript' },
      '/host.js': { body: await bundle('bench/webview/host.ts'), type: 'text/javascript' },
      '/chat.css': { body: readFileSync(join(ctx.root, 'media/chat.css')), type: 'text/css' },
    };
    const nonce = createNonce();
    const html = buildWebviewHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/webview.js`, styleUri: `${ORIGIN}/chat.css`, nonce })
      .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${ORIGIN}/host.js"></script>\n  <script nonce="${nonce}"`);
    files['/index.html'] = { body: Buffer.from(html), type: 'text/html' };

    // gc(): the stand-in host collects its own garbage before the webview loads (bench/webview/host.ts).
    const browser = await openBrowser({ width: 900, height: 900 }, ['--js-flags=--expose-gc']);
    const refused: string[] = [];
    try {
      await browser.page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        const file = url.origin === ORIGIN ? files[url.pathname] : undefined;
        if (!file) { refused.push(url.href); return route.abort(); }
        // Cross-origin isolated, so performance.now() has 5 µs steps instead of 100 µs: a delta's
        // handling takes a few tenths of a millisecond.
        return route.fulfill({ body: file.body, contentType: file.type, headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' } });
      });
      const load = async (query: string) => {
        await browser.page.goto(`${ORIGIN}/index.html${query}`, { timeout: 60_000 });
        await browser.page.waitForFunction(() => (window as unknown as { __bench: { ready: boolean } }).__bench.ready, undefined, { timeout: 60_000 });
      };
      type Replay = (t: string, c: number, m: number, id: string) => Promise<{ startedAt: number; endedAt: number; chunks: number }>;
      const replayIn = (text: string, id: string, chunkChars = TOKEN_CHARS) => within(text.length / chunkChars * INTERVAL_MS * 3 + 30_000, `replaying ${id}`, browser.page.evaluate(
        ([t, chars, ms, messageId]) => (window as unknown as { __bench: { replay: Replay } }).__bench.replay(t, chars, ms, messageId), [text, chunkChars, INTERVAL_MS, id] as const));

      await load('');
      const isolated = await browser.page.evaluate(() => crossOriginIsolated);
      // The observer's silence means something only if it reports a task we know is long.
      const probe = await within(10_000, 'long-task probe', browser.page.evaluate(() => (window as unknown as { __bench: { probeLongTask(ms: number): Promise<number | undefined> } }).__bench.probeLongTask(80)));

      // Streaming replays, each in a fresh page. A neighbour on this shared machine that takes the
      // CPU for a second or two moves one window of one replay; a cost that grows moves all of them.
      const answer = benchAnswer();
      const replays: ReplayResult[] = [];
      for (let r = 0; r < REPLAYS; r++) {
        if (r > 0) await load('');
        // A short answer first, unmeasured: otherwise the first 10 % would carry the JIT's warm-up,
        // which inflates "start" and could hide a per-chunk cost that grows.
        await replayIn(benchAnswer(WARM_UP_TOKENS), 'warm-up');
        ctx.log(`  replay ${r + 1}/${REPLAYS}: ${answer.length} characters at ${1000 / INTERVAL_MS} tokens/s (${Math.round(answer.length / TOKEN_CHARS * INTERVAL_MS / 1000)} s)`);
        const span = await replayIn(answer, 'bench-answer');
        const page = await browser.page.evaluate(() => { const b = (window as unknown as { __bench: { handled: Timed[]; frames: Timed[]; longTasks: Timed[]; longFrames: LongFrame[] } }).__bench; return { handled: b.handled, frames: b.frames, longTasks: b.longTasks, longFrames: b.longFrames }; });
        const handled = page.handled.filter((t) => t.at >= span.startedAt);
        const duration = span.endedAt - span.startedAt;
        const early = perChunk(handled, page.frames, span.startedAt, span.startedAt + duration * 0.1);
        const late = perChunk(handled, page.frames, span.startedAt + duration * 0.9, span.endedAt);
        replays.push({
          chunks: span.chunks, early, late, ratio: late / early,
          worstFrame: Math.max(...page.frames.filter((t) => t.at >= span.startedAt).map((t) => t.ms)),
          longTasks: page.longTasks.filter((t) => t.at >= span.startedAt),
          longFrames: framesSince(page.longFrames, span.startedAt),
          codeBlocks: await browser.page.locator('article.message-assistant[data-message-id="bench-answer"] .code-block').count(),
        });
      }
      const mid = [...replays].sort((x, y) => x.ratio - y.ratio)[(replays.length - 1) >> 1]!;
      const replayLong = replays.flatMap((r) => r.longTasks);
      const worstFrame = Math.max(...replays.map((r) => r.worstFrame));

      // Opening a long conversation.
      await load('?open=500');
      const openRead = await within(30_000, 'reading the open figures', browser.page.evaluate(() => {
        const b = (window as unknown as { __bench: { openMs: number; allShownMs: number; openStartedAt: number; openHandledMs: number; longTasks: Timed[]; longFrames: LongFrame[] } }).__bench;
        // Long tasks from the state on: parsing the bundle at page load is not the conversation's cost.
        return { openMs: b.openMs, allShownMs: b.allShownMs, handledMs: b.openHandledMs, longTasks: b.longTasks.filter((t) => t.at >= b.openStartedAt), longFrames: b.longFrames, startedAt: b.openStartedAt };
      }));
      const open = { ...openRead, longFrames: framesSince(openRead.longFrames, openRead.startedAt) };
      const shown = await browser.page.locator('article.message').count();

      // A 20,000-token answer: the per-chunk cost at its end against its start.
      await load('');
      await replayIn(benchAnswer(WARM_UP_TOKENS), 'warm-up');
      const longAnswer = benchAnswer(LONG_TOKENS);
      ctx.log(`  long answer: ${longAnswer.length} characters, ${LONG_CHUNK_TOKENS} tokens per delta every ${INTERVAL_MS} ms`);
      const longSpan = await replayIn(longAnswer, 'long-answer', TOKEN_CHARS * LONG_CHUNK_TOKENS);
      const longPage = await browser.page.evaluate(() => { const b = (window as unknown as { __bench: { handled: Timed[]; frames: Timed[]; longTasks: Timed[]; longFrames: LongFrame[] } }).__bench; return { handled: b.handled, frames: b.frames, longTasks: b.longTasks, longFrames: b.longFrames }; });
      const longDuration = longSpan.endedAt - longSpan.startedAt;
      const longHandled = longPage.handled.filter((t) => t.at >= longSpan.startedAt);
      const long = {
        chunks: longSpan.chunks,
        early: perChunk(longHandled, longPage.frames, longSpan.startedAt, longSpan.startedAt + longDuration * 0.1),
        late: perChunk(longHandled, longPage.frames, longSpan.startedAt + longDuration * 0.9, longSpan.endedAt),
        worstFrame: Math.max(...longPage.frames.filter((t) => t.at >= longSpan.startedAt).map((t) => t.ms)),
        longTasks: longPage.longTasks.filter((t) => t.at >= longSpan.startedAt),
        longFrames: framesSince(longPage.longFrames, longSpan.startedAt),
      };

      // A 2,000-message, 5 MB conversation: opened, then scrolled through to the top.
      const profiler = profiling ? new WebviewProfiler(browser.page, webview.map!) : undefined;
      const profiles: Table[] = [];
      await profiler?.start();
      await load(`?open=${LONG_MESSAGES}&chars=${LONG_ANSWER_CHARS}`);
      if (profiler) profiles.push(await profiler.stop('open', `opening ${LONG_MESSAGES} messages`));
      const bigRead = await within(60_000, 'reading the long conversation figures', browser.page.evaluate(() => {
        const b = (window as unknown as { __bench: { openMs: number; allShownMs: number; openStartedAt: number; openHandledMs: number; openChars: number; longTasks: Timed[]; longFrames: LongFrame[] } }).__bench;
        return { openMs: b.openMs, allShownMs: b.allShownMs, handledMs: b.openHandledMs, chars: b.openChars, longTasks: b.longTasks.filter((t) => t.at >= b.openStartedAt), longFrames: b.longFrames, startedAt: b.openStartedAt };
      }));
      const big = { ...bigRead, longFrames: framesSince(bigRead.longFrames, bigRead.startedAt) };
      const bigShown = await browser.page.locator('article.message').count();
      const breakdown = await browser.page.evaluate(() => (window as unknown as { __bench: { openBreakdown(): { jsonChars: number; jsonMs: number; cloneMs: number; parseMs: number } } }).__bench.openBreakdown());
      await profiler?.start();
      const scroll = await within(120_000, 'scrolling the long conversation', browser.page.evaluate(() => (window as unknown as { __bench: { scrollThrough(): Promise<{ startedAt: number; endedAt: number; steps: number }> } }).__bench.scrollThrough()));
      if (profiler) profiles.push(await profiler.stop('scroll', 'scrolling it to the top'));
      const scrollPage = await browser.page.evaluate(() => { const b = (window as unknown as { __bench: { frames: Timed[]; longTasks: Timed[]; longFrames: LongFrame[] } }).__bench; return { frames: b.frames, longTasks: b.longTasks, longFrames: b.longFrames }; });
      const scrollFrames = scrollPage.frames.filter((t) => t.at >= scroll.startedAt && t.at < scroll.endedAt);
      const scrolled = {
        steps: scroll.steps, ms: scroll.endedAt - scroll.startedAt,
        worstFrame: Math.max(...scrollFrames.map((t) => t.ms)),
        longTasks: scrollPage.longTasks.filter((t) => t.at >= scroll.startedAt),
        longFrames: framesSince(scrollPage.longFrames, scroll.startedAt),
        rendered: await browser.page.locator('article.message-assistant .md-deferred').count(),
      };
      const longest = (tasks: Timed[]) => tasks.length ? ` (longest ${fmt(Math.max(...tasks.map((t) => t.ms)), 0)} ms)` : '';
      // Total blocking time, as Lighthouse counts it: what each long task spent beyond 50 ms.
      const blocking = (tasks: Timed[]) => tasks.reduce((sum, t) => sum + Math.max(0, t.ms - 50), 0);
      const tasksFigure = (tasks: Timed[]) => `${tasks.length}; longest ${fmt(tasks.length ? Math.max(...tasks.map((t) => t.ms)) : 0, 0)} ms; total blocking ${fmt(blocking(tasks), 0)} ms`;

      return {
        tables: [{
          title: `Chat webview in Chromium (${mid.chunks} deltas of ${TOKEN_CHARS} characters every ${INTERVAL_MS} ms after a ${WARM_UP_TOKENS}-token warm-up answer; ${mid.codeBlocks} code blocks rendered; ${REPLAYS} replays)`,
          headers: ['measure', 'value'],
          rows: [
            ...replays.map((r, i) => [`replay ${i + 1}: per chunk in the first / last 10 %, ms (end / start)`, `${fmt(r.early, 3)} / ${fmt(r.late, 3)} (${fmt(r.ratio)}×)`]),
            ['end / start, median of the replays', fmt(mid.ratio)],
            ['long tasks (> 50 ms) during the replays', replayLong.length],
            ['slowest frame during the replays, ms', fmt(worstFrame, 1)],
            ['open a 500-message conversation: newest messages shown, ms', fmt(open.openMs, 0)],
            ['  of which handling the state message (one task), ms', fmt(open.handledMs, 1)],
            [`  all ${shown} messages in place, ms`, fmt(open.allShownMs, 0)],
            ['long tasks while opening it', `${open.longTasks.length}${open.longTasks.length ? ` (longest ${fmt(Math.max(...open.longTasks.map((t) => t.ms)), 0)} ms)` : ''}`],
            [`${LONG_TOKENS.toLocaleString('en-US')}-token answer (${long.chunks} deltas): per chunk in the first / last 10 %, ms (end / start)`, `${fmt(long.early, 3)} / ${fmt(long.late, 3)} (${fmt(long.late / long.early)}×)`],
            ['  long tasks / slowest frame, ms', `${long.longTasks.length}${longest(long.longTasks)} / ${fmt(long.worstFrame, 1)}`],
            [`open ${LONG_MESSAGES.toLocaleString('en-US')} messages (${fmt(big.chars / 1e6, 1)} MB of text): newest shown, ms`, fmt(big.openMs, 0)],
            ['  of which handling the state message (one task), ms', fmt(big.handledMs, 1)],
            [`  all ${bigShown} messages in place, ms`, fmt(big.allShownMs, 0)],
            ['  long tasks while opening it', tasksFigure(big.longTasks)],
            [`  the state message: ${fmt(breakdown.jsonChars / 1e6, 1)} MB as JSON; JSON round trip / structured clone / zod parse (each alone, after the open), ms`, `${fmt(breakdown.jsonMs, 0)} / ${fmt(breakdown.cloneMs, 0)} / ${fmt(breakdown.parseMs, 0)}`],
            [`scroll it to the top in ${scrolled.steps} frames, a jump per frame, then held at the top until the first message is in (${fmt(scrolled.ms / 1000, 1)} s): slowest frame, ms`, fmt(scrolled.worstFrame, 1)],
            ['  long tasks while scrolling it', tasksFigure(scrolled.longTasks)],
            ['  answers still waiting to render their markdown after the scroll (out of the render margin)', scrolled.rendered],
          ],
          notes: [
            `Long-task observer check: an 80 ms busy task was ${probe === undefined ? 'NOT reported, so the long-task counts above prove nothing' : `reported as ${fmt(probe, 0)} ms`}.`,
            `Long animation frames (Chromium's attribution of a long task to its scripts; the positions are in the minified webview.js or host.js) opening 500 messages: ${describeFrames(open.longFrames)}. Opening 2,000: ${describeFrames(big.longFrames)}. During the replays: ${replays.map((r, i) => `${i + 1}: ${describeFrames(r.longFrames)}`).join('; ')}. During the ${LONG_TOKENS.toLocaleString('en-US')}-token answer: ${describeFrames(long.longFrames)}. Scrolling the 2,000: ${describeFrames(scrolled.longFrames)}.`,
            `Timer: ${isolated ? 'cross-origin isolated, 5 µs steps' : 'NOT cross-origin isolated, 100 µs steps'}. Requests refused (none may leave the page): ${refused.length ? refused.join(', ') : 'none'}.`,
          ],
        }, ...profiles],
        targets: [
          { suite: 'webview', name: 'no long task in the replay', pass: probe === undefined ? undefined : replayLong.length === 0, measured: `${replayLong.length} long tasks; slowest frame ${fmt(worstFrame, 1)} ms = ${fmt(worstFrame / 50)}× the 50 ms limit` },
          { suite: 'webview', name: 'per-chunk cost does not grow (end/start ≤ 1.5)', pass: mid.ratio <= 1.5, measured: `${fmt(mid.late, 3)} vs ${fmt(mid.early, 3)} ms = ${fmt(mid.ratio)}× (median of ${REPLAYS} replays: ${replays.map((r) => `${fmt(r.ratio)}×`).join(', ')})` },
          { suite: 'webview', name: 'no long task opening 500 messages', pass: probe === undefined ? undefined : open.longTasks.length === 0, measured: `${open.longTasks.length} long tasks; newest shown in ${fmt(open.openMs, 0)} ms, all in ${fmt(open.allShownMs, 0)} ms` },
          { suite: 'webview', name: `${LONG_TOKENS.toLocaleString('en-US')}-token answer: per-chunk cost flat (end/start ≤ 1.5)`, pass: long.late / long.early <= 1.5, measured: `${fmt(long.late, 3)} vs ${fmt(long.early, 3)} ms = ${fmt(long.late / long.early)}×; ${long.longTasks.length} long tasks` },
          { suite: 'webview', name: `no long task opening and scrolling ${LONG_MESSAGES.toLocaleString('en-US')} messages (5 MB)`, pass: probe === undefined ? undefined : big.longTasks.length + scrolled.longTasks.length === 0, measured: `opening: ${big.longTasks.length}${longest(big.longTasks)}; scrolling: ${scrolled.longTasks.length}${longest(scrolled.longTasks)}; slowest scroll frame ${fmt(scrolled.worstFrame, 1)} ms` },
        ],
        data: {
          long, big: { ...big, shown: bigShown, breakdown, blockingMs: blocking(big.longTasks) }, scrollBlockingMs: blocking(scrolled.longTasks), scrolled, longTaskProbeMs: probe, isolated, replays, worstFrame, openMs: open.openMs, openHandledMs: open.handledMs, allShownMs: open.allShownMs, openLongTasks: open.longTasks, shown, refused },
      };
    } finally {
      await browser.close();
    }
  },
};
