/**
 * The composer's context meter: a bar and `12.3K / 128K tokens (10 %)`, amber past 80 % of the
 * model's window, red past it (src/shared/meter.ts computes it). The bar's width is set through
 * the CSSOM, which the CSP allows (it forbids style attributes, not `element.style`).
 */
import type { ContextUsage } from '../shared/protocol';
import { contextMeter, type Meter } from '../shared/meter';
import { h, icon } from './dom';

export class ContextMeterView {
  readonly element: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly label: HTMLElement;
  private readonly warning: HTMLElement;
  private last: Meter | undefined;

  constructor() {
    this.fill = h('span', { class: 'meter-fill' });
    this.label = h('span', { class: 'meter-label' });
    this.warning = h('span', { class: 'meter-icon', hidden: true }, icon('warning'));
    this.element = h('div', { class: 'context-meter', role: 'meter', 'aria-label': 'Context window used', 'aria-valuemin': 0, hidden: true },
      this.warning, h('span', { class: 'meter-bar', 'aria-hidden': 'true' }, this.fill), this.label);
  }

  get meter(): Meter | undefined {
    return this.last;
  }

  update(usage: ContextUsage | null, draft: string): Meter | undefined {
    if (!usage) {
      this.element.hidden = true;
      this.last = undefined;
      return undefined;
    }
    const m = contextMeter(usage, draft);
    this.last = m;
    this.element.hidden = false;
    this.element.className = `context-meter meter-${m.level}`;
    this.element.title = m.detail;
    this.element.setAttribute('aria-valuetext', m.detail);
    this.element.setAttribute('aria-valuenow', String(m.used));
    if (m.window) this.element.setAttribute('aria-valuemax', String(m.window));
    this.fill.style.width = `${Math.min(100, Math.round((m.ratio ?? 0) * 100))}%`;
    this.label.textContent = m.level === 'warning' ? `${m.label} · nearly full` : m.level === 'over' ? `${m.label} · too long` : m.label;
    this.warning.hidden = m.level !== 'warning' && m.level !== 'over';
    return m;
  }
}
