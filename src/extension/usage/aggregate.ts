/**
 * Adds usage records up into what the dashboard draws: per UTC day (spend stacked by model group,
 * requests, errors, fallbacks, offline answers, cache hits) and per model group (tokens, cost,
 * latency and time to first token at p50/p95). Pure: the host runs it, the webview only renders,
 * the tests feed it records. Also the CSV export of the records themselves.
 */
import type { ModelRow, UsageSummary } from '../../shared/usage-protocol';
import type { StoredUsage } from './schema';
import { dayBefore, utcDay } from './store';

export interface SummaryOptions {
  /** The last day shown (UTC, YYYY-MM-DD): usually today. */
  today: string;
  /** Days shown, `today` included. */
  days?: number;
  damaged?: number;
  storeDir?: string;
}

/** Nearest-rank percentile (`p` in 0..100) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(records: readonly StoredUsage[], options: SummaryOptions): UsageSummary {
  const n = options.days ?? 30;
  const days = Array.from({ length: n }, (_, i) => dayBefore(options.today, n - 1 - i));
  const index = new Map(days.map((d, i) => [d, i]));
  const zeros = () => new Array<number>(n).fill(0);
  const perDay = { requests: zeros(), errors: zeros(), fallbacks: zeros(), offline: zeros(), cacheHits: zeros() };
  const spend = new Map<string, number[]>();
  const rows = new Map<string, ModelRow & { latencies: number[]; ttfts: number[] }>();
  let todayUsd = 0;
  for (const r of records) {
    const i = index.get(utcDay(r.time));
    if (i === undefined) continue;
    const error = r.outcome === 'error';
    perDay.requests[i]!++;
    if (error) perDay.errors[i]!++;
    if (r.fallback) perDay.fallbacks[i]!++;
    if (r.offline) perDay.offline[i]!++;
    if (r.cacheHit) perDay.cacheHits[i]!++;
    const s = spend.get(r.modelGroup) ?? zeros();
    s[i]! += r.costUsd;
    spend.set(r.modelGroup, s);
    if (i === n - 1) todayUsd += r.costUsd;
    let row = rows.get(r.modelGroup);
    if (!row) {
      row = { model: r.modelGroup, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costUsd: 0,
        latencyP50: null, latencyP95: null, ttftP50: null, ttftP95: null, fallbacks: 0, offline: 0, cacheHits: 0, latencies: [], ttfts: [] };
      rows.set(r.modelGroup, row);
    }
    row.requests++;
    if (error) row.errors++;
    row.inputTokens += r.inputTokens;
    row.outputTokens += r.outputTokens;
    row.cachedInputTokens += r.cachedInputTokens;
    row.reasoningTokens += r.reasoningTokens;
    row.costUsd += r.costUsd;
    if (r.fallback) row.fallbacks++;
    if (r.offline) row.offline++;
    if (r.cacheHit) row.cacheHits++;
    // Latency of answers only: an error's time says how fast it failed, a cache hit took no model time.
    if (r.outcome === 'success' && !r.cacheHit) {
      row.latencies.push(r.latencyMs);
      if (r.timeToFirstTokenMs !== undefined) row.ttfts.push(r.timeToFirstTokenMs);
    }
  }
  const models: ModelRow[] = [...rows.values()]
    .map(({ latencies, ttfts, ...row }) => ({ ...row, latencyP50: percentile(latencies, 50), latencyP95: percentile(latencies, 95), ttftP50: percentile(ttfts, 50), ttftP95: percentile(ttfts, 95) }))
    // Most spent first, then most used: the stack's order and the table's first sort.
    .sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.model.localeCompare(b.model));
  return {
    days,
    spendByDay: models.map((m) => ({ model: m.model, values: spend.get(m.model)! })),
    requestsByDay: perDay.requests,
    errorsByDay: perDay.errors,
    fallbacksByDay: perDay.fallbacks,
    offlineByDay: perDay.offline,
    cacheHitsByDay: perDay.cacheHits,
    models,
    totals: {
      costUsd: models.reduce((s, m) => s + m.costUsd, 0),
      requests: models.reduce((s, m) => s + m.requests, 0),
      errors: models.reduce((s, m) => s + m.errors, 0),
      todayUsd,
    },
    damaged: options.damaged ?? 0,
    storeDir: options.storeDir ?? '',
  };
}

const CSV_COLUMNS = ['time', 'modelGroup', 'deployment', 'provider', 'source', 'outcome', 'errorKind', 'inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens', 'costUsd', 'latencyMs', 'timeToFirstTokenMs', 'attempts', 'fallback', 'offline', 'cacheHit'] as const;

/** The records as CSV (RFC 4180), one row each; prompts are never exported. */
export function toCsv(records: readonly StoredUsage[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // A cell a spreadsheet would run as a formula (a model name is configuration, not trusted): quote it as text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text.startsWith("'") ? `"${text.replace(/"/g, '""')}"` : text;
}
