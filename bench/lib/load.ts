/**
 * The load generator: open-loop fixed-rate phases (arrivals on an even schedule whatever the
 * responses do), closed-loop maximum throughput, and streamed requests with the time to the first
 * content chunk. Every loop is bounded by a count or a deadline, every request by a timeout.
 */
import http from 'node:http';

export interface Target {
  name: string;
  url: URL;
  headers: Record<string, string>;
  /** One keep-alive pool per target, so that targets never share connections. */
  agent: http.Agent;
}

export interface Timing {
  ok: boolean;
  /** From the moment the request was handed to the socket to the end of the response. */
  ms: number;
  /** To the first chunk carrying answer text (streams). */
  firstMs?: number;
  /** How late the request left against its schedule (open loop): the generator's own delay. */
  lagMs: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function makeTarget(name: string, url: string, headers: Record<string, string> = {}): Target {
  return { name, url: new URL(url), headers, agent: new http.Agent({ keepAlive: true, maxSockets: 1024 }) };
}

export function send(t: Target, body: string, scheduled?: number): Promise<Timing> {
  return new Promise((resolve) => {
    const start = performance.now();
    const lagMs = scheduled === undefined ? 0 : start - scheduled;
    let first: number | undefined;
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      resolve({ ok, ms: performance.now() - start, firstMs: first, lagMs });
    };
    const req = http.request(t.url, {
      method: 'POST',
      agent: t.agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...t.headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (first === undefined && c.includes('word')) first = performance.now() - start;
        if (text.length < 100_000) text += c;
      });
      res.on('end', () => finish(res.statusCode === 200 && text.includes('word')));
      res.on('error', () => finish(false));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(false));
    req.end(body);
  });
}

export interface Phase {
  timings: Timing[];
  /** From the first send to the last answer. */
  seconds: number;
}

/**
 * Sends `rate` requests per second for `seconds` on an even schedule, never waiting for answers
 * (open loop). Timers have a resolution of about 1 ms; a request that leaves late is sent at once
 * and its lateness recorded, and its latency is counted from when it actually left.
 */
export async function openLoop(t: Target, body: string, rate: number, seconds: number): Promise<Phase> {
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<Timing>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    let wait: number;
    while ((wait = due - performance.now()) >= 1) await new Promise((r) => setTimeout(r, Math.floor(wait)));
    pending.push(send(t, body, due));
  }
  const timings = await Promise.all(pending);
  return { timings, seconds: (performance.now() - start) / 1000 };
}

/** `concurrency` clients sending back to back until `seconds` have passed (closed loop). */
export async function closedLoop(t: Target, body: string, concurrency: number, seconds: number): Promise<Phase> {
  const start = performance.now();
  const end = start + seconds * 1000;
  const timings: Timing[] = [];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) timings.push(await send(t, body));
  }));
  return { timings, seconds: (performance.now() - start) / 1000 };
}

/**
 * One client sending `count` requests one after another on one keep-alive connection: each leaves
 * when the last answer has ended, as a chat client's turns do.
 */
export async function sequential(t: Target, body: string, count: number): Promise<Phase> {
  const start = performance.now();
  const timings: Timing[] = [];
  for (let i = 0; i < count; i++) timings.push(await send(t, body));
  return { timings, seconds: (performance.now() - start) / 1000 };
}

/** The p-th percentile (0–100) of unsorted values, nearest rank. */
export function pct(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const okTimings = (timings: Timing[]): Timing[] => timings.filter((x) => x.ok);
