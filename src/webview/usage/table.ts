/**
 * The per-model table: one row per model group, sorted by clicking a column's header (again to
 * reverse). Headers are buttons and carry `aria-sort`, so the sort is usable from the keyboard
 * and announced. Text goes in as text nodes only (dom.ts).
 */
import type { ModelRow } from '../../shared/usage-protocol';
import { h } from '../dom';
import { count, ms, usd } from './format';

interface Column { key: keyof ModelRow; label: string; text(r: ModelRow): string; numeric: boolean }

const COLUMNS: Column[] = [
  { key: 'model', label: 'Model', text: (r) => r.model, numeric: false },
  { key: 'requests', label: 'Requests', text: (r) => count(r.requests), numeric: true },
  { key: 'errors', label: 'Errors', text: (r) => count(r.errors), numeric: true },
  { key: 'inputTokens', label: 'Tokens in', text: (r) => count(r.inputTokens), numeric: true },
  { key: 'outputTokens', label: 'Tokens out', text: (r) => count(r.outputTokens), numeric: true },
  { key: 'cachedInputTokens', label: 'Cached in', text: (r) => count(r.cachedInputTokens), numeric: true },
  { key: 'costUsd', label: 'Cost', text: (r) => usd(r.costUsd), numeric: true },
  { key: 'latencyP50', label: 'Latency p50', text: (r) => ms(r.latencyP50), numeric: true },
  { key: 'latencyP95', label: 'Latency p95', text: (r) => ms(r.latencyP95), numeric: true },
  { key: 'ttftP50', label: 'First token p50', text: (r) => ms(r.ttftP50), numeric: true },
  { key: 'ttftP95', label: 'First token p95', text: (r) => ms(r.ttftP95), numeric: true },
  { key: 'fallbacks', label: 'Fallbacks', text: (r) => count(r.fallbacks), numeric: true },
  { key: 'offline', label: 'Offline', text: (r) => count(r.offline), numeric: true },
  { key: 'cacheHits', label: 'Cache hits', text: (r) => count(r.cacheHits), numeric: true },
];

export interface SortState { key: keyof ModelRow; descending: boolean }

export function sortRows(rows: readonly ModelRow[], sort: SortState): ModelRow[] {
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    // Rows without a figure (no successful request) go last whichever way the sort runs.
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (typeof x === 'string' ? x.localeCompare(String(y)) : (x) - (y as number)) * dir;
  });
}

export function renderTable(rows: readonly ModelRow[], sort: SortState, onSort: (next: SortState) => void): HTMLTableElement {
  const head = h('tr');
  for (const c of COLUMNS) {
    const active = sort.key === c.key;
    const button = h('button', { type: 'button', class: 'sort', 'data-key': c.key }, c.label, active ? (sort.descending ? ' ▾' : ' ▴') : '');
    button.addEventListener('click', () => onSort({ key: c.key, descending: active ? !sort.descending : c.numeric }));
    head.appendChild(h('th', { scope: 'col', class: c.numeric ? 'num' : '', 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : 'none' }, button));
  }
  const body = h('tbody');
  for (const r of sortRows(rows, sort)) {
    const tr = h('tr');
    for (const c of COLUMNS) tr.appendChild(h(c.key === 'model' ? 'th' : 'td', { class: c.numeric ? 'num' : '', ...(c.key === 'model' ? { scope: 'row' } : {}) }, c.text(r)));
    body.appendChild(tr);
  }
  return h('table', { class: 'usage-table' }, h('caption', { class: 'sr-only' }, 'Usage per model over the last 30 days; click a column to sort'), h('thead', {}, head), body);
}
