/**
 * Proxy replicas as they ship: the CLI and the Redis backend bundled by esbuild.js into a
 * temporary folder (dist/cli.js beside dist/redis-state.js), each replica its own
 * `node cli.js proxy --config …` process on a free loopback port, its stderr kept for the
 * assertions on what it logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { waitFor } from './wait';

const ROOT = resolve(__dirname, '../../..');

export interface Bundles {
  dir: string;
  cli: string;
  remove(): void;
}

/** Builds the CLI and the Redis state bundle (and the editor's services bundle, to look at) like `npm run build`. */
export async function buildBundles(): Promise<Bundles> {
  const dir = mkdtempSync(join(tmpdir(), 'anymodel-bundles-'));
  const { targets } = require(join(ROOT, 'esbuild.js')) as { targets: BuildOptions[] };
  const wanted = ['src/proxy/cli.ts', 'src/core/state/redis.ts', 'src/extension/services.ts'];
  await Promise.all(targets.filter((t) => wanted.includes((t.entryPoints as string[])[0]!)).map((t) =>
    build({ ...t, absWorkingDir: ROOT, outfile: join(dir, t.outfile!.replace(/^dist\//, '')), sourcemap: false, logLevel: 'silent' })));
  return { dir, cli: join(dir, 'cli.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Replica {
  url: string;
  proc: ChildProcess;
  /** Everything it wrote to stderr (the request log and the shared-state lines). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startReplica(cli: string, config: string, env: Record<string, string> = {}): Promise<Replica> {
  const proc = spawn(process.execPath, [cli, 'proxy', '--config', config, '--port', '0', '--grace-seconds', '1'], { env: { ...process.env, ANYMODEL_MASTER_KEY: '', REDIS_URL: '', REDIS_HOST: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const m = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out) ?? (proc.exitCode !== null ? ['', ''] : undefined), 'a replica to listen', 30_000);
  if (!m[1]) throw new Error(`the replica exited: ${err}`);
  return {
    url: m[1],
    proc,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
