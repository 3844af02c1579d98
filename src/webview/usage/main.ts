/**
 * Entry point of dist/usage.js, the usage dashboard (esbuild, IIFE, browser), under the same CSP
 * as the chat (src/shared/html.ts). It draws the summary the host sends, validated on arrival,
 * and asks the host for a refresh or a CSV export; it reads no file and adds nothing up itself.
 */
import type { Chart } from 'chart.js';
import { UsageHostMessage, type UsageSummary } from '../../shared/usage-protocol';
import { h } from '../dom';
import type { VsCodeApi } from '../host';
import { CHARTS, drawCharts } from './charts';
import { count, usd } from './format';
import { renderTable, type SortState } from './table';

declare function acquireVsCodeApi(): VsCodeApi;

export class UsageApp {
  private summary: UsageSummary | undefined;
  private charts: Chart[] = [];
  private sort: SortState = { key: 'costUsd', descending: true };
  private status = '';

  constructor(private readonly root: HTMLElement, private readonly api: VsCodeApi) {}

  start(): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const parsed = UsageHostMessage.safeParse(event.data);
      if (!parsed.success) return; // not ours, or malformed: the host is the only sender that counts
      if (parsed.data.type === 'summary') {
        this.summary = parsed.data.summary;
        this.render();
      } else {
        this.status = `Exported to ${parsed.data.file}`;
        this.render();
      }
    });
    // VS Code switches the theme by changing the body's classes: redraw the charts in its colours.
    new MutationObserver(() => { if (this.summary) this.render(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.api.postMessage({ type: 'ready' });
  }

  private render(): void {
    const s = this.summary;
    if (!s) return;
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const refresh = h('button', { type: 'button', class: 'button secondary', 'data-action': 'refresh' }, 'Refresh');
    refresh.addEventListener('click', () => this.api.postMessage({ type: 'refresh' }));
    const exportCsv = h('button', { type: 'button', class: 'button', 'data-action': 'export', disabled: s.totals.requests === 0 }, 'Export CSV…');
    exportCsv.addEventListener('click', () => this.api.postMessage({ type: 'exportCsv' }));
    const first = s.days[0] ?? '';
    const last = s.days.at(-1) ?? '';
    const header = h('header', { class: 'usage-header' },
      h('div', {},
        h('h1', {}, 'AnyModel usage'),
        h('p', { class: 'range' }, `Last ${s.days.length} days, ${first} to ${last} (UTC days)`)),
      h('div', { class: 'actions' }, refresh, exportCsv));
    const totals = h('dl', { class: 'totals' },
      h('div', {}, h('dt', {}, 'Spent today'), h('dd', { 'data-total': 'today' }, usd(s.totals.todayUsd))),
      h('div', {}, h('dt', {}, `Spent in ${s.days.length} days`), h('dd', { 'data-total': 'cost' }, usd(s.totals.costUsd))),
      h('div', {}, h('dt', {}, 'Requests'), h('dd', { 'data-total': 'requests' }, count(s.totals.requests))),
      h('div', {}, h('dt', {}, 'Errors'), h('dd', { 'data-total': 'errors' }, count(s.totals.errors))));
    const notes = h('div', { class: 'notes', role: 'status' },
      s.damaged ? h('p', { class: 'warning' }, `${s.damaged} damaged line${s.damaged === 1 ? ' was' : 's were'} skipped in the usage files (${s.storeDir}).`) : null,
      this.status ? h('p', {}, this.status) : null);
    if (s.totals.requests === 0) {
      this.root.replaceChildren(header, notes, h('section', { class: 'empty' },
        h('h2', {}, 'No requests in the last 30 days'),
        h('p', {}, 'Every request AnyModel sends, from its chat panel, from VS Code\'s Chat with an AnyModel model, or through the local proxy, is recorded here: model, tokens, cost, latency and whether it failed, fell back or came from the cache. Ask something in AnyModel Chat and it shows up here.'),
        h('p', {}, `Records stay on this machine, in ${s.storeDir || 'the extension\'s storage'}, for 90 days. Prompts are not kept unless anymodel.logPrompts is on; keys never are.`)));
      this.root.setAttribute('aria-busy', 'false');
      return;
    }
    const canvases = new Map<string, HTMLCanvasElement>();
    const grid = h('div', { class: 'charts' });
    for (const spec of CHARTS) {
      const canvas = h('canvas', { role: 'img', 'aria-label': spec.describe(s) });
      canvases.set(spec.id, canvas);
      grid.appendChild(h('figure', { class: `chart chart-${spec.id}`, 'data-chart': spec.id }, h('figcaption', {}, spec.title), h('div', { class: 'canvas-box' }, canvas)));
    }
    const table = renderTable(s.models, this.sort, (next) => { this.sort = next; this.render(); });
    this.root.replaceChildren(header, totals, notes, grid, h('section', { class: 'table-section' }, h('h2', {}, 'Per model'), h('div', { class: 'table-scroll' }, table)));
    this.charts = drawCharts(s, canvases, []);
    this.root.setAttribute('aria-busy', 'false');
  }
}

const root = document.getElementById('app');
if (root) new UsageApp(root, acquireVsCodeApi()).start();
