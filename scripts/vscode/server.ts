// Starts the VS Code server (server-main.js from the code-server package) on 127.0.0.1 and stops it
// with everything it started. The workbench it serves is the real VS Code; a browser pointed at
// workbenchUrl() gets a full window with a Node extension host behind it.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SERVER_MAIN, SERVER_NODE, CACHE_DIR } from './paths';

export interface ServerOptions {
  /** VS Code user data (User/settings.json lives here). A fresh temp folder when omitted. */
  userDataDir?: string;
  extensionsDir?: string;
  /** Server state and logs (extension host logs are under data/logs). A temp folder when omitted. */
  serverDataDir?: string;
  /** Port to listen on; a free one when omitted. Always on 127.0.0.1. */
  port?: number;
  /** Extra user settings, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Copy the server's output here (also kept in the run's temp folder until stop()). */
  logFile?: string;
  /** Echo the server's output to stderr as it comes. */
  verbose?: boolean;
}

export interface WorkbenchTarget {
  /** Folder to open (a path on this machine; the server is local). */
  folder?: string;
  /** Loaded like F5's Extension Development Host does. */
  extensionDevelopmentPaths?: string[];
  /** A module exporting run(); VS Code runs it in the extension host and reports the result. */
  extensionTestsPath?: string;
}

export interface RunningServer {
  origin: string;
  workbenchUrl(target: WorkbenchTarget): string;
  /** The last lines the server printed, for error messages. */
  logTail(lines?: number): string;
  /** Resolves when the server process exits, whether stop() ended it or it died. */
  exited: Promise<void>;
  /** Resolves once the server and every process in its group are gone. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Harness defaults: no welcome page or walkthrough over the editor, nothing that would try to
 * reach the network (these machines have none), no AI chat side bar from VS Code itself.
 */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  // An empty secondary side bar (where VS Code's own chat would live) only takes room in screenshots.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function writeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // missing, or JSON with comments written by a person: the harness settings win either way
  }
  fs.writeFileSync(file, JSON.stringify({ ...existing, ...DEFAULT_SETTINGS, ...extra }, null, 2));
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  if (!fs.existsSync(SERVER_MAIN)) throw new Error(`VS Code server missing at ${SERVER_MAIN}; run: node --import tsx scripts/vscode/install.ts`);
  // Own scratch folder: the server leaves sockets in $TMPDIR and starts helper processes there.
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-vscode-'));
  const userDataDir = options.userDataDir ?? path.join(scratch, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(scratch, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, options.settings ?? {});
  const port = options.port ?? (await freePort());
  // A token even on loopback: without one any web page in the user's browser could drive the server.
  const token = crypto.randomBytes(16).toString('hex');
  const serverLog = path.join(scratch, 'server.log');
  const logStream = fs.createWriteStream(serverLog);

  const child: ChildProcess = spawn(SERVER_NODE, [SERVER_MAIN,
    '--host', '127.0.0.1', '--port', String(port), '--connection-token', token,
    '--accept-server-license-terms', '--telemetry-level', 'off', '--disable-workspace-trust',
    // Built VS Code honours the URL payload's extensionDevelopmentPath and extensionTestsPath only
    // with the smoke-test driver on (without it the window opens without the extension under
    // development), and reports test results through window.codeAutomationExit with it.
    '--enable-smoke-test-driver',
    '--user-data-dir', userDataDir, '--server-data-dir', options.serverDataDir ?? path.join(scratch, 'server-data'),
    '--extensions-dir', extensionsDir], {
    env: { ...process.env, TMPDIR: scratch, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so stop() can end the server and every helper it started in one call.
    detached: true,
  });
  const exitGuard = () => killGroup(child.pid, 'SIGKILL'); // last resort if our process dies without stop()
  process.on('exit', exitGuard);
  const lines: string[] = [];
  const onOutput = (chunk: Buffer) => {
    logStream.write(chunk);
    if (options.verbose) process.stderr.write(`[vscode-server] ${chunk.toString()}`);
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const logTail = (n = 40) => lines.slice(-n).join('\n');

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (async () => {
    const pid = child.pid;
    killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (pid !== undefined && groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    killGroup(pid, 'SIGKILL'); // helpers that ignored SIGTERM
    if (!exited) await Promise.race([exitedPromise, new Promise((r) => setTimeout(r, 2000))]);
    process.off('exit', exitGuard);
    await new Promise<void>((resolve) => logStream.end(resolve));
    if (options.logFile) {
      fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
      fs.copyFileSync(serverLog, options.logFile);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  })());

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`VS Code server exited during startup:\n${logTail()}`);
    }
    try {
      if ((await fetch(`${origin}/version`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`VS Code server did not answer on ${origin} within 60 s:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  const workbenchUrl = (target: WorkbenchTarget) => {
    // The web workbench takes what desktop VS Code gets as flags from the URL's payload.
    const payload: [string, string][] = (target.extensionDevelopmentPaths ?? []).map((p) => ['extensionDevelopmentPath', remote(p)]);
    if (target.extensionTestsPath) payload.push(['extensionTestsPath', remote(target.extensionTestsPath)]);
    payload.push(['skipWelcome', 'true']);
    const query = new URLSearchParams({ tkn: token });
    if (target.folder) query.set('folder', path.resolve(target.folder));
    else query.set('ew', 'true');
    query.set('payload', JSON.stringify(payload));
    return `${origin}/?${query.toString()}`;
  };
  return { origin, workbenchUrl, logTail, exited: exitedPromise, stop };
}
