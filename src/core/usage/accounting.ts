/**
 * Turns each request into one usage record (with its cost), keeps the spend ledger and enforces
 * the daily budgets before any call is made.
 */
import { randomUUID } from 'node:crypto';
import type { CoreConfig } from '../config/load';
import type { Routed } from '../router/router';
import { getPreset } from '../providers/registry';
import { AnyModelError, isAnyModelError } from '../types/errors';
import type { ChatRequest } from '../types/request';
import { contentText } from '../types/request';
import type { ChatResult, Usage } from '../types/result';
import { StreamAccumulator } from '../cache/response-cache';
import { costOf } from './prices';
import type { SpendLedger, UsageLog, UsageRecord, UsageTags } from './records';
import type { StreamObserver } from '../stream';

export interface AccountingOptions {
  onUsage?: (record: UsageRecord) => void;
}

export class Accounting {
  constructor(
    private readonly config: CoreConfig,
    private readonly ledger: SpendLedger,
    private readonly log: UsageLog | undefined,
    private readonly options: AccountingOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Refuses a request when today's spend already reached a configured limit. */
  checkBudget(group: string): void {
    const { dailyUsd, perGroupDailyUsd } = this.config.settings.budgets;
    if (dailyUsd === undefined && perGroupDailyUsd[group] === undefined) return; // no limit: nothing to add up
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const check = (spent: number, limit: number | undefined, what: string) => {
      if (limit !== undefined && spent >= limit) {
        throw new AnyModelError({ kind: 'BudgetExceeded', code: 'budget_exceeded', message: `Budget exceeded for ${what}: spent $${spent.toFixed(4)} of the $${limit.toFixed(4)} allowed per day (${day}, UTC). It resets at midnight UTC.` });
      }
    };
    check(this.ledger.spentOn(day), dailyUsd, 'all models');
    check(this.ledger.spentOn(day, group), perGroupDailyUsd[group], `model ${group}`);
  }

  start(group: string, req?: ChatRequest, tags?: UsageTags): Tracker {
    return new Tracker(this, group, this.now(), req ? lastUserText(req) : undefined, tags);
  }

  /** @internal */
  emit(record: UsageRecord): void {
    this.ledger.add(record);
    void this.log?.append(record);
    this.options.onUsage?.(record);
  }

  /** @internal */
  clock(): number {
    return this.now();
  }
}

type Base = Pick<UsageRecord, 'deployment' | 'provider' | 'attempts' | 'fallback' | 'modelGroup'>;

export class Tracker {
  private readonly id = randomUUID();

  constructor(private readonly acc: Accounting, private readonly group: string, private readonly started: number, private readonly prompt?: string, private readonly tags?: UsageTags) {}

  cacheHit(deploymentId: string, group: string): number {
    this.emit({ deployment: deploymentId, provider: deploymentId.split('/')[0]!, attempts: 0, fallback: false, modelGroup: group }, 'success', undefined, { cacheHit: true });
    return 0;
  }

  success(routed: Routed<unknown>, usage: Usage, ttft?: number): number {
    const local = getPreset(routed.deployment.provider).local;
    const cost = costOf(usage, routed.deployment, local).usd;
    this.emit(base(routed), 'success', usage, { costUsd: cost, ...(ttft !== undefined ? { timeToFirstTokenMs: ttft } : {}) });
    return cost;
  }

  failure(err: unknown, routed?: Routed<unknown>): void {
    const kind = isAnyModelError(err) ? err.kind : 'InternalServer';
    const b: Base = routed ? base(routed) : { deployment: '', provider: '', attempts: 0, fallback: false, modelGroup: this.group };
    this.emit(b, kind === 'Aborted' ? 'aborted' : 'error', undefined, { errorKind: kind });
  }

  /**
   * Watches a stream's parts (each just before the caller sees it): records usage when it
   * finishes, an error or an abort otherwise. An observer, not a wrapping generator, so that the
   * stream pays no extra async layer per part (see `streamParts`).
   */
  observe(routed: Routed<unknown>, onComplete?: (result: ChatResult) => void): StreamObserver {
    const acc = new StreamAccumulator();
    let ttft: number | undefined;
    let settled = false;
    return {
      part: (part) => {
        if (ttft === undefined && (part.type === 'text-delta' || part.type === 'tool-call-start' || part.type === 'reasoning-delta')) ttft = this.acc.clock() - this.started;
        if (part.type === 'error') {
          settled = true;
          this.failure(part.error, routed);
        } else if (part.type === 'finish') {
          settled = true;
          const result = acc.result(part, routed.deployment.model);
          this.success(routed, result.usage, ttft);
          onComplete?.(result);
        } else acc.add(part);
      },
      end: () => {
        if (!settled) this.failure(new AnyModelError({ kind: 'Aborted', message: 'The caller stopped reading' }), routed);
      },
    };
  }

  private emit(b: Base, outcome: UsageRecord['outcome'], usage: Usage | undefined, extra: Partial<UsageRecord>): void {
    const record: UsageRecord = {
      id: this.id,
      time: new Date(this.started).toISOString(),
      ...b,
      inputTokens: usage?.inputTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      costUsd: 0,
      latencyMs: this.acc.clock() - this.started,
      outcome,
      cacheHit: false,
      ...extra,
    };
    if (this.tags?.offline) record.offline = true;
    if (this.tags?.source !== undefined) record.source = this.tags.source;
    if (this.prompt !== undefined) record.prompt = this.prompt;
    this.acc.emit(record);
  }
}

function base(r: Routed<unknown>): Base {
  return { deployment: r.deployment.id, provider: r.deployment.provider, attempts: r.attempts, fallback: r.fallback, modelGroup: r.modelGroup };
}

function lastUserText(req: ChatRequest): string | undefined {
  const m = [...req.messages].reverse().find((x) => x.role === 'user');
  return m ? contentText(m.content) : undefined;
}
