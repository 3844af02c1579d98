/**
 * Standalone preview of the chat webview, and screenshots of it in headless Chromium.
 *
 *   node --import tsx scripts/preview-webview.ts            build, write, screenshot
 *   node --import tsx scripts/preview-webview.ts --serve    build, write, serve on 127.0.0.1 to look by hand
 *
 * Writes test-results/webview-preview/{dark,light}.html (index.html = dark) with the real HTML
 * builder and CSP, dist/webview.js, media/chat.css, a theme stylesheet with VS Code's Dark/Light
 * Modern variables, and a fake host (preview-webview/fake-host.ts) that replays scenarios:
 * ?scenario=answer|streaming|empty|error|xss|perf. Screenshots go to
 * test-results/screenshots/webview-*.png. The browser never touches the network: every request
 * is answered from the preview folder or aborted and reported.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { buildWebviewHtml, createNonce } from '../src/shared/html';
import { THEMES, themeCss } from './preview-webview/themes';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'test-results', 'webview-preview');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const ORIGIN = 'http://anymodel-preview.test';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function buildPreview(origin: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // The same options as the webview target in esbuild.js, production mode.
  await build({ entryPoints: [join(ROOT, 'src/webview/main.ts')], outfile: join(ROOT, 'dist/webview.js'), bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', legalComments: 'none', logLevel: 'warning' });
  await build({ entryPoints: [join(__dirname, 'preview-webview/fake-host.ts')], outfile: join(OUT, 'fake-host.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning' });
  copyFileSync(join(ROOT, 'dist/webview.js'), join(OUT, 'webview.js'));
  copyFileSync(join(ROOT, 'media/chat.css'), join(OUT, 'chat.css'));
  for (const theme of ['dark', 'light'] as const) {
    writeFileSync(join(OUT, `theme-${theme}.css`), themeCss(theme));
    const nonce = createNonce();
    const html = buildWebviewHtml({ cspSource: origin, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/chat.css`, nonce, title: `AnyModel Chat preview (${THEMES[theme].name})` })
      // What VS Code's webview host adds around our HTML: the theme variables and body class,
      // and (preview only) the fake host, which must define acquireVsCodeApi before our script.
      .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme-${theme}.css">\n  <link rel="stylesheet"`)
      .replace('<body>', `<body class="${THEMES[theme].bodyClass}">`)
      .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/fake-host.js"></script>\n  <script nonce="${nonce}"`);
    writeFileSync(join(OUT, `${theme}.html`), html);
    if (theme === 'dark') writeFileSync(join(OUT, 'index.html'), html);
  }
  const size = readFileSync(join(ROOT, 'dist/webview.js')).length;
  console.log(`preview written to ${OUT} (dist/webview.js ${(size / 1024).toFixed(1)} KiB)`);
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

function readPreviewFile(pathname: string): { body: Buffer; type: string } | undefined {
  const name = pathname.replace(/^\/+/, '') || 'index.html';
  if (!/^[\w.-]+$/.test(name)) return undefined;
  try {
    return { body: readFileSync(join(OUT, name)), type: TYPES[extname(name)] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}

interface Shot { name: string; theme: 'dark' | 'light'; scenario: string; width?: number; height?: number }

const SHOTS_TO_TAKE: Shot[] = [
  // Tall enough to show the whole thread: the panel scrolls inside, so fullPage cannot.
  { name: 'webview-answer-dark', theme: 'dark', scenario: 'answer', height: 1180 },
  { name: 'webview-answer-light', theme: 'light', scenario: 'answer', height: 1180 },
  { name: 'webview-streaming-dark', theme: 'dark', scenario: 'streaming' },
  { name: 'webview-empty-dark', theme: 'dark', scenario: 'empty' },
  { name: 'webview-empty-light', theme: 'light', scenario: 'empty' },
  { name: 'webview-error-light', theme: 'light', scenario: 'error' },
  { name: 'webview-error-dark', theme: 'dark', scenario: 'error' },
  { name: 'webview-xss-dark', theme: 'dark', scenario: 'xss' },
  { name: 'webview-narrow-dark', theme: 'dark', scenario: 'answer', width: 360 },
];

async function screenshots(): Promise<void> {
  const { chromium } = await import('playwright-core');
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const problems: string[] = [];
  try {
    for (const shot of [...SHOTS_TO_TAKE, { name: '', theme: 'dark' as const, scenario: 'perf' }]) {
      const context = await browser.newContext({ viewport: { width: shot.width ?? 560, height: shot.height ?? 760 }, colorScheme: shot.theme, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const leaked: string[] = [];
      await page.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        const file = url.origin === ORIGIN ? readPreviewFile(url.pathname) : undefined;
        if (file) return route.fulfill({ status: 200, body: file.body, contentType: file.type });
        leaked.push(route.request().url());
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${ORIGIN}/${shot.theme}.html?scenario=${shot.scenario}`);
      await page.waitForFunction(() => (window as unknown as { __previewDone: boolean }).__previewDone, undefined, { timeout: 60_000 });
      const report = await page.evaluate(() => {
        const w = window as unknown as { __pwnedBy: string[]; __cspViolations: string[]; __frameMs: number[]; __posted: unknown[] };
        return { pwned: w.__pwnedBy, csp: w.__cspViolations, frames: w.__frameMs, posted: w.__posted.length, overflowX: document.documentElement.scrollWidth > document.documentElement.clientWidth };
      });
      const label = shot.name || 'perf';
      if (report.pwned.length) problems.push(`${label}: script ran: ${report.pwned.join(', ')}`);
      if (report.csp.length) problems.push(`${label}: CSP violations: ${report.csp.join('; ')}`);
      if (leaked.length) problems.push(`${label}: requests left the page: ${leaked.join(', ')}`);
      if (errors.length) problems.push(`${label}: console errors: ${errors.join('; ')}`);
      if (report.overflowX) problems.push(`${label}: the page scrolls sideways`);
      if (shot.scenario === 'perf') {
        const frames = report.frames.filter((ms) => ms > 0);
        const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
        const tenth = Math.floor(frames.length / 10);
        console.log(`perf: ${frames.length} frames; median ms per frame: first tenth ${median(frames.slice(0, tenth)).toFixed(2)}, last tenth ${median(frames.slice(-tenth)).toFixed(2)}`);
      } else {
        const file = join(SHOTS, `${shot.name}.png`);
        await page.screenshot({ path: file });
        console.log(`screenshot ${file}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  if (problems.length) {
    console.error(problems.map((p) => `PROBLEM ${p}`).join('\n'));
    process.exitCode = 1;
  }
}

async function serve(): Promise<void> {
  const server = createServer((req, res) => {
    const file = readPreviewFile(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (!file) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as { port: number };
  await buildPreview(`http://127.0.0.1:${port}`);
  console.log(`open http://127.0.0.1:${port}/dark.html?scenario=answer (or light.html; scenarios: answer, streaming, empty, error, xss, perf). Ctrl+C stops.`);
}

if (process.argv.includes('--serve')) {
  void serve();
} else {
  buildPreview(ORIGIN).then(screenshots).catch((error) => { console.error(error); process.exitCode = 1; });
}
