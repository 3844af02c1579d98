/**
 * The peers the benchmark compares against, installed on first use from the npm registry into
 * bench/.peers (git-ignored), at the exact versions in bench/peers.json, outside the extension
 * bundle. Reinstalled when peers.json changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const BENCH_DIR = join(__dirname, '..');
export const PEERS_DIR = join(BENCH_DIR, '.peers');
const SPEC = join(BENCH_DIR, 'peers.json');

export function ensurePeers(log: (s: string) => void): void {
  const manifest = join(PEERS_DIR, 'package.json');
  const stamp = join(PEERS_DIR, '.installed');
  const wanted = readFileSync(SPEC, 'utf8');
  if (existsSync(stamp) && existsSync(manifest) && readFileSync(manifest, 'utf8') === wanted) return;
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(manifest, wanted);
  log('installing peers into bench/.peers (first run only)…');
  // `npm run` exports npm_* variables that would point the nested install at this project.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: PEERS_DIR, stdio: ['ignore', process.stderr, 'inherit'], env, timeout: 600_000 });
  writeFileSync(stamp, new Date().toISOString());
}

/** require() resolving from bench/.peers, for the SDK peers loaded into the benchmark process. */
export const requirePeer = createRequire(join(PEERS_DIR, 'package.json'));

export const portkeyEntry = (): string => join(PEERS_DIR, 'node_modules/@portkey-ai/gateway/build/start-server.js');

/** The installed version of a peer, for the report. */
export function peerVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
