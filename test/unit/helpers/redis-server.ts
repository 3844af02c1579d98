/**
 * A real redis-server for the shared-state tests (Debian's package; .ci/run installs it): on a
 * free loopback port, nothing saved to disk, started and stopped by the test. `kill` and `start`
 * again on the same port stand for an outage; `pause`/`resume` (SIGSTOP/SIGCONT) for a Redis that
 * holds connections open and answers nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './wait';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  url: string;
  /** A client of the test's own, to look at what the proxies stored. */
  client: Redis;
  kill(): Promise<void>;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let output = '';
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  client.on('error', () => {}); // it reconnects; the tests poll for what they need
  const start = async () => {
    proc = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
    proc.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
    await waitFor(() => /Ready to accept connections/.test(output) || proc!.exitCode !== null, `redis-server on port ${port} to start`, 20_000);
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${output.slice(-500)}`);
    output = '';
    if (client.status === 'wait') await client.connect();
    await waitFor(() => client.status === 'ready', 'the test client to reach redis-server', 20_000);
  };
  const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => p.once('exit', () => resolve())));
  const kill = async () => {
    const p = proc!;
    p.kill('SIGKILL');
    await exited(p);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client,
    kill,
    start,
    pause: () => { proc!.kill('SIGSTOP'); },
    resume: () => { proc!.kill('SIGCONT'); },
    stop: async () => {
      client.disconnect();
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT');
        await kill();
      }
    },
  };
}
