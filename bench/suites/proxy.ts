/**
 * Proxy overhead: the mock upstream called directly, through a bare node:http hop (the floor),
 * through `anymodel proxy` and through the peer gateway @portkey-ai/gateway. Open loop at fixed
 * rates, closed loop at 50 connections, and streamed. Each measurement is split into slices taken
 * in turn (A B C D A B C D …) so that a noisy neighbour hits every contender alike.
 */
import { closedLoop, okTimings, openLoop, pct, type Phase, type Target, type Timing } from '../lib/load';
import { cpuMs, memoryMb } from '../lib/processes';
import { fmt, type BenchContext, type Suite, type SuiteResult, type Table, type TargetCheck } from '../lib/report';
import { hotPathTargets, sequentialStreams, sequentialTable, type ProxyFigures, type SeqMeasured } from './proxy-checks';
import { BASELINE_NAME, requestBody, startProxySetup, UPSTREAM_CHUNK_GAP_MS, type Contender } from './proxy-targets';
import { startTelemetryContender, telemetryTable, type TelemetryContender } from './proxy-telemetry';

const RATES = [100, 500];
const CONNECTIONS = 50;
const STREAM_RPS = Number(process.env.BENCH_STREAM_RPS ?? 50);
const STREAM_WORDS = 20;
const SLICE_S = 5;

interface Measured {
  timings: Timing[];
  ok: Timing[];
  seconds: number;
  cpuMs?: number;
  rssMb?: number;
  peakRssMb?: number;
}

type Run = (t: Target, seconds: number) => Promise<Phase>;

async function interleaved(contenders: Contender[], ctx: BenchContext, label: string, run: Run): Promise<Map<string, Measured>> {
  for (const c of contenders) await run(c.target, ctx.warmS);
  const slices = Math.max(1, Math.round(ctx.phaseS / SLICE_S));
  const sliceS = ctx.phaseS / slices;
  const out = new Map<string, Measured>(contenders.map((c) => [c.target.name, { timings: [], ok: [], seconds: 0, cpuMs: c.child ? 0 : undefined }]));
  for (let s = 0; s < slices; s++) {
    for (const c of contenders) {
      const m = out.get(c.target.name)!;
      const cpu0 = c.child ? cpuMs(c.child.pid) : 0;
      const phase = await run(c.target, sliceS);
      if (c.child) m.cpuMs! += cpuMs(c.child.pid) - cpu0;
      m.timings.push(...phase.timings);
      m.seconds += phase.seconds;
    }
  }
  for (const c of contenders) {
    const m = out.get(c.target.name)!;
    m.ok = okTimings(m.timings);
    if (c.child) ({ rss: m.rssMb, peak: m.peakRssMb } = memoryMb(c.child.pid));
    ctx.log(`  ${label} ${c.target.name}: ${m.ok.length}/${m.timings.length} ok, p50 ${fmt(pct(m.ok.map((x) => x.ms), 50))} ms`);
  }
  return out;
}

const ms = (m: Measured, p: number, pick: (t: Timing) => number | undefined = (t) => t.ms) =>
  pct(m.ok.map(pick).filter((x): x is number => x !== undefined), p);
const cpuPerReq = (m: Measured) => (m.cpuMs === undefined ? undefined : m.cpuMs / Math.max(1, m.ok.length));

export const proxySuite: Suite = {
  id: 'proxy',
  title: 'Proxy overhead',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const setup = await startProxySetup(ctx.root, ctx.machine.pinned);
    let telemetry: TelemetryContender | undefined;
    try {
      // One more contender: the proxy with its telemetry on (proxy-telemetry.ts).
      telemetry = await startTelemetryContender(ctx.root, setup.upstream.port, ctx.machine.pinned);
      const contenders = [...setup.contenders, telemetry.contender];
      const whole = requestBody(false);
      const stream = requestBody(true, STREAM_WORDS);
      const open: Record<number, Map<string, Measured>> = {};
      for (const rate of RATES) open[rate] = await interleaved(contenders, ctx, `${rate} rps`, (t, s) => openLoop(t, whole, rate, s));
      const closed = await interleaved(contenders, ctx, `${CONNECTIONS} connections`, (t, s) => closedLoop(t, whole, CONNECTIONS, s));
      const streamed = await interleaved(contenders, ctx, `streamed ${STREAM_RPS} rps`, (t, s) => openLoop(t, stream, STREAM_RPS, s));
      const seq = await sequentialStreams(contenders, ctx);
      const result = report(contenders.map((c) => c.target.name), open, closed, streamed, seq);
      result.tables.push(telemetryTable(result.data as Record<string, unknown>, RATES, telemetry.received()));
      return result;
    } finally {
      await telemetry?.stop();
      await setup.stop();
    }
  },
};

