/**
 * A comparison in the thread: the question, then one column per model, side by side (stacked on a
 * narrow panel: media/chat.css, container queries on `.compare`). Each column shows the model (and
 * who answered instead, labelled), time to first token, total time, tokens in/out and cost; while
 * it streams, its own stop button; failed, its error with its actions; done, "Continue with this
 * answer". Pure DOM; compare.ts decides when. Buttons carry data-compare-* attributes, so the
 * chat's own error and code handlers in app.ts never mistake them for theirs.
 */
import type { ChatError, ChatMessage, CompareColumn } from '../shared/protocol';
import { h, icon } from './dom';
import { formatCost } from './format';
import { ACTION_LABELS } from './messages';
import { attachmentList } from './chips';
import type { FrameScheduler } from './frames';
import { StreamingMarkdown, renderFinishedMarkdown } from './streaming';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`;
}

/** The figures of a settled column, each labelled (the labels are what a screen reader reads too). */
export function columnFigures(column: CompareColumn): [label: string, value: string][] {
  const figures: [string, string][] = [['TTFT', formatSeconds(column.ttftMs)], ['total', formatSeconds(column.totalMs)]];
  if (column.usage) figures.push(['tokens', `${integer.format(column.usage.inputTokens)} in / ${integer.format(column.usage.outputTokens)} out`]);
  if (column.cost !== undefined) figures.push(['cost', formatCost(column.cost)]);
  return figures;
}

export class ColumnView {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly figures: HTMLElement;
  private readonly actions: HTMLElement;
  private stream: StreamingMarkdown | undefined;
  private column: CompareColumn;

  constructor(private readonly messageId: string, column: CompareColumn) {
    this.column = column;
    this.header = h('div', { class: 'compare-column-header' });
    this.body = h('div', { class: 'compare-column-body message-body' });
    this.figures = h('dl', { class: 'compare-figures' });
    this.actions = h('div', { class: 'compare-column-actions' });
    this.element = h('section', { class: 'compare-column', 'data-column-id': column.id, 'data-model': column.model, 'aria-label': `Answer of ${column.model}` },
      this.header, this.body, this.figures, this.actions);
  }

  get id(): string {
    return this.column.id;
  }

  get status(): CompareColumn['status'] {
    return this.column.status;
  }

  /** Starts streaming into the column, keeping `text` already there (a reload mid-answer). */
  startStreaming(scheduler: FrameScheduler, onRendered: () => void): void {
    this.stream = new StreamingMarkdown(scheduler, onRendered);
    this.body.replaceChildren(this.stream.element);
    this.body.setAttribute('aria-busy', 'true');
    if (this.column.text) this.stream.append(this.column.text);
  }

  append(text: string): void {
    this.column.text += text;
    this.stream?.append(text);
    if (text) this.body.removeAttribute('data-waiting');
  }

  /** Shows `column` as it now is; `live` says whether it can still stream (its stop button). */
  update(column: CompareColumn, live: boolean, chosen: string | undefined): void {
    const wasStreaming = this.stream && !this.stream.isFinished;
    this.column = { ...column, text: wasStreaming && column.status === 'running' ? this.column.text : column.text };
    const settled = column.status !== 'queued' && column.status !== 'running';
    if (settled && wasStreaming) {
      this.stream!.finish();
      this.body.setAttribute('aria-busy', 'false');
    }
    if (settled && !wasStreaming) this.body.replaceChildren(...(column.text ? [renderFinishedMarkdown(column.text)] : []));
    if (!settled && !live) {
      // Cut off by a reload of the extension: what arrived stays, marked stopped.
      this.column = { ...this.column, status: 'stopped' };
      if (!this.stream) this.body.replaceChildren(...(column.text ? [renderFinishedMarkdown(column.text)] : []));
    }
    this.render(live, chosen);
  }

  private render(live: boolean, chosen: string | undefined): void {
    const c = this.column;
    const running = live && (c.status === 'running' || c.status === 'queued');
    this.element.classList.toggle('streaming', running);
    this.element.classList.toggle('has-error', c.status === 'error');
    this.element.classList.toggle('compare-chosen', chosen === c.id);
    this.element.classList.toggle('compare-unchosen', chosen !== undefined && chosen !== c.id);
    this.element.setAttribute('data-status', c.status);
    this.header.replaceChildren(h('span', { class: 'compare-model', title: c.model }, c.model), ...badges(c, chosen));
    if (running) this.header.append(h('button', { type: 'button', class: 'icon-button compare-stop', 'data-compare-stop': c.id, 'data-message-id': this.messageId, 'aria-label': `Stop ${c.model}`, title: `Stop ${c.model}` }, icon('debug-stop')));
    if (running && c.text === '') this.body.setAttribute('data-waiting', c.status === 'queued' ? 'waiting for a free slot…' : 'waiting for the first token…');
    else this.body.removeAttribute('data-waiting');
    const settled = c.status === 'done' || c.status === 'error' || c.status === 'stopped';
    this.figures.replaceChildren(...(settled ? columnFigures(c).flatMap(([label, value]) => [h('dt', {}, label), h('dd', { 'data-figure': label }, value)]) : []));
    this.figures.hidden = !settled;
    this.element.querySelector(':scope > .message-error')?.remove();
    if (c.status === 'error' && c.error) this.element.insertBefore(columnError(c.error, this.messageId, c.id), this.figures);
    const canContinue = c.status === 'done' && c.text !== '' && chosen === undefined && !live;
    this.actions.replaceChildren(...(canContinue ? [h('button', { type: 'button', class: 'button button-secondary compare-continue', 'data-compare-continue': c.id, 'data-message-id': this.messageId }, icon('arrow-right'), 'Continue with this answer')] : []));
    this.actions.hidden = !canContinue;
  }
}

function badges(c: CompareColumn, chosen: string | undefined): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (c.fallback) {
    const text = c.fallback.offline ? `offline: ${c.answeredBy ?? 'local model'} answered` : `fallback: ${c.answeredBy ?? 'another model'} answered`;
    out.push(h('span', { class: `badge badge-fallback${c.fallback.offline ? ' badge-offline-answer' : ''}`, title: c.fallback.reason ? `${text} (${c.fallback.reason})` : text }, icon(c.fallback.offline ? 'debug-disconnect' : 'warning'), text));
  }
  if (c.status === 'stopped') out.push(h('span', { class: 'badge compare-badge-stopped' }, 'stopped'));
  if (chosen === c.id) out.push(h('span', { class: 'badge compare-badge-chosen' }, icon('check'), 'continued'));
  return out;
}

function columnError(error: ChatError, messageId: string, columnId: string): HTMLElement {
  return h('div', { class: 'message-error', role: 'alert', 'data-error-kind': error.kind },
    h('div', { class: 'message-error-text' }, icon('error'), h('span', {}, error.message)),
    error.actions.length === 0 ? null : h('div', { class: 'message-error-actions' },
      ...error.actions.map((action, i) => h('button', {
        type: 'button',
        class: i === 0 ? 'button' : 'button button-secondary',
        'data-compare-action': action,
        'data-column-id': columnId,
        'data-message-id': messageId,
      }, action === 'setKey' || action === 'allowKey' ? icon('key') : action === 'retry' ? icon('refresh') : null, ACTION_LABELS[action]))));
}

/** The whole comparison: its question and its columns. */
export class CompareBlockView {
  readonly element: HTMLElement;
  readonly columns = new Map<string, ColumnView>();
  private chosen: string | undefined;

  constructor(readonly message: ChatMessage) {
    const run = message.compare!;
    this.chosen = run.chosenColumnId;
    const grid = h('div', { class: `compare-columns compare-columns-${run.columns.length}` });
    for (const column of run.columns) {
      const view = new ColumnView(message.id, column);
      this.columns.set(column.id, view);
      grid.append(view.element);
    }
    this.element = h('article', { class: 'message compare', 'data-message-id': message.id, 'aria-label': `Comparison of ${run.columns.map((c) => c.model).join(', ')}` },
      h('div', { class: 'message-header' }, icon('split-horizontal', 'avatar'), h('span', { class: 'message-author' }, 'Compare'), h('span', { class: 'message-model' }, `${run.columns.length} models`)),
      h('div', { class: 'compare-prompt user-text' }, run.prompt),
      attachmentList(message.attachments),
      grid);
  }

  /** Draws every column; `live` columns stream (their text arrives in compareDelta). */
  start(live: boolean, scheduler: FrameScheduler, onRendered: () => void): void {
    for (const column of this.message.compare!.columns) {
      const view = this.columns.get(column.id)!;
      if (live && (column.status === 'queued' || column.status === 'running')) view.startStreaming(scheduler, onRendered);
      view.update(column, live, this.chosen);
    }
    this.element.classList.toggle('streaming', live);
  }

  update(column: CompareColumn, live: boolean): void {
    this.columns.get(column.id)?.update(column, live, this.chosen);
  }

  choose(columnId: string): void {
    this.chosen = columnId;
    const run = this.message.compare!;
    run.chosenColumnId = columnId;
    for (const column of run.columns) this.columns.get(column.id)?.update(column, false, columnId);
  }

  /** Keeps the message's copy of a column current, for redraws. */
  remember(column: CompareColumn): void {
    const run = this.message.compare!;
    const i = run.columns.findIndex((c) => c.id === column.id);
    if (i >= 0) run.columns[i] = column;
  }

  finish(): void {
    this.element.classList.remove('streaming');
    for (const column of this.message.compare!.columns) this.columns.get(column.id)?.update(column, false, this.chosen);
  }
}
