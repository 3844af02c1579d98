// Stands in for the VS Code executable that @vscode/test-electron's runTests (or @vscode/test-cli's
// useInstallation.fromPath) would start. It takes the same flags, starts the VS Code server from
// the code-server package, opens the workbench in headless Chromium with the extension under
// development and the test runner, forwards the test output, and exits with the tests' exit code.
// Mocha then runs in a real Node extension host (vscode.env.uiKind is Web).
//
// Entry: scripts/code-shim.cjs (an executable file, as runTests expects).
// Env: VSCODE_SHIM_TIMEOUT_MS (default 300000), VSCODE_SHIM_VERBOSE=1 echoes the server's output.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { openBrowser, type OpenBrowser } from './browser';
import { ensureVSCodeServer } from './install';
import { ROOT } from './paths';
import { startServer, type RunningServer } from './server';
import { onInterrupt } from './signals';

/**
 * The workbench reports its own console through the same channel as the tests. These lines are
 * its routine chatter (and, with no network here, failed marketplace look-ups); they go to the
 * log file only, so the test output stays readable. VSCODE_SHIM_VERBOSE=1 prints them too.
 */
const WORKBENCH_CHATTER = [/^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/, /^\[Service Worker\]/, /^\[AgentHost/, /^\[AccountPolicyGate\]/,
  /getaddrinfo (ENOTFOUND|EAI_AGAIN)/];

interface ShimArgs {
  devPaths: string[];
  testsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  folder?: string;
}

/** Accepts `--flag=value` and `--flag value` for the flags that matter; other desktop flags are ignored. */
export function parseArgs(argv: string[]): ShimArgs {
  const out: ShimArgs = { devPaths: [] };
  const withValue = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      out.folder ??= path.resolve(arg);
      continue;
    }
    const name = m[1] as string;
    if (!withValue.has(name)) continue; // --no-sandbox, --disable-updates, --skip-welcome, ...
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name === 'extensionDevelopmentPath') out.devPaths.push(path.resolve(value));
    else if (name === 'extensionTestsPath') out.testsPath = path.resolve(value);
    else if (name === 'user-data-dir') out.userDataDir = path.resolve(value);
    else out.extensionsDir = path.resolve(value);
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const verbose = process.env.VSCODE_SHIM_VERBOSE === '1';
  if (!args.testsPath) throw new Error('code-shim only runs tests: pass --extensionTestsPath (use scripts/start.ts to work interactively)');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(2)} s`;
  await ensureVSCodeServer();
  const failureShot = path.join(ROOT, 'test-results/screenshots/integration-failure.png');
  fs.rmSync(failureShot, { force: true }); // only a failing run leaves one

  let server: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  const cleanup = async () => {
    await browser?.close();
    await server?.stop();
  };
  const releaseSignals = onInterrupt(cleanup);
  try {
    server = await startServer({
      userDataDir: args.userDataDir,
      extensionsDir: args.extensionsDir,
      verbose,
      logFile: path.join(ROOT, 'test-results/logs/integration-server.log'),
    });
    console.log(`[code-shim] VS Code server ready after ${elapsed()} on ${server.origin}`);
    browser = await openBrowser();
    const { page } = browser;
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    // The workbench's smoke-test driver reports the extension host's test output and exit code
    // through these two window functions.
    const logDir = path.join(ROOT, 'test-results/logs');
    fs.mkdirSync(logDir, { recursive: true });
    const workbenchLog = fs.createWriteStream(path.join(logDir, 'integration-workbench.log'));
    await page.exposeFunction('codeAutomationLog', (type: string, logArgs: unknown[]) => {
      const text = util.format(...(logArgs ?? []));
      workbenchLog.write(`${type}: ${text}\n`);
      if (!verbose && WORKBENCH_CHATTER.some((re) => re.test(text))) return;
      (type === 'error' ? console.error : console.log)(text);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => finish(typeof code === 'number' ? code : 1));
    page.on('crash', () => {
      console.error('[code-shim] the workbench page crashed');
      finish(1);
    });
    const timeoutMs = Number(process.env.VSCODE_SHIM_TIMEOUT_MS ?? 300_000);
    const timer = setTimeout(() => {
      console.error(`[code-shim] no test result after ${timeoutMs / 1000} s; last server output:\n${server?.logTail()}`);
      finish(124);
    }, timeoutMs);
    await page.goto(server.workbenchUrl({ folder: args.folder, extensionDevelopmentPaths: args.devPaths, extensionTestsPath: args.testsPath }));
    const code = await finished;
    clearTimeout(timer);
    if (code !== 0) {
      // A picture of the window at the moment of failure; the server log is copied next to it.
      fs.mkdirSync(path.dirname(failureShot), { recursive: true });
      await page.screenshot({ path: failureShot }).catch(() => undefined);
      console.error(`[code-shim] screenshot of the failing window: ${path.relative(ROOT, failureShot)}`);
    }
    await new Promise((r) => setTimeout(r, 200)); // the last codeAutomationLog calls may still be in flight
    workbenchLog.end();
    console.log(`[code-shim] tests exited ${code} after ${elapsed()}`);
    return code;
  } finally {
    await cleanup();
    releaseSignals();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('[code-shim] failed:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
