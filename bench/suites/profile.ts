/**
 * Where the proxy's time goes: `anymodel proxy` run under `node --cpu-prof`, driven with whole
 * answers at 50 connections and with streams, and the profiles summarised by source file and
 * function through dist/cli.js.map. Runs when a proxy target was missed (or BENCH_PROFILE=1;
 * BENCH_PROFILE=0 never). The .cpuprofile files stay in bench/results/profiles/ for DevTools.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSourceMap } from '../lib/build';
import { summariseProfile, type ProfileSummary } from '../lib/cpuprofile';
import { closedLoop, makeTarget, openLoop } from '../lib/load';
import { CPU } from '../lib/machine';
import { BENCH_DIR } from '../lib/peers';
import { fmt, type BenchContext, type Suite, type SuiteResult, type Table } from '../lib/report';
import { requestBody, startAnyModel, startUpstream, UPSTREAM_CHUNK_GAP_MS } from './proxy-targets';

const SCENARIOS = [
  { id: 'whole', label: 'whole answers, 50 connections', run: (url: string, s: number) => closedLoop(makeTarget('anymodel', url), requestBody(false), 50, s) },
  { id: 'stream', label: 'streams of 20 chunks at 100 rps', run: (url: string, s: number) => openLoop(makeTarget('anymodel', url), requestBody(true), 100, s) },
];

function profileWanted(ctx: BenchContext): boolean {
  if (process.env.BENCH_PROFILE === '0') return false;
  if (process.env.BENCH_PROFILE === '1') return true;
  return ctx.earlier.get('proxy')?.targets.some((t) => t.pass === false) ?? false;
}

const WARM_S = 1;

/** Profiles one scenario; the profile file and how many ms at its start to leave out (start-up, warm-up). */
async function profileOnce(ctx: BenchContext, scenario: (typeof SCENARIOS)[number], outDir: string): Promise<{ file: string; skipMs: number; requests: number }> {
  const seconds = Number(process.env.BENCH_PROFILE_S ?? Math.min(10, ctx.phaseS));
  const dir = mkdtempSync(join(tmpdir(), 'anymodel-prof-'));
  const upstream = await startUpstream(ctx.machine.pinned, CPU.upstream, { CHUNK_GAP_MS: String(UPSTREAM_CHUNK_GAP_MS) });
  try {
    const spawned = performance.now();
    const proxy = await startAnyModel(ctx.root, upstream.port, ctx.machine.pinned, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    let skipMs = 0;
    let requests = 0;
    try {
      const url = `http://127.0.0.1:${proxy.child.port}/v1/chat/completions`;
      await scenario.run(url, WARM_S);
      skipMs = performance.now() - spawned;
      const phase = await scenario.run(url, seconds);
      requests = phase.timings.filter((t) => t.ok).length;
      ctx.log(`  profiled ${scenario.label}: ${requests} requests in ${fmt(phase.seconds, 1)} s`);
    } finally {
      await proxy.child.stop(10_000); // SIGTERM: the CLI shuts down cleanly and node writes the profile
      proxy.cleanup();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the proxy wrote no CPU profile');
    const kept = join(outDir, `proxy-${scenario.id}.cpuprofile`);
    copyFileSync(join(dir, file), kept);
    return { file: kept, skipMs, requests };
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pctOf = (x: number) => `${fmt(x * 100, 1)} %`;

function tablesFor(label: string, s: ProfileSummary, requests: number): Table[] {
  const perReq = (ms: number) => fmt((ms * 1000) / Math.max(1, requests), 1);
  return [
    {
      title: `Profile, ${label}: CPU by area, self time (${fmt((s.busyMs * 1000) / Math.max(1, requests), 0)} µs sampled per request, profiler overhead included)`,
      headers: ['area', 'µs / request', 'share'],
      rows: s.areas.map((e) => [e.name, perReq(e.ms), pctOf(e.share)]),
    },
    { title: `Profile, ${label}: functions by self time`, headers: ['function', 'where', 'µs / request', 'share'], rows: s.topSelf.map((e) => [e.name, e.where, perReq(e.ms), pctOf(e.share)]) },
    { title: `Profile, ${label}: our functions by inclusive time (callees included)`, headers: ['function', 'where', 'µs / request', 'share'], rows: s.oursInclusive.map((e) => [e.name, e.where, perReq(e.ms), pctOf(e.share)]) },
  ];
}

export const profileSuite: Suite = {
  id: 'profile',
  title: 'Proxy CPU profile',
  wanted: profileWanted,
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const outDir = join(BENCH_DIR, 'results', 'profiles');
    mkdirSync(outDir, { recursive: true });
    const map = hasSourceMap(ctx.root) ? join(ctx.root, 'dist/cli.js.map') : undefined;
    const tables: Table[] = [];
    const data: Record<string, ProfileSummary & { requests: number }> = {};
    for (const scenario of SCENARIOS) {
      const { file, skipMs, requests } = await profileOnce(ctx, scenario, outDir);
      const summary = summariseProfile(file, 'dist/cli.js', map, skipMs, 12);
      data[scenario.id] = { ...summary, requests };
      tables.push(...tablesFor(scenario.label, summary, requests));
    }
    if (!map) tables[0]!.notes = ['dist/cli.js has no source map (a production build?): bundle positions are not mapped to source files.'];
    return { tables, targets: [], data };
  },
};
