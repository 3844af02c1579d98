/**
 * What the router remembers about each deployment: cooldowns, failures this minute, requests in
 * flight, recent latencies and this minute's requests and tokens. Lives in a Router instance.
 * This is the in-memory backend; the Redis one (src/core/state/redis-deployments.ts) extends it,
 * sharing cooldowns and rpm/tpm and keeping this as its local copy (docs/architecture.md#shared-state).
 */
import type { Deployment } from '../types/deployment';

export interface State {
  cooledUntil: number;
  failures: number[];
  inFlight: number;
  latencies: LatencyWindow;
  minute: number;
  rpm: number;
  tpm: number;
}

/**
 * The last 100 latencies and when they were measured, in a fixed ring: every answered request
 * adds one, so a growing array of objects would be one more allocation per request that outlives
 * the request (and gets promoted to the old generation) plus an O(n) `shift` once full.
 */
class LatencyWindow {
  private readonly at = new Float64Array(100);
  private readonly ms = new Float64Array(100);
  private size = 0;
  private next = 0;

  add(at: number, ms: number): void {
    this.at[this.next] = at;
    this.ms[this.next] = ms;
    this.next = (this.next + 1) % this.at.length;
    if (this.size < this.at.length) this.size++;
  }

  /** Mean of those measured at or after `since`; undefined when none was. */
  meanSince(since: number): number | undefined {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.at[i]! >= since) {
        sum += this.ms[i]!;
        n++;
      }
    }
    return n ? sum / n : undefined;
  }
}

export class DeploymentStates {
  private readonly states = new Map<string, State>();

  constructor(private readonly now: () => number) {}

  protected get(dep: Deployment): State {
    let s = this.states.get(dep.id);
    if (!s) {
      s = { cooledUntil: 0, failures: [], inFlight: 0, latencies: new LatencyWindow(), minute: 0, rpm: 0, tpm: 0 };
      this.states.set(dep.id, s);
    }
    const minute = Math.floor(this.now() / 60_000);
    if (s.minute !== minute) Object.assign(s, { minute, rpm: 0, tpm: 0 });
    return s;
  }

  /** Every deployment's state, by id (for a shared backend writing back after an outage). */
  protected entries(): IterableIterator<[string, State]> {
    return this.states.entries();
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

  /**
   * Brings in what other replicas learned about these deployments (cooldowns, this minute's rpm
   * and tpm) before a pick; `counts`: the strategy reads rpm/tpm. Nothing to fetch in memory.
   */
  refresh(_deps: readonly Deployment[], _counts: boolean): Promise<void> | undefined {
    return undefined;
  }

  /**
   * Starts a request on the deployment, taking one of its rpm this minute. False when another
   * replica took the last one since the pick (`enforce`: the strategy honours rpm limits); in
   * memory the pick already checked, so always true.
   */
  reserve(dep: Deployment, _enforce: boolean): boolean | Promise<boolean> {
    this.start(dep);
    return true;
  }

  finish(dep: Deployment, latencyMs: number | undefined): void {
    const s = this.get(dep);
    s.inFlight = Math.max(0, s.inFlight - 1);
    if (latencyMs !== undefined) s.latencies.add(this.now(), latencyMs);
  }

  addTokens(dep: Deployment, tokens: number): void {
    this.get(dep).tpm += tokens;
  }

  inFlight(dep: Deployment): number {
    return this.get(dep).inFlight;
  }

  /** Mean latency over the window, or undefined when nothing was measured in it. */
  meanLatency(dep: Deployment, windowMs: number): number | undefined {
    return this.get(dep).latencies.meanSince(this.now() - windowMs);
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
