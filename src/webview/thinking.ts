/**
 * What a reasoning model thinks before it answers: a "Thinking" block above the answer, a native
 * <details> (keyboard- and screen-reader-complete), open while the thoughts stream and collapsed
 * when the answer starts, saying how long the model thought. Its text streams through the same
 * incremental renderer as the answer (streaming.ts), so a long chain of thought costs the same
 * per chunk as a long answer. A restored block renders its markdown only when it is opened.
 *
 * Also the header's reasoning-effort control, shown for models the host says can reason.
 */
import type { Reasoning, ReasoningEffort } from '../shared/protocol';
import { h, icon } from './dom';
import type { FrameScheduler } from './frames';
import { renderFinishedMarkdown, StreamingMarkdown } from './streaming';

export function thoughtFor(ms: number | undefined): string {
  if (ms === undefined) return 'Thoughts';
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return 'Thought for less than a second';
  if (seconds < 60) return `Thought for ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `Thought for ${minutes} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
}

export class ThinkingView {
  readonly element: HTMLDetailsElement;
  private readonly label: HTMLElement;
  private readonly body: HTMLElement;
  private stream: StreamingMarkdown | undefined;
  private startedAt: number | undefined;
  private durationMs: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.label = h('span', { class: 'thinking-label' }, 'Thinking…');
    this.body = h('div', { class: 'thinking-body' });
    this.element = h('details', { class: 'thinking' },
      h('summary', { class: 'thinking-summary' }, icon('lightbulb'), this.label), this.body);
  }

  /** A block of a stored answer: closed, its markdown rendered the first time it is opened. */
  static restored(reasoning: Reasoning): ThinkingView {
    const view = new ThinkingView();
    view.durationMs = reasoning.durationMs;
    view.label.textContent = thoughtFor(reasoning.durationMs);
    const render = () => {
      if (view.element.open && !view.body.hasChildNodes()) view.body.append(renderFinishedMarkdown(reasoning.text));
    };
    view.element.addEventListener('toggle', render);
    return view;
  }

  get thinking(): boolean {
    return this.stream !== undefined && !this.stream.isFinished;
  }

  get text(): string {
    return this.stream?.text ?? '';
  }

  get duration(): number | undefined {
    return this.durationMs;
  }

  /** A reasoning delta: the first one opens the block and starts the clock. */
  append(text: string, scheduler: FrameScheduler, onRendered?: () => void): void {
    if (!this.stream) {
      this.stream = new StreamingMarkdown(scheduler, onRendered);
      this.body.replaceChildren(this.stream.element);
      this.startedAt = this.now();
      this.element.open = true;
      this.element.classList.add('thinking-live');
    }
    this.stream.append(text);
  }

  /** The answer started (or ended): collapse, and say for how long the model thought. */
  end(): void {
    if (!this.thinking) return;
    this.stream!.finish();
    this.durationMs = Math.max(0, this.now() - (this.startedAt ?? this.now()));
    this.label.textContent = thoughtFor(this.durationMs);
    this.element.open = false;
    this.element.classList.remove('thinking-live');
  }
}

const EFFORT_LABELS: Record<ReasoningEffort, string> = { off: 'Thinking: off', low: 'Thinking: low', medium: 'Thinking: medium', high: 'Thinking: high' };

/** The header's reasoning-effort <select>; hidden for models that do not reason. */
export class EffortPicker {
  readonly element: HTMLSelectElement;

  constructor(onChange: (effort: ReasoningEffort) => void) {
    this.element = h('select', { class: 'effort-select', 'aria-label': 'Reasoning effort', title: 'How much the model thinks before it answers', hidden: true },
      ...(Object.keys(EFFORT_LABELS) as ReasoningEffort[]).map((e) => h('option', { value: e }, EFFORT_LABELS[e])));
    this.element.addEventListener('change', () => onChange(this.element.value as ReasoningEffort));
  }

  set(effort: ReasoningEffort | undefined, modelReasons: boolean): void {
    if (effort) this.element.value = effort;
    this.element.hidden = !modelReasons;
  }

  setBusy(busy: boolean): void {
    this.element.disabled = busy;
  }
}
