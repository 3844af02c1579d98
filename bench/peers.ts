/**
 * Installs the peers the benchmark compares against into bench/.peers (git-ignored), on first use,
 * from the npm registry, at pinned versions, outside the extension bundle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PEERS_DIR = join(__dirname, '.peers');

const MANIFEST = {
  private: true,
  dependencies: {
    '@portkey-ai/gateway': '1.15.2',
    // Versions that still run on Node 20 (ai 6+ needs Node 22).
    ai: '5.0.277',
    '@ai-sdk/openai-compatible': '1.0.61',
  },
  // @hono/node-server above 1.14.1 breaks the gateway's streaming.
  overrides: { '@hono/node-server': '1.14.1' },
};

export function ensurePeers(): void {
  const manifest = join(PEERS_DIR, 'package.json');
  const stamp = join(PEERS_DIR, '.installed');
  const wanted = JSON.stringify(MANIFEST, null, 2);
  if (existsSync(stamp) && existsSync(manifest) && readFileSync(manifest, 'utf8') === wanted) return;
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(manifest, wanted);
  process.stderr.write('bench: installing peers into bench/.peers (first run only)…\n');
  // npm test exports npm_* variables that would point the nested install at this project.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: PEERS_DIR, stdio: 'inherit', env });
  writeFileSync(stamp, new Date().toISOString());
}

export const portkeyEntry = () => join(PEERS_DIR, 'node_modules/@portkey-ai/gateway/build/start-server.js');
