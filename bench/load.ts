/**
 * Load primitives: open-loop fixed-rate phases (arrivals evenly spaced whatever the responses do;
 * latency counted from the scheduled send time, so a stall is not hidden), closed-loop maximum
 * throughput, and streamed requests with time to first chunk. Bounded by time and count.
 */
import http from 'node:http';

export interface Target {
  name: string;
  url: URL;
  headers: Record<string, string>;
  body: (stream: boolean) => string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

interface Timing { ok: boolean; totalMs: number; firstChunkMs?: number }

export function send(t: Target, stream: boolean, scheduled = performance.now()): Promise<Timing> {
  const body = t.body(stream);
  return new Promise((resolve) => {
    const req = http.request(t.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...t.headers } }, (res) => {
      let first: number | undefined;
      res.on('data', (c: Buffer) => { if (first === undefined && (!stream || c.includes('"content":"word'))) first = performance.now() - scheduled; });
      res.on('end', () => resolve({ ok: res.statusCode === 200, totalMs: performance.now() - scheduled, firstChunkMs: first }));
      res.on('error', () => resolve({ ok: false, totalMs: performance.now() - scheduled }));
    });
    req.on('error', () => resolve({ ok: false, totalMs: performance.now() - scheduled }));
    req.end(body);
  });
}

export interface PhaseResult { sent: number; ok: number; seconds: number; latencies: number[]; firstChunks: number[] }

/** Sends at `rate` per second for `seconds`, evenly spaced, never waiting for answers. */
export async function openLoop(t: Target, rate: number, seconds: number, stream = false): Promise<PhaseResult> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<Timing>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
    while (performance.now() < due) { /* spin the last fraction of a millisecond for even spacing */ }
    pending.push(send(t, stream, due));
  }
  const timings = await Promise.all(pending);
  const seconds_ = (performance.now() - start) / 1000;
  return summarise(timings, seconds_);
}

/** `concurrency` clients sending back to back for `seconds`. */
export async function closedLoop(t: Target, concurrency: number, seconds: number): Promise<PhaseResult> {
  const end = performance.now() + seconds * 1000;
  const timings: Timing[] = [];
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) timings.push(await send(t, false));
  }));
  return summarise(timings, (performance.now() - start) / 1000);
}

function summarise(timings: Timing[], seconds: number): PhaseResult {
  const ok = timings.filter((x) => x.ok);
  return {
    sent: timings.length, ok: ok.length, seconds,
    latencies: ok.map((x) => x.totalMs).sort((a, b) => a - b),
    firstChunks: ok.map((x) => x.firstChunkMs).filter((x): x is number => x !== undefined).sort((a, b) => a - b),
  };
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
