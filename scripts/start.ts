// `npm start`: the extension in development mode in a real VS Code.
//
//   npm start                      VS Code (server from the code-server package) on 127.0.0.1;
//                                  prints the URL to open in a browser. Ctrl+C stops everything.
//   npm start -- --desktop         desktop VS Code (`code` on PATH) with --extensionDevelopmentPath.
//   npm start -- [--port N] [DIR]  another port, or another folder to open.
//
// Without DIR it opens .vscode-test/playground, a copy of test/fixtures/workspace made on the
// first start (so what you change there never touches the test fixture). User settings persist
// in .vscode-test/start/ between starts.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureVSCodeServer } from './vscode/install';
import { CACHE_DIR, FIXTURE_WORKSPACE, ROOT } from './vscode/paths';
import { startServer } from './vscode/server';
import { onInterrupt } from './vscode/signals';

interface StartArgs {
  desktop: boolean;
  port?: number;
  folder?: string;
}

function parseArgs(argv: string[]): StartArgs {
  const args: StartArgs = { desktop: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--desktop') args.desktop = true;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      args.port = Number(value);
      if (!Number.isInteger(args.port) || args.port <= 0 || args.port > 65535) throw new Error(`--port needs a port number, got ${value}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm start -- [--desktop] [--port N] [folder]');
      process.exit(0);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg} (usage: npm start -- [--desktop] [--port N] [folder])`);
    else args.folder = path.resolve(arg);
  }
  return args;
}

function playground(): string {
  const dir = path.join(CACHE_DIR, 'playground');
  if (!fs.existsSync(dir)) fs.cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  return dir;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function startDesktop(folder: string): Promise<number> {
  if (!onPath('code')) {
    console.error('--desktop needs the `code` command on PATH (VS Code: "Shell Command: Install \'code\' command in PATH"). Without --desktop, npm start serves VS Code to your browser.');
    return 1;
  }
  console.log(`Opening desktop VS Code with the extension from ${ROOT} on ${folder}`);
  // `code` hands over to the running VS Code and returns; --wait keeps this process tied to the window.
  const child = spawn('code', ['--new-window', '--wait', `--extensionDevelopmentPath=${ROOT}`, folder], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}

async function startWeb(folder: string, port: number | undefined): Promise<number> {
  const t0 = Date.now();
  await ensureVSCodeServer();
  const stateDir = path.join(CACHE_DIR, 'start');
  const server = await startServer({
    port,
    userDataDir: path.join(stateDir, 'user-data'),
    extensionsDir: path.join(stateDir, 'extensions'),
    serverDataDir: path.join(stateDir, 'server-data'),
    logFile: path.join(stateDir, 'server.log'),
    verbose: process.env.VSCODE_SERVER_VERBOSE === '1',
  });
  let interrupted = false;
  onInterrupt(async () => {
    interrupted = true;
    await server.stop();
  });
  const url = server.workbenchUrl({ folder, extensionDevelopmentPaths: [ROOT] });
  console.log([
    '',
    `VS Code with AnyModel in development mode is ready after ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
    `Folder: ${folder}`,
    '',
    'Open this URL in a browser on this machine (it carries the connection token):',
    '',
    `  ${url}`,
    '',
    'After changing the extension: run `npm run build` (or keep `npm run watch` running), then',
    '"Developer: Reload Window" in VS Code. Press Ctrl+C here to stop.',
    '',
  ].join('\n'));
  // Serve until Ctrl+C (onInterrupt stops the server and exits) or until the server dies on its own.
  await server.exited;
  if (interrupted) return new Promise<number>(() => {}); // onInterrupt finishes the cleanup and exits
  console.error(`The VS Code server stopped unexpectedly; its last output:\n${server.logTail()}`);
  await server.stop();
  return 1;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const folder = args.folder ?? playground();
  if (!fs.existsSync(folder)) throw new Error(`folder ${folder} does not exist`);
  return args.desktop ? startDesktop(folder) : startWeb(folder, args.port);
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
