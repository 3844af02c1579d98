/**
 * The dashboard's charts, drawn with Chart.js on canvases (no markup from data, no eval, no
 * injected stylesheet: it works under the webview's CSP without 'unsafe-eval' or
 * 'unsafe-inline'). Only the pieces used are registered, so the bundle carries bar and line
 * charts and nothing else. Colours are VS Code's chart theme colours (--vscode-charts-*), read
 * when drawn, so a theme change (dark, light, high contrast) redraws in the new theme.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import type { UsageSummary } from '../../shared/usage-protocol';
import { ms, usd } from './format';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Theme { fg: string; grid: string; font: string; palette: string[]; red: string; border: string }

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/**
 * The colour without its alpha: some theme chart colours are translucent (charts.orange derives
 * from the minimap's find-match colour), which reads as brown on dark and peach on light bars.
 */
export function opaque(color: string): string {
  const hex = /^#([0-9a-f]{6})[0-9a-f]{2}$/i.exec(color) ?? /^#([0-9a-f]{3})[0-9a-f]$/i.exec(color);
  if (hex) return `#${hex[1]}`;
  const rgba = /^rgba\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)[\s,/]+[\d.%]+\s*\)$/i.exec(color);
  return rgba ? `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})` : color;
}

/** The theme's chart colours; high contrast themes get their contrast border around every bar. */
export function readTheme(): Theme {
  // A fallback per colour (VS Code's dark defaults): high contrast themes leave some chart colours unset.
  const colours: [string, string][] = [['blue', '#3794ff'], ['orange', '#d18616'], ['green', '#89d185'], ['purple', '#b180d7'], ['yellow', '#cca700'], ['red', '#f14c4c']];
  const palette = colours.map(([c, fallback]) => opaque(cssVar(`--vscode-charts-${c}`, fallback)));
  return {
    fg: cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#cccccc')),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    palette,
    red: opaque(cssVar('--vscode-charts-red', '#f14c4c')),
    border: cssVar('--vscode-contrastBorder', ''),
  };
}

/** "12-02" for a day: the year and month are in the heading. */
const shortDay = (d: string) => d.slice(5);

export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows, in words (the canvas's accessible name). */
  describe(s: UsageSummary): string;
  config(s: UsageSummary, t: Theme): ChartConfiguration<'bar'>;
}

function base(t: Theme, opts: { stacked?: boolean; horizontal?: boolean; money?: boolean; millis?: boolean }): ChartConfiguration<'bar'>['options'] {
  const value = (v: number | string) => (opts.money ? usd(Number(v)) : opts.millis ? ms(Number(v)) : Number(v).toLocaleString('en-US'));
  const valueAxis = { stacked: !!opts.stacked, beginAtZero: true, grid: { color: t.grid }, border: { color: t.grid }, ticks: { color: t.fg, callback: value, precision: opts.money ? undefined : 0 } };
  const catAxis = { stacked: !!opts.stacked, grid: { display: false }, border: { color: t.grid }, ticks: { color: t.fg } };
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: opts.horizontal ? 'y' : 'x',
    font: { family: t.font },
    scales: opts.horizontal ? { x: valueAxis, y: catAxis } : { x: catAxis, y: valueAxis },
    plugins: {
      legend: { labels: { color: t.fg, boxWidth: 12, font: { family: t.font } } },
      tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label ?? ''}: ${value(ctx.parsed[opts.horizontal ? 'x' : 'y'] ?? 0)}` } },
    },
  };
}

const bar = (label: string, data: (number | null)[], color: string, t: Theme) => ({
  label, data, backgroundColor: color, borderColor: t.border || color, borderWidth: t.border ? 1 : 0,
});

export const CHARTS: ChartSpec[] = [
  {
    id: 'spend',
    title: 'Spend per day, by model (USD)',
    describe: (s) => `Spend per day over ${s.days.length} days: ${usd(s.totals.costUsd)} in all; ${s.spendByDay.map((m) => `${m.model} ${usd(m.values.reduce((a, b) => a + b, 0))}`).join(', ')}.`,
    config: (s, t) => ({ type: 'bar', data: { labels: s.days.map(shortDay), datasets: s.spendByDay.map((m, i) => bar(m.model, m.values, t.palette[i % t.palette.length]!, t)) }, options: base(t, { stacked: true, money: true }) }),
  },
  {
    id: 'requests',
    title: 'Requests and errors per day',
    describe: (s) => `${s.totals.requests} requests and ${s.totals.errors} errors over ${s.days.length} days.`,
    config: (s, t) => ({ type: 'bar', data: { labels: s.days.map(shortDay), datasets: [bar('requests', s.requestsByDay, t.palette[0]!, t), bar('errors', s.errorsByDay, t.red, t)] }, options: base(t, {}) }),
  },
  {
    id: 'tokens',
    title: 'Tokens in and out, by model',
    describe: (s) => s.models.map((m) => `${m.model}: ${m.inputTokens} in, ${m.outputTokens} out`).join('; '),
    config: (s, t) => ({ type: 'bar', data: { labels: s.models.map((m) => m.model), datasets: [bar('input', s.models.map((m) => m.inputTokens), t.palette[0]!, t), bar('output', s.models.map((m) => m.outputTokens), t.palette[1]!, t)] }, options: base(t, { horizontal: true }) }),
  },
  {
    id: 'latency',
    title: 'Latency and time to first token, by model',
    describe: (s) => s.models.map((m) => `${m.model}: latency p50 ${ms(m.latencyP50)}, p95 ${ms(m.latencyP95)}; first token p50 ${ms(m.ttftP50)}, p95 ${ms(m.ttftP95)}`).join('; '),
    config: (s, t) => ({
      type: 'bar',
      data: {
        labels: s.models.map((m) => m.model),
        datasets: [
          bar('first token p50', s.models.map((m) => m.ttftP50), t.palette[2]!, t),
          bar('first token p95', s.models.map((m) => m.ttftP95), t.palette[4]!, t),
          bar('latency p50', s.models.map((m) => m.latencyP50), t.palette[0]!, t),
          bar('latency p95', s.models.map((m) => m.latencyP95), t.palette[3]!, t),
        ],
      },
      options: base(t, { horizontal: true, millis: true }),
    }),
  },
  {
    id: 'routing',
    title: 'Fallbacks, offline answers and cache hits per day',
    describe: (s) => `${sum(s.fallbacksByDay)} fallbacks, ${sum(s.offlineByDay)} offline answers, ${sum(s.cacheHitsByDay)} cache hits over ${s.days.length} days.`,
    config: (s, t) => ({
      type: 'bar',
      data: { labels: s.days.map(shortDay), datasets: [bar('fallbacks', s.fallbacksByDay, t.palette[1]!, t), bar('offline', s.offlineByDay, t.palette[3]!, t), bar('cache hits', s.cacheHitsByDay, t.palette[2]!, t)] },
      options: base(t, { stacked: true }),
    }),
  },
];

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Draws (or redraws) every chart into its canvas; returns the charts to destroy before the next draw. */
export function drawCharts(summary: UsageSummary, canvases: Map<string, HTMLCanvasElement>, previous: Chart[]): Chart[] {
  for (const c of previous) c.destroy();
  const theme = readTheme();
  Chart.defaults.color = theme.fg;
  Chart.defaults.font.family = theme.font;
  const charts: Chart[] = [];
  for (const spec of CHARTS) {
    const canvas = canvases.get(spec.id);
    if (canvas) charts.push(new Chart(canvas, spec.config(summary, theme) as ChartConfiguration));
  }
  return charts;
}
