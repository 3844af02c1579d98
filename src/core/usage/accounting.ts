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
import type { AttemptRecord, Operation, RequestEnd, RequestTrace, UsageObserver } from '../telemetry/observer';
import { isPromise } from '../state/types';

export interface AccountingOptions {
  onUsage?: (record: UsageRecord) => void;
}

/** What a request's answer says about itself, for the telemetry observers. */
interface AnswerFacts {
  model?: string;
  id?: string;
  finishReason?: string;
  content?: string | null;
  text?: string;
}

export class Accounting {
  /** Telemetry observers (src/core/telemetry), set by the client; usually none. */
  observers: readonly UsageObserver[] = [];

  constructor(
    private readonly config: CoreConfig,
    private readonly ledger: SpendLedger,
    private readonly log: UsageLog | undefined,
    private readonly options: AccountingOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Refuses a request when today's spend already reached a configured limit. A promise only when
   * the spend is shared (Redis): in memory it answers at once.
   */
  checkBudget(group: string): void | Promise<void> {
    const { dailyUsd, perGroupDailyUsd } = this.config.settings.budgets;
    if (dailyUsd === undefined && perGroupDailyUsd[group] === undefined) return; // no limit: nothing to add up
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const check = (spent: number, limit: number | undefined, what: string) => {
      if (limit !== undefined && spent >= limit) {
        throw new AnyModelError({ kind: 'BudgetExceeded', code: 'budget_exceeded', message: `Budget exceeded for ${what}: spent $${spent.toFixed(4)} of the $${limit.toFixed(4)} allowed per day (${day}, UTC). It resets at midnight UTC.` });
      }
    };
    const both = (spent: { all: number; group: number }) => {
      check(spent.all, dailyUsd, 'all models');
      check(spent.group, perGroupDailyUsd[group], `model ${group}`);
    };
    const spent = this.ledger.daySpend(day, group);
    if (isPromise(spent)) return spent.then(both);
    both(spent);
  }

  /**
   * Refuses projected spend (an estimate per group, for requests not sent yet) that would take
   * today's total or a group's total past its limit. Unlike `checkBudget` it counts what the
   * requests are expected to cost, so a comparison of four models is refused as a whole rather
   * than passing the check four times and overspending.
   */
  checkProjected(items: readonly { group: string; usd: number }[]): void {
    const { dailyUsd, perGroupDailyUsd } = this.config.settings.budgets;
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const over = (spent: number, adding: number, limit: number, what: string) => new AnyModelError({
      kind: 'BudgetExceeded', code: 'budget_exceeded',
      message: `Budget would be exceeded for ${what}: spent $${spent.toFixed(4)} today, these requests are estimated at $${adding.toFixed(4)}, and $${limit.toFixed(4)} is allowed per day (${day}, UTC). Nothing was sent.`,
    });
    const byGroup = new Map<string, number>();
    for (const item of items) byGroup.set(item.group, (byGroup.get(item.group) ?? 0) + item.usd);
    for (const [group, usd] of byGroup) {
      const limit = perGroupDailyUsd[group];
      const spent = this.ledger.spentOn(day, group);
      if (limit !== undefined && spent + usd > limit) throw over(spent, usd, limit, `model ${group}`);
    }
    if (dailyUsd !== undefined) {
      const spent = this.ledger.spentOn(day);
      const usd = [...byGroup.values()].reduce((a, b) => a + b, 0);
      if (spent + usd > dailyUsd) throw over(spent, usd, dailyUsd, 'all models');
    }
  }

  /**
   * `req` is the chat request (telemetry may record it when opted in); its last user message is kept
   * in the record only with `logPrompt`. `call` holds the caller's tags for the record and its own
   * listener for it.
   */
  start(group: string, operation: Operation, stream: boolean, req?: ChatRequest, logPrompt = false, call: TrackedCall = {}): Tracker {
    const started = this.now();
    let traces: RequestTrace[] | undefined;
    if (this.observers.length) {
      for (const o of this.observers) {
        let t: RequestTrace | undefined;
        safely(() => { t = o.start({ operation, requestedModel: group, stream, startedAt: started, ...(req ? { request: req } : {}) }); });
        if (t) (traces ??= []).push(t);
      }
    }
    return new Tracker(this, group, started, logPrompt && req ? lastUserText(req) : undefined, traces, call);
  }

  /** @internal */
  emit(record: UsageRecord, onUsage?: (record: UsageRecord) => void): void {
    this.ledger.add(record);
    void this.log?.append(record);
    this.options.onUsage?.(record);
    onUsage?.(record);
  }

  /** @internal */
  clock(): number {
    return this.now();
  }
}

type Base = Pick<UsageRecord, 'deployment' | 'provider' | 'attempts' | 'fallback' | 'modelGroup'>;

/** What a caller attaches to one request's usage record. */
export interface TrackedCall {
  /** Copied into the record (where the request came from, whether it stands in offline). */
  usage?: UsageTags;
  /** Sees this request's record (besides the client's `onUsage`). */
  onUsage?: (record: UsageRecord) => void;
}

export class Tracker {
  private readonly id = randomUUID();
  /** For the router: each attempt, to the observers that follow attempts. Undefined without any. */
  readonly onAttempt: ((a: AttemptRecord) => void) | undefined;

