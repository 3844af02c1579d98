/**
 * What sharing state in Redis adds per request: two `anymodel proxy` processes with one config,
 * one keeping its state in memory and one in a redis-server this suite starts on a free loopback
 * port (nothing saved to disk), in front of the bench upstream. The config makes every request
 * touch the shared state: usage-based-routing-v2 over two deployments with rpm limits (a read of
 * cooldowns and counters, then an atomic rpm reservation: two round trips before the upstream
 * call), prices (a spend write after it) and the tpm count. The cache is off: a hit would hide
 * the cost. Slices are taken in turn, as in the proxy suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop, makeTarget, okTimings, openLoop, pct, send, type Phase, type Target, type Timing } from '../lib/load';
import { CPU } from '../lib/machine';
import { cpuMs, startChild, type Child } from '../lib/processes';
import { fmt, type BenchContext, type Suite, type SuiteResult } from '../lib/report';
import { requestBody, startUpstream } from './proxy-targets';

const REDIS_SERVER = '/usr/bin/redis-server';
const RATE = 100;
const CONNECTIONS = 50;
const SLICE_S = 5;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(pin: boolean): Promise<{ proc: ChildProcess; port: number }> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is not installed (apt-get install redis-server)`);
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const proc = pin ? spawn('taskset', ['-c', String(CPU.upstream), REDIS_SERVER, ...args], { stdio: ['ignore', 'pipe', 'ignore'] }) : spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/Ready to accept connections/.test(out)) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-300)}`)));
  });
  return { proc, port };
}

function config(upstreamPort: number, redisPort?: number): string {
  const dep = (model: string) => [
    '  - model_name: bench',
    '    litellm_params:',
    `      model: openai/${model}`,
    `      api_base: http://127.0.0.1:${upstreamPort}/v1`,
    '      api_key: bench-key',
    '      rpm: 100000000',
    '      input_cost_per_token: 0.000001',
    '      output_cost_per_token: 0.000002',
  ];
  return [
    'model_list:', ...dep('bench-model-a'), ...dep('bench-model-b'),
    'router_settings:',
    '  routing_strategy: usage-based-routing-v2',
    ...(redisPort ? ['  redis_host: 127.0.0.1', `  redis_port: ${redisPort}`] : []),
    'litellm_settings:',
    '  num_retries: 0',
    '',
  ].join('\n');
}

async function startProxy(root: string, dir: string, name: string, text: string, pin: boolean): Promise<Child> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return startChild({ name, args: [join(root, 'dist/cli.js'), 'proxy', '--config', file, '--port', '0', '--host', '127.0.0.1'], cpu: CPU.systemUnderTest, ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/ }, pin);
}

interface Measured { ok: Timing[]; seconds: number; cpuMs: number; errors: number }

async function interleaved(pairs: { target: Target; child: Child }[], ctx: BenchContext, run: (t: Target, s: number) => Promise<Phase>): Promise<Measured[]> {
  for (const p of pairs) await run(p.target, ctx.warmS);
  const slices = Math.max(1, Math.round(ctx.phaseS / SLICE_S));
  const out = pairs.map(() => ({ timings: [] as Timing[], seconds: 0, cpuMs: 0 }));
  for (let s = 0; s < slices; s++) {
    for (const [i, p] of pairs.entries()) {
      const cpu0 = cpuMs(p.child.pid);
      const phase = await run(p.target, ctx.phaseS / slices);
      out[i]!.cpuMs += cpuMs(p.child.pid) - cpu0;
      out[i]!.timings.push(...phase.timings);
      out[i]!.seconds += phase.seconds;
    }
  }
  return out.map((m) => {
    const ok = okTimings(m.timings);
    return { ok, seconds: m.seconds, cpuMs: m.cpuMs, errors: m.timings.length - ok.length };
  });
}

export const proxyRedisSuite: Suite = {
  id: 'proxy-redis',
  title: 'Proxy with its state in Redis',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const pin = ctx.machine.pinned;
    const dir = mkdtempSync(join(tmpdir(), 'anymodel-bench-redis-'));
    const children: Child[] = [];
    let redis: ChildProcess | undefined;
    try {
      const upstream = await startUpstream(pin, CPU.upstream);
      children.push(upstream);
      const r = await startRedis(pin);
      redis = r.proc;
      const memory = await startProxy(ctx.root, dir, 'anymodel memory', config(upstream.port), pin);
      children.push(memory);
      const shared = await startProxy(ctx.root, dir, 'anymodel redis', config(upstream.port, r.port), pin);
      children.push(shared);
      const pairs = [
        { target: makeTarget('anymodel (memory)', `http://127.0.0.1:${memory.port}/v1/chat/completions`), child: memory },
        { target: makeTarget('anymodel + redis', `http://127.0.0.1:${shared.port}/v1/chat/completions`), child: shared },
      ];
      const body = requestBody(false);
      for (const p of pairs) if (!(await send(p.target, body)).ok) throw new Error(`${p.target.name} does not answer`);
      // One client, one request at a time: the latency a request pays, without queueing behind others.
      const serial = await interleaved(pairs, ctx, (t, s) => closedLoop(t, body, 1, s));
      const open = await interleaved(pairs, ctx, (t, s) => openLoop(t, body, RATE, s));
      const closed = await interleaved(pairs, ctx, (t, s) => closedLoop(t, body, CONNECTIONS, s));
      const redisCpu = cpuMs(redis.pid!);
      return report(pairs.map((p) => p.target.name), serial, open, closed, redisCpu);
    } finally {
      await Promise.all(children.map((c) => c.stop()));
      if (redis && redis.exitCode === null) {
        const gone = new Promise((resolve) => redis!.once('exit', resolve));
        redis.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function report(names: string[], serial: Measured[], open: Measured[], closed: Measured[], redisCpuMs: number): SuiteResult {
  const ms = (m: Measured, p: number) => pct(m.ok.map((t) => t.ms), p);
  const added = (m: Measured[], p: number) => ms(m[1]!, p) - ms(m[0]!, p);
  const cpu = (m: Measured) => m.cpuMs / Math.max(1, m.ok.length);
  const rows = names.map((name, i) => {
    const first = i === 0;
    return [name, fmt(ms(serial[i]!, 50), 3), fmt(first ? undefined : added(serial, 50), 3), fmt(ms(open[i]!, 50), 3), fmt(ms(open[i]!, 99), 3), fmt(first ? undefined : added(open, 50), 3), fmt(first ? undefined : added(open, 99), 3),
      fmt(cpu(open[i]!), 3), fmt(closed[i]!.ok.length / closed[i]!.seconds, 0), serial[i]!.errors + open[i]!.errors + closed[i]!.errors];
  });
  const rps = (i: number) => closed[i]!.ok.length / closed[i]!.seconds;
  const throughput = rps(1) / rps(0);
  return {
    tables: [{
      title: `Shared state in Redis vs in memory (ms; added = redis − memory): one client in sequence, open loop at ${RATE} rps, closed loop with ${CONNECTIONS} connections`,
      headers: ['target', 'serial p50', 'added serial p50', `p50 @ ${RATE}`, `p99 @ ${RATE}`, 'added p50', 'added p99', 'CPU ms/req', 'max req/s', 'errors'],
      rows,
      notes: [
        'Both proxies: usage-based-routing-v2 over two deployments with rpm limits, prices, no cache. With Redis each request reads cooldowns and counters (one Lua call), takes its rpm atomically (another), and writes its spend and tpm (no wait).',
        `redis-server CPU over the suite: ${fmt(redisCpuMs, 0)} ms.`,
      ],
    }],
    targets: [{
      suite: 'proxy-redis', name: 'Redis-backed state: added latency per request (stated, no limit)', pass: undefined,
      measured: `added p50 ${fmt(added(serial, 50), 3)} ms in sequence, ${fmt(added(open, 50), 3)} ms at ${RATE} rps; CPU ${fmt(cpu(open[1]!), 3)} vs ${fmt(cpu(open[0]!), 3)} ms/req; max throughput ${fmt(throughput * 100, 0)} % of the in-memory proxy's`,
    }],
    data: {
      serial: Object.fromEntries(names.map((n, i) => [n, { p50: ms(serial[i]!, 50), p99: ms(serial[i]!, 99) }])),
      open: Object.fromEntries(names.map((n, i) => [n, { p50: ms(open[i]!, 50), p99: ms(open[i]!, 99), cpuMsPerRequest: cpu(open[i]!) }])),
      closed: Object.fromEntries(names.map((n, i) => [n, rps(i)])),
      addedSerialP50: added(serial, 50), addedP50: added(open, 50), throughputRatio: throughput,
    },
  };
}