function report(names: string[], open: Record<number, Map<string, Measured>>, closed: Map<string, Measured>, streamed: Map<string, Measured>, seq: Map<string, SeqMeasured>): SuiteResult {
  const openRows: (string | number)[][] = [];
  const data: Record<string, unknown> = { open: {}, closed: {}, streamed: {} };
  for (const rate of RATES) {
    const direct = open[rate]!.get('direct')!;
    for (const name of names) {
      const m = open[rate]!.get(name)!;
      const added = (p: number) => (name === 'direct' ? undefined : ms(m, p) - ms(direct, p));
      const row = {
        achievedRps: m.ok.length / m.seconds, p50: ms(m, 50), p90: ms(m, 90), p99: ms(m, 99),
        addedP50: added(50), addedP90: added(90), addedP99: added(99), sendLagP99: pct(m.timings.map((t) => t.lagMs), 99),
        cpuMsPerRequest: cpuPerReq(m), rssMb: m.rssMb, peakRssMb: m.peakRssMb, errors: m.timings.length - m.ok.length,
      };
      (data.open as Record<string, unknown>)[`${name} @ ${rate}`] = row;
      openRows.push([name, rate, fmt(row.achievedRps, 0), fmt(row.p50), fmt(row.p90), fmt(row.p99), fmt(row.addedP50, 3), fmt(row.addedP90, 3), fmt(row.addedP99, 3),
        fmt(row.sendLagP99), fmt(row.cpuMsPerRequest, 3), m.rssMb === undefined ? '–' : `${fmt(m.rssMb, 0)} / ${fmt(m.peakRssMb, 0)}`, row.errors]);
    }
  }
  const maxRps = (name: string) => closed.get(name)!.ok.length / closed.get(name)!.seconds;
  const closedRows = names.map((name) => {
    const m = closed.get(name)!;
    const row = { rps: maxRps(name), p50: ms(m, 50), p99: ms(m, 99), cpuMsPerRequest: cpuPerReq(m), vsPortkey: maxRps(name) / maxRps('portkey'), errors: m.timings.length - m.ok.length };
    (data.closed as Record<string, unknown>)[name] = row;
    return [name, fmt(row.rps, 0), fmt(row.p50), fmt(row.p99), fmt(row.cpuMsPerRequest, 3), `${fmt(row.vsPortkey)}×`, row.errors];
  });
  const sDirect = streamed.get('direct')!;
  const first = (t: Timing) => t.firstMs;
  const streamRows = names.map((name) => {
    const m = streamed.get(name)!;
    const added = (p: number, pick?: (t: Timing) => number | undefined) => (name === 'direct' ? undefined : ms(m, p, pick) - ms(sDirect, p, pick));
    const row = {
      firstP50: ms(m, 50, first), firstP95: ms(m, 95, first), endP50: ms(m, 50), endP95: ms(m, 95),
      addedFirstP50: added(50, first), addedFirstP95: added(95, first), addedEndP50: added(50), addedEndP95: added(95), errors: m.timings.length - m.ok.length,
    };
    (data.streamed as Record<string, unknown>)[name] = row;
    return [name, fmt(row.firstP50), fmt(row.firstP95), fmt(row.endP50), fmt(row.endP95), fmt(row.addedFirstP50, 3), fmt(row.addedFirstP95, 3), fmt(row.addedEndP50, 3), fmt(row.addedEndP95, 3), row.errors];
  });

  const tables: Table[] = [
    {
      title: 'Proxy overhead, open loop (evenly spaced arrivals; added = target − direct at the same percentile; ms)',
      headers: ['target', 'rps', 'achieved', 'p50', 'p90', 'p99', 'added p50', 'added p90', 'added p99', 'send lag p99', 'CPU ms/req', 'RSS / peak MB', 'errors'],
      rows: openRows,
      notes: ['CPU ms/req: utime+stime of the proxy process over the phase (/proc), per answered request. send lag: how late the generator sent against its schedule.'],
    },
    {
      title: `Maximum throughput, closed loop with ${CONNECTIONS} connections`,
      headers: ['target', 'requests/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'vs portkey', 'errors'],
      rows: closedRows,
    },
    {
      title: `Streaming, open loop at ${STREAM_RPS} rps: ${STREAM_WORDS} chunks ${UPSTREAM_CHUNK_GAP_MS} ms apart (ms; first = first chunk with answer text)`,
      headers: ['target', 'first p50', 'first p95', 'end p50', 'end p95', 'added first p50', 'added first p95', 'added end p50', 'added end p95', 'errors'],
      rows: streamRows,
    },
  ];

  const sequentialShape = sequentialTable(seq);
  tables.push(sequentialShape.table);
  data.sequential = sequentialShape.data;

  const openAt = (rate: number, name: string) => (data.open as Record<string, { addedP50: number }>)[`${name} @ ${rate}`]?.addedP50 ?? NaN;
  const streamedRow = (name: string) => (data.streamed as Record<string, { addedFirstP95: number }>)[name];
  const seqRow = (name: string) => (sequentialShape.data[name] as { addedFirstP95?: number } | undefined)?.addedFirstP95;
  const figures: ProxyFigures = {
    maxRps: (name) => (closed.has(name) ? maxRps(name) : NaN),
    closedCpu: (name) => (closed.has(name) ? cpuPerReq(closed.get(name)!) : undefined),
    cpuAt500: (name) => (open[500]?.has(name) ? cpuPerReq(open[500]!.get(name)!) : undefined),
    addedP50At500: (name) => openAt(500, name),
    addedFirstP95: (name) => streamedRow(name)?.addedFirstP95 ?? NaN,
    seqAddedFirstP95: seqRow,
  };
  const targets: TargetCheck[] = hotPathTargets(figures);
  if (names.includes(BASELINE_NAME)) {
    // The same checks for the baseline build, as a table: they are not this build's targets.
    const before = hotPathTargets(figures, BASELINE_NAME);
    tables.push({
      title: `The same targets for ${BASELINE_NAME} (BENCH_BASELINE), measured in this run`,
      headers: ['target', 'baseline', 'measured (baseline)', 'anymodel', 'measured (anymodel)'],
      rows: before.map((b, i) => [b.name, b.pass === undefined ? 'n/a' : b.pass ? 'pass' : 'FAIL', b.measured, targets[i]!.pass ? 'pass' : 'FAIL', targets[i]!.measured]),
    });
  }
  return { tables, targets, data };
}
