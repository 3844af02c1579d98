/**
 * The spend ledger shared in Redis, behind the daily budgets. Each replica owns one field per
 * model group in the day's hash (`<replica>|<group>`) and writes its own running total there
 * (HSET, atomic per field): the day's spend is the sum of the fields. Nothing is lost to an
 * outage or to a Redis that restarted empty: the next write, or the write-back on reconnect, puts
 * the replica's whole total back (a grow-only counter per replica, no increment to replay).
 * While Redis is unreachable the budgets see the last shared figures plus this replica's spend
 * since (docs/architecture.md#shared-state).
 */
import { randomUUID } from 'node:crypto';
import { SpendLedger, type DaySpend, type UsageRecord } from '../usage/records';
import type { RedisLink } from './redis-link';

/** Days a day's hash is kept (the budgets read today's only). */
const KEEP_S = 8 * 86_400;

export class RedisSpendLedger extends SpendLedger {
  private readonly replica = randomUUID();
  /** day → group → the other replicas' spend as last read, for the budgets while Redis is down. */
  private readonly others = new Map<string, Map<string, number>>();

  constructor(private readonly link: RedisLink) {
    super();
    link.onReconnect(() => this.writeBack());
  }

  private key(day: string): string {
    return `${this.link.ns}:spend:${day}`;
  }

  override add(r: UsageRecord): void {
    super.add(r);
    if (r.costUsd > 0) this.write(r.time.slice(0, 10), [r.modelGroup]);
  }

  override daySpend(day: string, group: string): Promise<{ all: number; group: number }> | { all: number; group: number } {
    if (!this.link.isUp) return this.local(day, group);
    return this.readOthers(day).then(() => this.local(day, group));
  }

  override dayTotals(day: string): DaySpend | Promise<DaySpend> {
    if (!this.link.isUp) return this.totalsWith(day, this.others.get(day));
    return this.readOthers(day).then(() => this.totalsWith(day, this.others.get(day)));
  }

  /** The other replicas' spend on `day`, per group, from Redis (kept for when it is unreachable). */
  private async readOthers(day: string): Promise<void> {
    const fields = await this.link.run((r) => r.hgetall(this.key(day)));
    if (!fields) return;
    const others = new Map<string, number>();
    for (const [field, value] of Object.entries(fields)) {
      const bar = field.indexOf('|');
      if (field.slice(0, bar) === this.replica) continue; // ours: the local ledger is newer
      const g = field.slice(bar + 1);
      others.set(g, (others.get(g) ?? 0) + (Number(value) || 0));
    }
    this.others.set(day, others);
  }

  /** This replica's spend (always current) plus the others' as last read. */
  private local(day: string, group: string): { all: number; group: number } {
    const others = this.others.get(day);
    let all = this.spentOn(day);
    for (const v of others?.values() ?? []) all += v;
    return { all, group: this.spentOn(day, group) + (others?.get(group) ?? 0) };
  }

  private write(day: string, groups: string[]): void {
    const key = this.key(day);
    const fields = groups.flatMap((g) => [`${this.replica}|${g}`, String(this.spentOn(day, g))]);
    this.link.send((r) => r.multi().hset(key, ...fields).expire(key, KEEP_S).exec());
  }

  /** After an outage: this replica's totals for the days it knows (they may have grown meanwhile). */
  private async writeBack(): Promise<void> {
    for (const day of Object.keys(this.snapshot().byDay)) {
      const groups = Object.keys(this.snapshot().byModel);
      const fields = groups.flatMap((g) => [`${this.replica}|${g}`, String(this.spentOn(day, g))]);
      if (fields.length) await this.link.run((r) => r.multi().hset(this.key(day), ...fields).expire(this.key(day), KEEP_S).exec());
    }
  }
}
