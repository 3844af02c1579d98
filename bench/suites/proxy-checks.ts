/**
 * The proxy's own shapes and targets beside the tables of `proxy.ts`: the sequential keep-alive
 * streams (one client, each request after the last answer ended, the first chunk with the
 * headers), and the targets, each a ratio to the bare node:http hop measured in the same run.
 */
import { okTimings, pct, sequential, type Timing } from '../lib/load';
import { cpuMs } from '../lib/processes';
import { fmt, type BenchContext, type Table, type TargetCheck } from '../lib/report';
import { requestBody, SEQ_CHUNK_GAP_MS, type Contender } from './proxy-targets';

export const SEQ_WORDS = 50;
/** Requests per contender; each is about SEQ_WORDS × SEQ_CHUNK_GAP_MS long (0.5 s). */
const seqCount = (quick: boolean) => Number(process.env.BENCH_SEQ_STREAMS ?? (quick ? 40 : 100));
const SEQ_SLICE = 10;

export interface SeqMeasured {
  ok: Timing[];
  total: number;
  cpuMs?: number;
}

/**
 * Sequential streams for every contender that has a `seq` target, in slices of SEQ_SLICE taken in
 * turn (A B C A B C …) after two unmeasured requests each.
 */
export async function sequentialStreams(contenders: Contender[], ctx: BenchContext): Promise<Map<string, SeqMeasured>> {
  const body = requestBody(true, SEQ_WORDS, 'bench-seq');
  const taking = contenders.filter((c) => c.seq);
  for (const c of taking) await sequential(c.seq!, body, 2);
  const count = seqCount(ctx.phaseS < 10);
  const all = new Map<string, Timing[]>(taking.map((c) => [c.target.name, []]));
  const cpu = new Map<string, number>();
  for (let done = 0; done < count; done += SEQ_SLICE) {
    for (const c of taking) {
      const cpu0 = c.child ? cpuMs(c.child.pid) : 0;
      const phase = await sequential(c.seq!, body, Math.min(SEQ_SLICE, count - done));
      if (c.child) cpu.set(c.target.name, (cpu.get(c.target.name) ?? 0) + cpuMs(c.child.pid) - cpu0);
      all.get(c.target.name)!.push(...phase.timings);
    }
  }
  const out = new Map<string, SeqMeasured>();
  for (const c of taking) {
    const timings = all.get(c.target.name)!;
    const ok = okTimings(timings);
    out.set(c.target.name, { ok, total: timings.length, cpuMs: cpu.get(c.target.name) });
    ctx.log(`  sequential streams ${c.target.name}: ${ok.length}/${timings.length} ok, first p50 ${fmt(pct(ok.map((t) => t.firstMs ?? NaN), 50))} ms`);
  }
  return out;
}

const firstAt = (m: SeqMeasured, p: number) => pct(m.ok.map((t) => t.firstMs).filter((x): x is number => x !== undefined), p);

export function sequentialTable(seq: Map<string, SeqMeasured>): { table: Table; data: Record<string, unknown> } {
  const direct = seq.get('direct');
  const data: Record<string, unknown> = {};
  const rows = [...seq].map(([name, m]) => {
    const added = (p: number) => (name === 'direct' || !direct ? undefined : firstAt(m, p) - firstAt(direct, p));
    const row = {
      firstP50: firstAt(m, 50), firstP95: firstAt(m, 95), endP50: pct(m.ok.map((t) => t.ms), 50),
      addedFirstP50: added(50), addedFirstP95: added(95), cpuMsPerRequest: m.cpuMs === undefined ? undefined : m.cpuMs / Math.max(1, m.ok.length), errors: m.total - m.ok.length,
    };
    data[name] = row;
    return [name, m.ok.length, fmt(row.firstP50, 3), fmt(row.firstP95, 3), fmt(row.endP50, 1), fmt(row.addedFirstP50, 3), fmt(row.addedFirstP95, 3), fmt(row.cpuMsPerRequest, 3), row.errors];
  });
  return {
    data,
    table: {
      title: `Sequential keep-alive streams, one client: ${SEQ_WORDS} chunks ${SEQ_CHUNK_GAP_MS} ms apart, the first with the headers (ms; first = first data with answer text)`,
      headers: ['target', 'requests', 'first p50', 'first p95', 'end p50', 'added first p50', 'added first p95', 'CPU ms/req', 'errors'],
      rows,
    },
  };
}

