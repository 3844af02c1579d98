/**
 * The window every UI suite works in, set up and taken down in one place. Called at the top of a
 * suite's `describe`, uiSuite() registers the hooks: `before` starts the suite's mock providers, a
 * copy of the fixture workspace in a scratch folder, the VS Code server (extension in development
 * mode, the suite's user settings) and Chromium, and waits for AnyModel's status bar item;
 * `afterEach` photographs a failed test (test-results/screenshots/ui-<name>-failed-*.png); `after`
 * closes the browser, stops the server, closes the mocks and removes the scratch folder. Ctrl+C
 * runs the same cleanup (scripts/vscode/signals.ts).
 *
 * It hands back a Workbench at once (its page arrives in `before`) and, from `before` on, the
 * mocks, the workspace folder and the browser dialogs seen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { openBrowser, type OpenBrowser } from '../../scripts/vscode/browser';
import { ensureVSCodeServer } from '../../scripts/vscode/install';
import { FIXTURE_WORKSPACE, ROOT } from '../../scripts/vscode/paths';
import { startServer, type RunningServer } from '../../scripts/vscode/server';
import { onInterrupt } from '../../scripts/vscode/signals';
import { Workbench } from './workbench';

/** What a suite starts before the window: mock providers, and anything else with a close(). */
export type Mocks = Record<string, { close(): Promise<void> }>;

export interface UiSuiteOptions<M extends Mocks> {
  /** Names the scratch folder, the server log (test-results/logs/ui-<name>-server.log) and failure screenshots. */
  name: string;
  /** The server log's file name under test-results/logs/, when not ui-<name>-server.log. */
  logName?: string;
  /** Started first (in the order the suite chooses), closed after the server stopped. */
  mocks?: () => Promise<M>;
  /**
   * The workspace copy's .vscode/settings.json. A workspace value would shadow the user settings
   * a suite sets, so suites that set models empty it. Omitted: the fixture workspace as it is.
   */
  workspaceSettings?: string;
  /** More files in the workspace copy, by path inside it. */
  files?: Record<string, string>;
  /** Files in VS Code's user data folder before the window opens (an extension's stored state), by path inside it. */
  userFiles?: () => Record<string, string>;
  /** User settings over the harness defaults (scripts/vscode/server.ts); they may name the mocks. */
  settings?: (mocks: M) => Record<string, unknown> | Promise<Record<string, unknown>>;
  viewport?: { width: number; height: number };
  /** Steps after AnyModel is up and before the first test, in the same (long) before hook. */
  ready?: (suite: UiSuite<M>) => Promise<void>;
}

export interface UiSuite<M extends Mocks> {
  readonly wb: Workbench;
  readonly mocks: M;
  /** The folder the window has open. */
  readonly workspace: string;
  /** VS Code's user data folder (User/settings.json); only for a suite with a workspace copy. */
  readonly userDataDir: string;
  /** Browser dialogs (alert, confirm) the page opened, dismissed as they came: `type: message`. */
  readonly dialogs: string[];
}

/** Text as the DOM holds it: innerText is empty for a message the browser skipped painting (content-visibility: auto). */
export const text = async (l: Locator): Promise<string> => (await l.textContent({ timeout: 10_000 }) ?? '').trim();

export function uiSuite<M extends Mocks = Record<never, never>>(options: UiSuiteOptions<M>): UiSuite<M> {
  const wb = new Workbench();
  const dialogs: string[] = [];
  let mocks: M | undefined;
  let scratch: string | undefined;
  let server: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  let releaseSignals = () => {};
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in the suite's before hook`);
    return value;
  };
  const suite: UiSuite<M> = {
    wb,
    dialogs,
    get mocks() { return ready(mocks, 'the mocks'); },
    get workspace() { return scratch ? path.join(scratch, 'workspace') : FIXTURE_WORKSPACE; },
    get userDataDir() { return path.join(ready(scratch, 'the scratch folder'), 'user-data'); },
  };

  const cleanup = async () => {
    await browser?.close();
    await server?.stop();
    // Last started, first closed: a front that forwards to a mock goes before the mock.
    for (const mock of Object.values(mocks ?? {}).reverse()) await mock.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  };

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs the VS Code server
    await ensureVSCodeServer();
    releaseSignals = onInterrupt(cleanup);
    const t0 = Date.now();
    mocks = await (options.mocks?.() ?? Promise.resolve({} as M));
    if (options.workspaceSettings !== undefined) {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), `anymodel-ui-${options.name}-`));
      fs.cpSync(FIXTURE_WORKSPACE, suite.workspace, { recursive: true });
      fs.writeFileSync(path.join(suite.workspace, '.vscode', 'settings.json'), options.workspaceSettings);
      for (const [file, content] of Object.entries(options.files ?? {})) {
        fs.mkdirSync(path.dirname(path.join(suite.workspace, file)), { recursive: true });
        fs.writeFileSync(path.join(suite.workspace, file), content);
      }
      for (const [file, content] of Object.entries(options.userFiles?.() ?? {})) {
        fs.mkdirSync(path.dirname(path.join(suite.userDataDir, file)), { recursive: true });
        fs.writeFileSync(path.join(suite.userDataDir, file), content);
      }
    }
    server = await startServer({
      ...(scratch ? { userDataDir: suite.userDataDir } : {}),
      logFile: path.join(ROOT, 'test-results/logs', options.logName ?? `ui-${options.name}-server.log`),
      settings: (await options.settings?.(mocks)) ?? {},
    });
    const serverMs = Date.now() - t0;
    browser = await openBrowser(options.viewport);
    browser.page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    wb.attach(browser.page);
    // The default 30 s is not enough for the first load of the workbench on a loaded machine.
    await browser.page.goto(server.workbenchUrl({ folder: suite.workspace, extensionDevelopmentPaths: [ROOT] }), { timeout: 180_000 });
    await wb.waitUntilReady();
    // The extension activates on startup finished; its status bar item is the sign it is up.
    await wb.modelStatusItem().waitFor({ state: 'visible', timeout: 60_000 });
    console.log(`      server ready in ${serverMs} ms; window with AnyModel active ${Date.now() - t0} ms after start`);
    await options.ready?.(suite);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) await wb.screenshot(`ui-${options.name}-failed-${this.currentTest.title.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await cleanup();
    releaseSignals();
  });

  return suite;
}
