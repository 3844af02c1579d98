/**
 * Compare: one unified request to several models at once, each column through the router with its
 * own AbortController, so stopping or failing one leaves the others streaming. Per column it keeps
 * what a person choosing a model weighs: time to first token, total time, tokens, cost (from the
 * column's own usage record) and who answered (a router fallback or the offline switch is said).
 * Requests start at most `concurrency` at a time; the whole comparison's estimated cost is checked
 * against the budgets before anything is sent (docs/architecture.md#compare).
 */
import type { CallOptions, StreamHandle } from '../client';
import { getPreset } from '../providers/registry';
import type { AbortLike } from '../types/abort';
import type { Deployment } from '../types/deployment';
import { AnyModelError, isAnyModelError } from '../types/errors';
import type { ChatRequest } from '../types/request';
import type { FinishReason, StreamPart } from '../types/result';
import { unitPrices } from '../usage/prices';
import type { UsageRecord, UsageTags } from '../usage/records';
import { checkComparisonBudget } from './estimate';
import { Slots } from './slots';

export const MIN_COMPARE_MODELS = 2;
export const MAX_COMPARE_MODELS = 4;
/** All columns at once by default: four requests is no burst for any provider. */
export const DEFAULT_COMPARE_CONCURRENCY = MAX_COMPARE_MODELS;

/** What the runner needs of the client (an AnyModelClient is one). */
export interface CompareClient {
  streamChat(req: ChatRequest, opts?: CallOptions): Promise<StreamHandle>;
  deploymentsFor(model: string): Deployment[];
  checkProjectedSpend(items: readonly { group: string; usd: number }[]): void;
}

/** Another model than the one asked for answered the column. */
export interface CompareFallback {
  /** `router`: a configured fallback group; `offline`: the local model while the cloud is down. */
  kind: 'router' | 'offline';
  requestedModel: string;
  reason: string;
}

export type ColumnStatus = 'queued' | 'running' | 'done' | 'error' | 'stopped';

export interface CompareColumn {
  index: number;
  /** The model asked for. */
  model: string;
  /** The model group that answered; differs from `model` after a fallback. */
  answeredBy?: string;
  status: ColumnStatus;
  text: string;
  /** From sending the request to the first text (or reasoning) token. */
  ttftMs?: number;
  /** From sending the request to the end of the answer (or its failure or stop). */
  totalMs?: number;
  usage?: { inputTokens: number; outputTokens: number; totalTokens: number };
  /** US dollars from the column's usage record; null when the model's price is unknown. */
  costUsd?: number | null;
  fallback?: CompareFallback;
  finishReason?: FinishReason | 'stopped';
  error?: AnyModelError;
}

export type CompareEvent =
  | { type: 'column-start'; column: number; model: string; answeredBy: string; fallback?: CompareFallback }
  | { type: 'column-part'; column: number; part: StreamPart }
  | { type: 'column-end'; column: number; result: CompareColumn };

export interface CompareOptions {
  models: readonly string[];
  /** The request every model gets; `model` and `stream` are set per column. */
  request: Omit<ChatRequest, 'model' | 'stream'>;
  /** Requests in flight at once (1..4). */
  concurrency?: number;
  /** Stops every column. */
  signal?: AbortLike;
  onEvent?(event: CompareEvent): void;
  /** Where a new request for `model` goes: the offline switch sends a cloud model to its local stand-in. */
  route?(model: string): { model: string; offline?: { requestedModel: string; reason: string } };
  /** A column failed before its answer started: the local model to ask instead, or undefined to keep the error. */
  onOutage?(model: string, error: AnyModelError): string | undefined;
  /** Output tokens a model is assumed to write, for the budget check; default: `max_tokens`, else 1,000. */
  outputTokenEstimate?: number;
  /** Copied into each column's usage record (`offline` is added for a column a local model answered). */
  usage?: UsageTags;
  now?(): number;
}

export interface Comparison {
  readonly columns: readonly CompareColumn[];
  /** Stops one column (by index), or all of them. */
  stop(index?: number): void;
  /** Resolves when every column settled; never rejects (a failure is the column's `error`). */
  readonly done: Promise<CompareColumn[]>;
}

/**
 * Checks the models and the budget, then starts every column. Throws an AnyModelError, before any
 * request is sent, for a wrong number of models, an unknown model or a budget the comparison would pass.
 */
export function startComparison(client: CompareClient, options: CompareOptions): Comparison {
  return startColumns(client, options, MIN_COMPARE_MODELS);
}

/**
 * `startComparison` with a smaller lower bound: asking one column again (after a key was set, or
 * a retry) runs the same way, through the same budget check.
 */