/** What the targets read from the proxy suite's data, by contender name. */
export interface ProxyFigures {
  maxRps(name: string): number;
  closedCpu(name: string): number | undefined;
  /** CPU ms per request in the open loop at 500 rps: both at the same load. */
  cpuAt500(name: string): number | undefined;
  addedP50At500(name: string): number;
  addedFirstP95(name: string): number;
  seqAddedFirstP95(name: string): number | undefined;
}

const HOP = 'node:http hop';

/**
 * The targets of the hot path, each against the bare node:http hop in the same run, so that a
 * loaded machine moves both sides: throughput ≥ 70 % of the hop's, CPU per request ≤ 1.5× the
 * hop's (both at 50 connections), added first-chunk p95 ≤ the hop's + 0.5 ms (streams at 50 rps,
 * and the sequential keep-alive streams), added p50 at 500 rps ≤ 1.5× the hop's. Plus the
 * throughput against the peer gateway.
 */
export function hotPathTargets(f: ProxyFigures, name = 'anymodel'): TargetCheck[] {
  const t = (target: string, pass: boolean | undefined, measured: string): TargetCheck => ({ suite: 'proxy', name: target, pass, measured });
  const rps = f.maxRps(name) / f.maxRps(HOP);
  const cpu = (f.closedCpu(name) ?? NaN) / (f.closedCpu(HOP) ?? NaN);
  const p50 = f.addedP50At500(name) / f.addedP50At500(HOP);
  const first = f.addedFirstP95(name) - f.addedFirstP95(HOP);
  const seqAny = f.seqAddedFirstP95(name);
  const seqHop = f.seqAddedFirstP95(HOP);
  const pk = f.maxRps(name) / f.maxRps('portkey');
  const checks = [
    t('max throughput ≥ 70 % of the hop', rps >= 0.7, `${fmt(f.maxRps(name), 0)} vs ${fmt(f.maxRps(HOP), 0)} rps = ${fmt(rps * 100, 0)} %`),
    // At 50 connections the hop also answers more requests a second than the proxy, and Node
    // spreads each wake-up over more of them; the ratio at one rate for both is said beside it.
    t('CPU per request ≤ 1.5× the hop', cpu <= 1.5, `${fmt(f.closedCpu(name), 3)} vs ${fmt(f.closedCpu(HOP), 3)} ms = ${fmt(cpu)}× (at 500 rps for both: ${fmt((f.cpuAt500(name) ?? NaN) / (f.cpuAt500(HOP) ?? NaN))}×)`),
    t('added first chunk p95 ≤ hop + 0.5 ms', first <= 0.5, `${fmt(f.addedFirstP95(name), 3)} vs ${fmt(f.addedFirstP95(HOP), 3)} ms = hop + ${fmt(first, 3)}`),
    t('added p50 at 500 rps ≤ 1.5× the hop', p50 <= 1.5, `${fmt(f.addedP50At500(name), 3)} vs ${fmt(f.addedP50At500(HOP), 3)} ms = ${fmt(p50)}×`),
    seqAny === undefined || seqHop === undefined
      ? t('sequential streams: added first p95 ≤ hop + 0.5 ms', undefined, 'not measured')
      : t('sequential streams: added first p95 ≤ hop + 0.5 ms', seqAny - seqHop <= 0.5, `${fmt(seqAny, 3)} vs ${fmt(seqHop, 3)} ms = hop + ${fmt(seqAny - seqHop, 3)}`),
    t('max throughput ≥ 5× portkey', pk >= 5, `${fmt(f.maxRps(name), 0)} vs ${fmt(f.maxRps('portkey'), 0)} rps = ${fmt(pk)}× (hop ${fmt(f.maxRps(HOP) / f.maxRps('portkey'))}×)`),
  ];
  // NaN (a contender missing from the run) is not a pass or a fail.
  return checks.map((c) => (/NaN|–/.test(c.measured) && c.pass === false ? { ...c, pass: undefined } : c));
}
