/** What a suite hands back (tables, targets, raw data) and how it is printed. */
import type { Machine } from './machine';

export interface Table {
  title: string;
  headers: string[];
  rows: (string | number)[][];
  notes?: string[];
}

/** A target from the issue: pass, fail, or not measured (`pass` undefined) with the reason in `measured`. */
export interface TargetCheck {
  suite: string;
  name: string;
  pass: boolean | undefined;
  measured: string;
}

export interface SuiteResult {
  tables: Table[];
  targets: TargetCheck[];
  data: unknown;
}

export interface BenchContext {
  machine: Machine;
  /** Measured seconds per target and phase, and the warm-up before each. */
  phaseS: number;
  warmS: number;
  root: string;
  log(line: string): void;
  /** Results of the suites that ran before this one, by id. */
  earlier: Map<string, SuiteResult>;
}

/** One part of `npm run bench`. Later parts (extension activation, webview replay) are more of these. */
export interface Suite {
  id: string;
  title: string;
  /** Whether to run it this time (default: always). */
  wanted?(ctx: BenchContext): boolean;
  run(ctx: BenchContext): Promise<SuiteResult>;
}

export const fmt = (n: number | undefined, digits = 2): string => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

export function renderTable(t: Table): string {
  const cells = [t.headers, ...t.rows.map((r) => r.map(String))];
  const widths = t.headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [`${t.title}\n`, line(t.headers), rule, ...cells.slice(1).map(line), ...(t.notes ?? []).map((n) => `\n${n}`)].join('\n');
}

export function targetTable(targets: TargetCheck[]): Table {
  return {
    title: 'Targets',
    headers: ['suite', 'target', 'result', 'measured'],
    rows: targets.map((t) => [t.suite, t.name, t.pass === undefined ? 'n/a' : t.pass ? 'pass' : 'FAIL', t.measured]),
  };
}
