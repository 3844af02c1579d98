/**
 * What the router remembers about each deployment: cooldowns, failures this minute, requests in
 * flight, recent latencies and this minute's requests and tokens. Lives in a Router instance.
 */
import type { Deployment } from '../types/deployment';

interface State {
  cooledUntil: number;
  failures: number[];
  inFlight: number;
  latencies: { at: number; ms: number }[];
  minute: number;
  rpm: number;
  tpm: number;
}

export class DeploymentStates {
  private readonly states = new Map<string, State>();

  constructor(private readonly now: () => number) {}

  private get(dep: Deployment): State {
    let s = this.states.get(dep.id);
    if (!s) {
      s = { cooledUntil: 0, failures: [], inFlight: 0, latencies: [], minute: 0, rpm: 0, tpm: 0 };
      this.states.set(dep.id, s);
    }
    const minute = Math.floor(this.now() / 60_000);
    if (s.minute !== minute) Object.assign(s, { minute, rpm: 0, tpm: 0 });
    return s;
  }

  /** Drops what is known about these deployment ids (they left the config). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.states.delete(id);
  }

  isCooling(dep: Deployment): boolean {
    return this.get(dep).cooledUntil > this.now();
  }

  coolDown(dep: Deployment, ms: number): void {
    const s = this.get(dep);
    s.cooledUntil = Math.max(s.cooledUntil, this.now() + ms);
    s.failures = [];
  }

  /** Counts a failure; true when the deployment passed `allowedFails` within the last minute. */
  fail(dep: Deployment, allowedFails: number): boolean {
    const s = this.get(dep);
    const t = this.now();
    s.failures = s.failures.filter((f) => t - f < 60_000);
    s.failures.push(t);
    return s.failures.length > allowedFails;
  }

  start(dep: Deployment): void {
    const s = this.get(dep);
    s.inFlight++;
    s.rpm++;
  }

  finish(dep: Deployment, latencyMs: number | undefined): void {
    const s = this.get(dep);
    s.inFlight = Math.max(0, s.inFlight - 1);
    if (latencyMs !== undefined) s.latencies.push({ at: this.now(), ms: latencyMs });
    if (s.latencies.length > 100) s.latencies.shift();
  }

  addTokens(dep: Deployment, tokens: number): void {
    this.get(dep).tpm += tokens;
  }

  inFlight(dep: Deployment): number {
    return this.get(dep).inFlight;
  }

  /** Mean latency over the window, or undefined when nothing was measured in it. */
  meanLatency(dep: Deployment, windowMs: number): number | undefined {
    const t = this.now();
    const recent = this.get(dep).latencies.filter((l) => t - l.at <= windowMs);
    return recent.length ? recent.reduce((a, l) => a + l.ms, 0) / recent.length : undefined;
  }

  /** True when another request would pass the deployment's rpm or tpm limit this minute. */
  atLimit(dep: Deployment): boolean {
    const s = this.get(dep);
    return (dep.rpm !== undefined && s.rpm >= dep.rpm) || (dep.tpm !== undefined && s.tpm >= dep.tpm);
  }

  tokensThisMinute(dep: Deployment): number {
    return this.get(dep).tpm;
  }
}
