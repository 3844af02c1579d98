/**
 * A comparison as rows (for `--json` and the panel) and as a plain-text table (for the terminal):
 * model, time to first token, total time, tokens in and out, cost, and who answered.
 */
import type { CompareColumn } from './run';

export interface CompareRow {
  model: string;
  answeredBy: string | null;
  status: CompareColumn['status'];
  ttftMs: number | null;
  totalMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** null: unknown price (or no answer). */
  costUsd: number | null;
  fallback: { kind: 'router' | 'offline'; requestedModel: string; reason: string } | null;
  error: { kind: string; message: string } | null;
  text: string;
}

export function compareRows(columns: readonly CompareColumn[]): CompareRow[] {
  return columns.map((c) => ({
    model: c.model,
    answeredBy: c.answeredBy ?? null,
    status: c.status,
    ttftMs: c.ttftMs ?? null,
    totalMs: c.totalMs ?? null,
    inputTokens: c.usage?.inputTokens ?? null,
    outputTokens: c.usage?.outputTokens ?? null,
    costUsd: c.costUsd ?? null,
    fallback: c.fallback ? { ...c.fallback } : null,
    error: c.error ? { kind: c.error.kind, message: c.error.message } : null,
    text: c.text,
  }));
}

/** Seconds with two decimals: "0.42 s"; a dash when there is no figure. */
export function formatSeconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`;
}

/** Dollars with enough digits to tell cheap models apart (a chat turn often costs a fraction of a cent). */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return 'unknown';
  if (usd === 0) return '$0';
  if (usd < 0.000001) return '< $0.000001';
  if (usd < 0.01) return `$${usd.toFixed(6).replace(/0+$/, '')}`;
  return `$${usd.toFixed(4)}`;
}

const HEADINGS = ['model', 'TTFT', 'total', 'tokens in', 'tokens out', 'cost', 'note'] as const;

/** The terminal table, one row per model in the order asked, numbers right-aligned. */
export function formatCompareTable(columns: readonly CompareColumn[]): string {
  const rows = compareRows(columns).map((r) => [
    r.model,
    formatSeconds(r.ttftMs),
    formatSeconds(r.totalMs),
    r.inputTokens === null ? '—' : String(r.inputTokens),
    r.outputTokens === null ? '—' : String(r.outputTokens),
    r.status === 'error' ? '—' : formatUsd(r.costUsd),
    note(r),
  ]);
  // The note column (failed, stopped, who answered instead) only when some row has one.
  const headings = rows.some((row) => row[6] !== '') ? [...HEADINGS] : HEADINGS.slice(0, 6);
  if (headings.length === 6) rows.forEach((row) => row.pop());
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 || i === 6 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headings), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function note(r: CompareRow): string {
  if (r.status === 'error') return `failed: ${r.error?.kind ?? 'error'}`;
  if (r.status === 'stopped') return 'stopped';
  if (r.fallback?.kind === 'offline') return `offline: answered by ${r.answeredBy}`;
  if (r.fallback) return `fallback: answered by ${r.answeredBy}`;
  return '';
}
