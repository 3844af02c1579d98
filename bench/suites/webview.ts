/**
 * The chat webview in headless Chromium, with the real bundle, stylesheet, HTML builder and CSP,
 * fed by bench/webview/host.ts: a ~2,000-token markdown answer with code blocks, a table and lists
 * replayed at 100 tokens/s (a 4-character delta every 10 ms), and a 500-message conversation
 * opened. Per chunk: the time to handle its message plus its share of the animation frames (with
 * layout), near the start (first 10 % of the replay) and near the end (last 10 %). Every request
 * the page makes is answered from memory; nothing leaves the machine.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser } from '../../scripts/vscode/browser';
import { buildWebviewHtml, createNonce } from '../../src/webview/html';
import { fmt, type BenchContext, type Suite, type SuiteResult } from '../lib/report';

const ORIGIN = 'http://anymodel-bench.test';
const TOKEN_CHARS = 4;
const INTERVAL_MS = 10; // 100 tokens/s

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
    const bundle = async (entry: string) => Buffer.from((await build({ entryPoints: [join(ctx.root, entry)], bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'silent' })).outputFiles[0]!.contents);
    const files: Record<string, { body: Buffer; type: string }> = {
      '/webview.js': { body: await bundle('src/webview/main.ts'), type: 'text/javascript' },
      '/host.js': { body: await bundle('bench/webview/host.ts'), type: 'text/javascript' },
      '/chat.css': { body: readFileSync(join(ctx.root, 'media/chat.css')), type: 'text/css' },
    };
    const nonce = createNonce();
    const html = buildWebviewHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/webview.js`, styleUri: `${ORIGIN}/chat.css`, nonce })
      .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${ORIGIN}/host.js"></script>\n  <script nonce="${nonce}"`);
    files['/index.html'] = { body: Buffer.from(html), type: 'text/html' };

    const browser = await openBrowser({ width: 900, height: 900 });
    const refused: string[] = [];
    try {
      await browser.page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        const file = url.origin === ORIGIN ? files[url.pathname] : undefined;
        if (!file) { refused.push(url.href); return route.abort(); }
        return route.fulfill({ body: file.body, contentType: file.type });
      });
      const load = async (query: string) => {
        await browser.page.goto(`${ORIGIN}/index.html${query}`);
        await browser.page.waitForFunction(() => (window as unknown as { __bench: { ready: boolean } }).__bench.ready, undefined, { timeout: 60_000 });
      };

      // Streaming replay.
      await load('');
      const answer = benchAnswer();
      ctx.log(`  replaying ${answer.length} characters at ${1000 / INTERVAL_MS} tokens/s (${Math.round(answer.length / TOKEN_CHARS * INTERVAL_MS / 1000)} s)`);
      const span = await browser.page.evaluate(([text, chars, ms]) => (window as unknown as { __bench: { replay(t: string, c: number, m: number): Promise<{ startedAt: number; endedAt: number; chunks: number }> } }).__bench.replay(text, chars, ms), [answer, TOKEN_CHARS, INTERVAL_MS] as const);
      const replay = await browser.page.evaluate(() => { const b = (window as unknown as { __bench: { handled: Timed[]; frames: Timed[]; longTasks: Timed[] } }).__bench; return { handled: b.handled, frames: b.frames, longTasks: b.longTasks }; });
      const handled = replay.handled.filter((t) => t.at >= span.startedAt);
      const duration = span.endedAt - span.startedAt;
      const early = perChunk(handled, replay.frames, span.startedAt, span.startedAt + duration * 0.1);
      const late = perChunk(handled, replay.frames, span.startedAt + duration * 0.9, span.endedAt);
      const replayLong = replay.longTasks.filter((t) => t.at >= span.startedAt);
      const worstFrame = Math.max(...replay.frames.filter((t) => t.at >= span.startedAt).map((t) => t.ms));
      const rendered = await browser.page.locator('article.message-assistant .code-block').count();

      // Opening a long conversation.
      await load('?open=500');
      const open = await browser.page.evaluate(() => {
        const b = (window as unknown as { __bench: { openMs: number; allShownMs: number; openStartedAt: number; longTasks: Timed[] } }).__bench;
        // Long tasks from the state on: parsing the bundle at page load is not the conversation's cost.
        return { openMs: b.openMs, allShownMs: b.allShownMs, longTasks: b.longTasks.filter((t) => t.at >= b.openStartedAt) };
      });
      const shown = await browser.page.locator('article.message').count();

      const ratio = late / early;
      return {
        tables: [{
          title: `Chat webview in Chromium (${span.chunks} deltas of ${TOKEN_CHARS} characters every ${INTERVAL_MS} ms; ${rendered} code blocks rendered)`,
          headers: ['measure', 'value'],
          rows: [
            ['per chunk near the start (first 10 %), ms', fmt(early, 3)],
            ['per chunk near the end (last 10 %), ms', fmt(late, 3)],
            ['end / start', fmt(ratio)],
            ['slowest frame during the replay, ms', fmt(worstFrame, 1)],
            ['long tasks (> 50 ms) during the replay', replayLong.length],
            ['open a 500-message conversation: newest messages shown, ms', fmt(open.openMs, 0)],
            [`  all ${shown} messages in place, ms`, fmt(open.allShownMs, 0)],
            ['long tasks while opening it', `${open.longTasks.length}${open.longTasks.length ? ` (longest ${fmt(Math.max(...open.longTasks.map((t) => t.ms)), 0)} ms)` : ''}`],
          ],
          notes: [`Requests refused (none may leave the page): ${refused.length ? refused.join(', ') : 'none'}.`],
        }],
        targets: [
          { suite: 'webview', name: 'no long task in the replay', pass: replayLong.length === 0, measured: `${replayLong.length} long tasks; slowest frame ${fmt(worstFrame, 1)} ms = ${fmt(worstFrame / 50)}× the 50 ms limit` },
          { suite: 'webview', name: 'per-chunk cost does not grow (end/start ≤ 1.5)', pass: ratio <= 1.5, measured: `${fmt(late, 3)} vs ${fmt(early, 3)} ms = ${fmt(ratio)}×` },
          { suite: 'webview', name: 'no long task opening 500 messages', pass: open.longTasks.length === 0, measured: `${open.longTasks.length} long tasks; newest shown in ${fmt(open.openMs, 0)} ms, all in ${fmt(open.allShownMs, 0)} ms` },
        ],
        data: { span, early, late, worstFrame, replayLongTasks: replayLong, openMs: open.openMs, openLongTasks: open.longTasks, shown, refused },
      };
    } finally {
      await browser.close();
    }
  },
};
