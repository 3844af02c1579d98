/**
 * Usage records: one per request, appended to a JSONL log (rotated by size) and summed into spend
 * totals by model and by day. A record never holds a key, and holds prompt text only when the
 * owner turned that on.
 */
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ErrorKind } from '../types/errors';

export interface UsageRecord {
  id: string;
  /** ISO time the request started. */
  time: string;
  modelGroup: string;
  deployment: string;
  provider: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  latencyMs: number;
  /** Streams only. */
  timeToFirstTokenMs?: number;
  outcome: 'success' | 'error' | 'aborted';
  errorKind?: ErrorKind;
  attempts: number;
  fallback: boolean;
  cacheHit: boolean;
  /** Answered by the local model because the one asked for was unreachable (the editor's offline switch). */
  offline?: boolean;
  /** Where the request came from (`panel`, `vscode-chat`, `proxy`, …), when the caller said. */
  source?: string;
  prompt?: string;
}

/** What a caller adds to the record of its request (see `CallOptions.usage`). */
export type UsageTags = Pick<UsageRecord, 'offline' | 'source'>;

export interface SpendTotals {
  totalUsd: number;
  requests: number;
  byModel: Record<string, { usd: number; requests: number; inputTokens: number; outputTokens: number }>;
  byDay: Record<string, { usd: number; requests: number }>;
}

/** One day's spend: all of it, and per model group. */
export interface DaySpend {
  totalUsd: number;
  byModel: Record<string, number>;
}

/** Sums spend; `today`'s figures per model group back the budgets. */
export class SpendLedger {
  private readonly totals: SpendTotals = { totalUsd: 0, requests: 0, byModel: {}, byDay: {} };
  /** day → model group → usd */
  private readonly daily = new Map<string, Map<string, number>>();

  add(r: UsageRecord): void {
    const day = r.time.slice(0, 10);
    this.totals.totalUsd += r.costUsd;
    this.totals.requests++;
    const m = (this.totals.byModel[r.modelGroup] ??= { usd: 0, requests: 0, inputTokens: 0, outputTokens: 0 });
    m.usd += r.costUsd;
    m.requests++;
    m.inputTokens += r.inputTokens;
    m.outputTokens += r.outputTokens;
    const d = (this.totals.byDay[day] ??= { usd: 0, requests: 0 });
    d.usd += r.costUsd;
    d.requests++;
    const groups = this.daily.get(day) ?? new Map<string, number>();
    groups.set(r.modelGroup, (groups.get(r.modelGroup) ?? 0) + r.costUsd);
    this.daily.set(day, groups);
  }

  /** Spend on `day` (YYYY-MM-DD), for one model group or all. */
  spentOn(day: string, modelGroup?: string): number {
    const groups = this.daily.get(day);
    if (!groups) return 0;
    if (modelGroup !== undefined) return groups.get(modelGroup) ?? 0;
    let sum = 0;
    for (const v of groups.values()) sum += v;
    return sum;
  }

  /**
   * Spend on `day` over all groups and for `group`, as the budgets see it: this process's in
   * memory; the Redis backend (src/core/state/redis-spend.ts) answers with every replica's.
   */
  daySpend(day: string, group: string): { all: number; group: number } | Promise<{ all: number; group: number }> {
    return { all: this.spentOn(day), group: this.spentOn(day, group) };
  }

  /** Spend on `day` per model group, as the budgets count it (every replica's with Redis). */
  dayTotals(day: string): DaySpend | Promise<DaySpend> {
    return this.totalsWith(day, undefined);
  }

  /** This process's spend on `day`, plus `others` (per group) when given. */
  protected totalsWith(day: string, others: ReadonlyMap<string, number> | undefined): DaySpend {
    const byModel: Record<string, number> = {};
    for (const [g, usd] of this.daily.get(day) ?? []) byModel[g] = usd;
    for (const [g, usd] of others ?? []) byModel[g] = (byModel[g] ?? 0) + usd;
    return { totalUsd: Object.values(byModel).reduce((a, b) => a + b, 0), byModel };
  }

  snapshot(): SpendTotals {
    return structuredClone(this.totals);
  }
}

/**
 * Appends records to a JSONL file; when it passes `maxBytes` it is renamed to `<path>.1`. A write
 * that fails (a full disk, a read-only folder) does not fail the request, but it is said once,
 * through `onError` (Node's process warning when none is given), with the path and the reason;
 * it is said again only after a write succeeded in between.
 */
export class UsageLog {
  private queue: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly path: string,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly onError: (message: string) => void = (m) => process.emitWarning(m, 'AnyModelUsageLog'),
  ) {}

  append(r: UsageRecord): Promise<void> {
    // Writes are chained so lines never interleave and rotation sees a settled file.
    this.queue = this.queue.then(() => this.write(r)).then(() => { this.failing = false; }, (err: unknown) => {
      if (this.failing) return;
      this.failing = true;
      this.onError(`The usage log ${this.path} could not be written (${(err as Error)?.message ?? String(err)}); usage records are not being saved until it can.`);
    });
    return this.queue;
  }

  private async write(r: UsageRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (size > this.maxBytes) await rename(this.path, `${this.path}.1`);
    await appendFile(this.path, `${JSON.stringify(r)}\n`, { mode: 0o600 });
  }
}
