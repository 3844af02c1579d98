/**
 * Markdown of restored answers rendered in budgeted steps (docs/architecture.md#long-conversations).
 * An answer of a long conversation goes in as plain text; its markdown is rendered a block at a
 * time (a code block with its highlighting is the largest step), so neither one long answer nor a
 * dozen of them coming near the screen together make a long task: each task renders blocks until
 * its budget is spent and leaves the rest to the next frame.
 */
import type { Token } from 'marked';
import { h } from './dom';
import { lexBlocks, renderTokens } from './markdown';
import type { FrameScheduler } from './streaming';

/** Work done a step at a time; `step` returns true once nothing is left. */
export interface Job {
  step(): boolean;
}

/** Renders a restored answer's markdown when it comes near the screen; absent: at once. */
export interface Deferrer {
  defer(element: HTMLElement, job: Job): void;
}

/**
 * A finished text rendered in `placeholder`'s place, one block per step, with the same block
 * structure as renderFinishedMarkdown (streaming.ts): an `.md-block` per top-level token, lexed
 * whole once so reference links resolve. The blocks are built out of the page and go in with the
 * last step, in one swap: the text stays as it is until then (so the answer reads in full), and
 * is laid out once, not again after each step.
 */
export class MarkdownJob implements Job {
  private tokens: Token[] | undefined;
  private next = 0;
  private readonly element: HTMLElement;

  constructor(private readonly source: string, private readonly placeholder: HTMLElement) {
    this.element = h('div', { class: 'markdown' });
  }

  step(): boolean {
    this.tokens ??= lexBlocks(this.source);
    while (this.next < this.tokens.length) {
      const token = this.tokens[this.next++]!;
      if (token.type === 'space') continue;
      const block = h('div', { class: 'md-block' });
      block.append(renderTokens([token]));
      this.element.append(block);
      break;
    }
    const done = this.next >= this.tokens.length;
    if (done) this.placeholder.replaceWith(this.element);
    return done;
  }
}

/** Of a task, the time (ms) spent rendering deferred markdown before the rest waits for the next frame. */
export const RENDER_BUDGET_MS = 6;
/** How far outside the viewport a deferred answer is rendered, so scrolling meets finished markdown. */
const RENDER_MARGIN = '1500px 0px';

/** Runs deferred jobs as their elements approach the viewport; without IntersectionObserver (tests), at once. */
export class NearViewport implements Deferrer {
  private readonly pending = new Map<Element, Job>();
  /** Came near the screen (or were asked for now), not finished yet. */
  private readonly due: Job[] = [];
  private drainQueued = false;
  private observer: IntersectionObserver | undefined;
  private readonly IO = (globalThis as { IntersectionObserver?: typeof IntersectionObserver }).IntersectionObserver;

  /** `root`: the scrolling element; the margin only widens the root, so it must be the scroller itself. */
  constructor(
    private readonly root: () => Element | null,
    private readonly scheduler: FrameScheduler,
    /** After a task rendered something (the follower keeps the end in view if the reader is there). */
    private readonly onRendered: () => void = () => {},
  ) {}

  get active(): boolean {
    return this.IO !== undefined;
  }

  defer(element: HTMLElement, job: Job): void {
    if (!this.IO) { runAll(job); return; }
    this.observer ??= new this.IO((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const run = this.pending.get(entry.target);
        this.pending.delete(entry.target);
        this.observer?.unobserve(entry.target);
        if (run) this.due.push(run);
      }
      this.drain(RENDER_BUDGET_MS);
    }, { root: this.root(), rootMargin: RENDER_MARGIN });
    this.pending.set(element, job);
    this.observer.observe(element);
  }

  /**
   * Runs the jobs of `elements` before any other, in that order (the newest answers when a
   * conversation opens), in a task of their own right after this one, which usually comes before
   * the next frame: the task that shows them is not made longer, and their text is seldom painted
   * as text first. What does not fit in `budgetMs` follows a frame later.
   */
  first(elements: HTMLElement[], budgetMs: number): void {
    const jobs: Job[] = [];
    for (const element of elements) {
      const job = this.pending.get(element);
      if (!job) continue;
      this.pending.delete(element);
      this.observer?.unobserve(element);
      jobs.push(job);
    }
    if (jobs.length === 0) return;
    this.due.unshift(...jobs);
    setTimeout(() => this.drain(budgetMs), 0);
  }

  clear(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.pending.clear();
    this.due.length = 0;
  }

  /** Runs due steps until the budget is spent (at least one), the rest in the next frame. */
  private drain(budgetMs: number): void {
    if (this.due.length === 0) return;
    const start = performance.now();
    let job = this.due[0];
    while (job) {
      const done = job.step();
      if (done) { this.due.shift(); job = this.due[0]; }
      if (performance.now() - start >= budgetMs) break;
    }
    this.onRendered();
    if (this.due.length === 0 || this.drainQueued) return;
    this.drainQueued = true;
    this.scheduler.request(() => { this.drainQueued = false; this.drain(RENDER_BUDGET_MS); });
  }
}

/**
 * What a first render costs beyond the work itself (V8 compiling marked's and DOMPurify's code
 * on first call, DOMPurify setting up) is several times a warm render of a long answer. Spent on
 * a short sample in tasks of their own while the panel waits for the host's state, it is not
 * added to the task that shows the conversation. Grammars are compiled when first used: an
 * answer's code blocks each render in a step of their own.
 */
const WARM_UP_SAMPLE = '## A\n\nSome *text* with `code`, **bold** and [a link](https://example.com).\n\n- one\n- two\n\n1. first\n\n> quote\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```\nplain\n```\n';

export function warmUpMarkdown(): void {
  // Lexing and rendering in two tasks: each first call costs tens of ms on a slow machine.
  const tokens = lexBlocks(WARM_UP_SAMPLE);
  setTimeout(() => renderTokens(tokens), 0);
}

function runAll(job: Job): void {
  while (!job.step()) { /* next step */ }
}