export function startColumns(client: CompareClient, options: CompareOptions, minModels = 1): Comparison {
  const models = validateModels(client, options.models, minModels);
  checkComparisonBudget(client, models, options.request, options.outputTokenEstimate);
  const now = options.now ?? Date.now;
  const concurrency = Math.max(1, Math.min(MAX_COMPARE_MODELS, Math.floor(options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY)));
  const slots = new Slots(concurrency);
  const columns: CompareColumn[] = models.map((model, index) => ({ index, model, status: 'queued', text: '' }));
  const aborts = columns.map(() => new AbortController());
  const stopAll = () => aborts.forEach((a) => a.abort());
  if (options.signal?.aborted) stopAll();
  options.signal?.addEventListener('abort', stopAll, { once: true });
  const emit = (event: CompareEvent) => {
    try { options.onEvent?.(event); } catch { /* a listener's bug must not stop the other columns */ }
  };
  const done = Promise.all(columns.map((column, i) => runColumn(client, options, column, aborts[i]!.signal, slots, now, emit)))
    .finally(() => options.signal?.removeEventListener('abort', stopAll));
  return {
    columns,
    stop: (index) => { if (index === undefined) stopAll(); else aborts[index]?.abort(); },
    done,
  };
}

function validateModels(client: CompareClient, requested: readonly string[], min: number): string[] {
  const models = [...new Set(requested.map((m) => m.trim()).filter(Boolean))];
  if (models.length < min || models.length > MAX_COMPARE_MODELS) {
    throw new AnyModelError({ kind: 'BadRequest', param: 'models', message: `Compare takes ${min} to ${MAX_COMPARE_MODELS} different models; got ${models.length}${models.length ? ` (${models.join(', ')})` : ''}.` });
  }
  const unknown = models.filter((m) => client.deploymentsFor(m).length === 0);
  if (unknown.length) {
    throw new AnyModelError({ kind: 'NotFound', param: 'models', code: 'model_not_found', message: `Unknown model${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Use a model_name from the config or a provider/model id.` });
  }
  return models;
}

async function runColumn(client: CompareClient, options: CompareOptions, column: CompareColumn, signal: AbortSignal, slots: Slots, now: () => number, emit: (e: CompareEvent) => void): Promise<CompareColumn> {
  if (!(await slots.acquire(signal))) {
    column.status = 'stopped';
    column.finishReason = 'stopped';
    emit({ type: 'column-end', column: column.index, result: column });
    return column;
  }
  const started = now();
  column.status = 'running';
  let record: UsageRecord | undefined;
  let handle: StreamHandle | undefined;
  const open = (model: string, offline: boolean) => client.streamChat({ ...options.request, model, stream: true }, {
    signal, onUsage: (r) => { record = r; }, usage: { ...options.usage, ...(offline ? { offline: true } : {}) },
  });
  try {
    let route = options.route?.(column.model) ?? { model: column.model };
    try {
      handle = await open(route.model, !!route.offline);
    } catch (err) {
      const local = !route.offline && !signal.aborted && isAnyModelError(err) ? options.onOutage?.(route.model, err) : undefined;
      if (!local) throw err;
      route = { model: local, offline: { requestedModel: column.model, reason: `offline: ${(err as AnyModelError).message}` } };
      handle = await open(local, true);
    }
    column.answeredBy = handle.modelGroup;
    column.fallback = route.offline ? { kind: 'offline', ...route.offline }
      : handle.fallback ? { kind: 'router', requestedModel: column.model, reason: `the router fell back to ${handle.modelGroup}` } : undefined;
    emit({ type: 'column-start', column: column.index, model: column.model, answeredBy: handle.modelGroup, ...(column.fallback ? { fallback: column.fallback } : {}) });
    for await (const part of handle.parts) {
      if (part.type === 'error') throw part.error;
      if ((part.type === 'text-delta' || part.type === 'reasoning-delta') && column.ttftMs === undefined) column.ttftMs = now() - started;
      if (part.type === 'text-delta') column.text += part.text;
      if (part.type === 'finish') {
        column.finishReason = part.finishReason;
        if (part.usage) column.usage = { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens, totalTokens: part.usage.totalTokens };
      }
      emit({ type: 'column-part', column: column.index, part });
      // Stopped while a part was on its way: leaving the loop aborts the request (streamParts).
      if (signal.aborted) break;
    }
    column.status = signal.aborted ? 'stopped' : 'done';
  } catch (err) {
    if (signal.aborted) column.status = 'stopped';
    else {
      column.status = 'error';
      column.error = isAnyModelError(err) ? err : new AnyModelError({ kind: 'InternalServer', message: (err as Error)?.message ?? String(err), cause: err });
    }
  } finally {
    slots.release();
  }
  if (column.status === 'stopped') column.finishReason = 'stopped';
  column.totalMs = now() - started;
  if (record && record.outcome === 'success') {
    column.usage ??= { inputTokens: record.inputTokens, outputTokens: record.outputTokens, totalTokens: record.inputTokens + record.outputTokens };
    column.costUsd = priced(handle?.deployment) ? record.costUsd : null;
  } else if (handle && column.status !== 'stopped') column.costUsd = priced(handle.deployment) ? 0 : null;
  // A stopped answer was billed for what the provider generated, which no usage record says: no figure rather than $0.
  emit({ type: 'column-end', column: column.index, result: column });
  return column;
}

function priced(dep: Deployment | undefined): boolean {
  return !!dep && unitPrices(dep, getPreset(dep.provider).local) !== undefined;
}
