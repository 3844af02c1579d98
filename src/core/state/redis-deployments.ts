/**
 * The router's deployment state shared in Redis: cooldowns (a deployment cooled by one replica is
 * skipped by all) and this minute's rpm and tpm (fixed one-minute windows, as LiteLLM's
 * usage-based-routing-v2 counts them: https://docs.litellm.ai/docs/routing). Failures toward
 * allowed_fails, requests in flight and latencies stay per replica: they describe this replica's
 * traffic. The in-memory state underneath is the local copy every read is served from, and what
 * the router falls back on while Redis is unreachable.
 */
import { DeploymentStates } from '../router/deployment-state';
import type { Deployment } from '../types/deployment';
import type { RedisLink } from './redis-link';

/** Per deployment: the cooldown's remaining ms (PTTL: no clock shared between replicas), rpm, tpm. */
const READ_LUA = `
local out = {}
for i = 1, #KEYS, 3 do
  out[#out + 1] = redis.call('PTTL', KEYS[i])
  out[#out + 1] = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  out[#out + 1] = tonumber(redis.call('GET', KEYS[i + 2]) or '0')
end
return out`;

/** Takes one request of the minute's rpm, atomically: -1 (and nothing taken) when the limit is reached. */
const RESERVE_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local limit = tonumber(ARGV[1])
if limit > 0 and n > limit then
  redis.call('DECR', KEYS[1])
  return -1
end
return n`;

/** Adds to a window counter, which expires after the window is over. */
const ADD_LUA = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n`;

/** A cooldown is only ever made longer, never cut short by a replica that saw a shorter one. */
const COOL_LUA = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/** Counters live two windows, so a late reader of the last minute still finds it. */
const WINDOW_TTL_MS = 120_000;

export class RedisDeploymentStates extends DeploymentStates {
  private readonly readAll;
  private readonly reserveOne;
  private readonly addTo;
  private readonly coolFor;
  /**
   * This minute's requests and tokens that did not reach Redis (it was down, or the call failed),
   * by counter key: added on reconnect, so the other replicas see this replica's share of the
   * minute. Only the current minute's are kept; an earlier window is over anyway.
   */
  private readonly unsent = new Map<string, number>();

  constructor(private readonly link: RedisLink, private readonly clock: () => number) {
    super(clock);
    this.readAll = link.script(READ_LUA);
    this.reserveOne = link.script(RESERVE_LUA, 1);
    this.addTo = link.script(ADD_LUA, 1);
    this.coolFor = link.script(COOL_LUA, 1);
    link.onReconnect(() => this.writeBack());
  }

  private key(kind: 'cd' | 'rpm' | 'tpm', id: string): string {
    return kind === 'cd' ? `${this.link.ns}:cd:${id}` : `${this.link.ns}:${kind}:${id}:${Math.floor(this.clock() / 60_000)}`;
  }

  override refresh(deps: readonly Deployment[], counts: boolean): Promise<void> | undefined {
    // A group of one is never cooled down and, unless the strategy reads rpm/tpm, has nothing to learn.
    if (!this.link.isUp || (deps.length < 2 && !counts)) return undefined;
    const keys = deps.flatMap((d) => [this.key('cd', d.id), this.key('rpm', d.id), this.key('tpm', d.id)]);
    return this.link.run((r) => this.readAll(r, keys.length, ...keys) as Promise<number[]>).then((out) => {
      if (!out) return;
      const t = this.clock();
      deps.forEach((d, i) => {
        const s = this.get(d);
        const pttl = Number(out[3 * i]);
        if (pttl > 0) s.cooledUntil = Math.max(s.cooledUntil, t + pttl);
        s.rpm = Math.max(s.rpm, Number(out[3 * i + 1]));
        s.tpm = Math.max(s.tpm, Number(out[3 * i + 2]));
      });
    });
  }

  override reserve(dep: Deployment, enforce: boolean): boolean | Promise<boolean> {
    const key = this.key('rpm', dep.id);
    if (!enforce || dep.rpm === undefined || !this.link.isUp) {
      this.count(key, 1);
      return super.reserve(dep, enforce);
    }
    return this.link.run((r) => this.reserveOne(r, key, dep.rpm!, WINDOW_TTL_MS) as Promise<number>).then((n) => {
      if (n === undefined) {
        // Redis failed: the local count decides, and Redis is told once it is back.
        this.hold(key, 1);
        return super.reserve(dep, enforce);
      }
      const s = this.get(dep);
      if (n < 0) {
        s.rpm = Math.max(s.rpm, dep.rpm!); // at its limit: the next pick skips it
        return false;
      }
      s.inFlight++;
      s.rpm = Math.max(s.rpm + 1, n);
      return true;
    });
  }

  override coolDown(dep: Deployment, ms: number): void {
    super.coolDown(dep, ms);
    this.link.send((r) => this.coolFor(r, this.key('cd', dep.id), Math.ceil(ms)));
  }

  override addTokens(dep: Deployment, tokens: number): void {
    super.addTokens(dep, tokens);
    if (tokens > 0) this.count(this.key('tpm', dep.id), Math.round(tokens));
  }

  /** Adds to a window counter in Redis, or holds the amount for the reconnect when it cannot. */
  private count(key: string, n: number): void {
    if (!this.link.isUp) return this.hold(key, n);
    void this.link.run((r) => this.addTo(r, key, n, WINDOW_TTL_MS)).then((sent) => { if (sent === undefined) this.hold(key, n); });
  }

  private hold(key: string, n: number): void {
    const minute = this.minuteSuffix();
    for (const k of this.unsent.keys()) if (!k.endsWith(minute)) this.unsent.delete(k);
    if (key.endsWith(minute)) this.unsent.set(key, (this.unsent.get(key) ?? 0) + n);
  }

  private minuteSuffix(): string {
    return `:${Math.floor(this.clock() / 60_000)}`;
  }

  /**
   * After an outage (or a Redis that restarted empty): the cooldowns this replica still has, and
   * this minute's requests and tokens it counted alone meanwhile.
   */
  private async writeBack(): Promise<void> {
    const t = this.clock();
    for (const [id, s] of this.entries()) {
      if (s.cooledUntil > t) await this.link.run((r) => this.coolFor(r, `${this.link.ns}:cd:${id}`, Math.ceil(s.cooledUntil - t)));
    }
    const minute = this.minuteSuffix();
    const held = [...this.unsent].filter(([key]) => key.endsWith(minute));
    this.unsent.clear();
    for (const [key, n] of held) if ((await this.link.run((r) => this.addTo(r, key, n, WINDOW_TTL_MS))) === undefined) this.hold(key, n);
  }
}