  constructor(private readonly acc: Accounting, private readonly group: string, private readonly started: number, private readonly prompt?: string, private readonly traces?: RequestTrace[], private readonly call: TrackedCall = {}) {
    const following = traces?.filter((t) => t.attempt);
    if (following?.length) this.onAttempt = (a) => { for (const t of following) safely(() => t.attempt!(a)); };
  }

  cacheHit(deploymentId: string, group: string, answer?: AnswerFacts): number {
    this.emit({ deployment: deploymentId, provider: deploymentId.split('/')[0]!, attempts: 0, fallback: false, modelGroup: group }, 'success', undefined, { cacheHit: true }, answer && (() => facts(answer)));
    return 0;
  }

  success(routed: Routed<unknown>, usage: Usage, ttft?: number, answer?: AnswerFacts): number {
    const local = getPreset(routed.deployment.provider).local;
    const cost = costOf(usage, routed.deployment, local).usd;
    this.emit(base(routed), 'success', usage, { costUsd: cost, ...(ttft !== undefined ? { timeToFirstTokenMs: ttft } : {}) }, () => ({ deployment: routed.deployment, ...(answer ? facts(answer) : {}) }));
    return cost;
  }

  failure(err: unknown, routed?: Routed<unknown>): void {
    const kind = isAnyModelError(err) ? err.kind : 'InternalServer';
    const b: Base = routed ? base(routed) : { deployment: '', provider: '', attempts: 0, fallback: false, modelGroup: this.group };
    this.emit(b, kind === 'Aborted' ? 'aborted' : 'error', undefined, { errorKind: kind }, () => ({ error: err, ...(routed ? { deployment: routed.deployment } : {}) }));
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
          this.success(routed, result.usage, ttft, result);
          onComplete?.(result);
        } else acc.add(part);
      },
      end: () => {
        if (!settled) this.failure(new AnyModelError({ kind: 'Aborted', message: 'The caller stopped reading' }), routed);
      },
    };
  }

  /** `end`: what the telemetry observers get besides the record, built only when there are some. */
  private emit(b: Base, outcome: UsageRecord['outcome'], usage: Usage | undefined, extra: Partial<UsageRecord>, end?: () => Omit<RequestEnd, 'record'>): void {
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
    if (this.call.usage?.offline) record.offline = true;
    if (this.call.usage?.source !== undefined) record.source = this.call.usage.source;
    if (this.prompt !== undefined) record.prompt = this.prompt;
    this.acc.emit(record, this.call.onUsage);
    if (this.traces) {
      const e: RequestEnd = { record, ...end?.() };
      for (const t of this.traces) safely(() => t.end(e));
    }
  }
}

function facts(a: AnswerFacts): Omit<RequestEnd, 'record'> {
  const text = a.content ?? a.text;
  return {
    ...(a.model ? { responseModel: a.model } : {}),
    ...(a.id ? { responseId: a.id } : {}),
    ...(a.finishReason ? { finishReason: a.finishReason } : {}),
    ...(typeof text === 'string' ? { outputText: text } : {}),
  };
}

/** A telemetry observer that throws must not fail the request it watches. */
function safely(f: () => void): void {
  try {
    f();
  } catch {
    // Telemetry is best effort; the request and its usage record stand.
  }
}

function base(r: Routed<unknown>): Base {
  return { deployment: r.deployment.id, provider: r.deployment.provider, attempts: r.attempts, fallback: r.fallback, modelGroup: r.modelGroup };
}

function lastUserText(req: ChatRequest): string | undefined {
  const m = [...req.messages].reverse().find((x) => x.role === 'user');
  return m ? contentText(m.content) : undefined;
}
