/**
 * `npm run bench`: proxy overhead and core cost against peers measured in the same run, on this
 * machine, printed as tables with pass/fail per target, and written to bench/results/.
 * BENCH_PHASE_S (default 20) and BENCH_WARM_S (default 3) set the phase lengths.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePeers } from './peers';
import { proxyOverhead } from './proxy-overhead';
import { coreCost } from './core-cost';

const phaseS = Number(process.env.BENCH_PHASE_S ?? 20);
const warmS = Number(process.env.BENCH_WARM_S ?? 3);
const f = (n: number | undefined, d = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d));

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  ensurePeers();
  const root = join(__dirname, '..');
  execFileSync('node', ['esbuild.js', '--production'], { cwd: root, stdio: 'ignore' });
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(`AnyModel benchmarks on ${machine}; phases ${phaseS} s after ${warmS} s warm-up\n`);

  console.log('Proxy overhead (open loop, added = proxy − direct at the same percentile)…');
  const proxy = await proxyOverhead(phaseS, warmS, (s) => console.log(s));
  console.log(`\n${table(['target', 'phase', 'achieved rps', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50', 'added p90', 'added p99', 'CPU ms/req', 'RSS MB', 'errors'],
    proxy.rows.map((r) => [r.target, r.phase, f(r.achievedRps, 0), f(r.p50), f(r.p90), f(r.p99), f(r.addedP50), f(r.addedP90), f(r.addedP99), f(r.cpuMsPerReq, 3), f(r.rssMb, 0), r.errors]))}`);
  console.log(`\n${table(['target', 'max rps (50 connections)'], Object.entries(proxy.maxRps).map(([k, v]) => [k, f(v, 0)]))}`);
  console.log(`\n${table(['target', 'first chunk p50', 'first chunk p95', 'end p50', 'end p95', 'added first chunk p95', 'added end p95'],
    proxy.streams.map((s) => [s.target, f(s.ttfcP50), f(s.ttfcP95), f(s.endP50), f(s.endP95), f(s.addedTtfcP95), f(s.addedEndP95)]))}`);

  console.log('\nCore cost (CPU per request and per chunk, interleaved rounds)…');
  const core = await coreCost(Number(process.env.BENCH_ROUNDS ?? 6), 50, 200);
  console.log(`\n${table(['client', 'µs CPU / request', 'µs CPU / chunk'], core.map((c) => [c.name, f(c.usPerRequest, 0), f(c.usPerChunk, 1)]))}`);

  const sizes = Object.fromEntries(['extension.js', 'cli.js'].map((b) => [b, statSync(join(root, 'dist', b)).size]));
  console.log(`\nBundles (production): ${Object.entries(sizes).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`).join(', ')}`);

  const at100 = (t: string) => proxy.rows.find((r) => r.target === t && r.phase === '100 rps')!;
  const any = at100('anymodel');
  const streamAny = proxy.streams.find((s) => s.target === 'anymodel')!;
  const c = (n: string) => core.find((x) => x.name === n)!;
  const targets: [string, boolean, string][] = [
    ['proxy added p50 ≤ 0.3 ms @100 rps', any.addedP50! <= 0.3, `${f(any.addedP50, 3)} ms (portkey ${f(at100('portkey').addedP50, 3)} ms)`],
    ['proxy added p99 ≤ 1.5 ms @100 rps', any.addedP99! <= 1.5, `${f(any.addedP99, 3)} ms (portkey ${f(at100('portkey').addedP99, 3)} ms)`],
    ['max throughput ≥ 5× portkey', proxy.maxRps.anymodel! >= 5 * proxy.maxRps.portkey!, `${f(proxy.maxRps.anymodel! / proxy.maxRps.portkey!)}×`],
    ['added first chunk p95 ≤ 0.5 ms', streamAny.addedTtfcP95! <= 0.5, `${f(streamAny.addedTtfcP95, 3)} ms`],
    ['core request cost ≤ openai SDK', c('anymodel').usPerRequest <= c('openai SDK').usPerRequest, `${f(c('anymodel').usPerRequest / c('openai SDK').usPerRequest)}× the SDK`],
    ['core chunk cost ≤ 1.3× plain fetch', c('anymodel').usPerChunk <= 1.3 * c('fetch').usPerChunk, `${f(c('anymodel').usPerChunk / c('fetch').usPerChunk)}× fetch`],
  ];
  console.log(`\n${table(['target', 'result', 'measured'], targets.map(([n, ok, m]) => [n, ok ? 'pass' : 'FAIL', m]))}`);

  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, phaseS, warmS, proxy, core, sizes, targets }, null, 2));
  console.log(`\nResults: ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
