/**
 * Markdown of restored answers rendered in budgeted steps (docs/architecture.md#long-conversations).
 * An answer of a long conversation goes in as plain text; its markdown is rendered a block at a
 * time (a code block with its highlighting is the largest step), so neither one long answer nor a
 * dozen of them coming near the screen together make a long task: each task renders blocks until
 * its budget is spent and leaves the rest to the next frame.
 */
import type { Token } from 'marked';
import { h } from './dom';
import { compileGrammar, isGrammarCompiled } from './highlight';
import { highlightCodeBlock, keepBlock, lexBlocks, markdownWarmUpSteps, renderTokens, UNHIGHLIGHTED } from './markdown';
import type { FrameScheduler } from './frames';

/** Work done a step at a time; `step` returns true once nothing is left. */
export interface Job {
  step(): boolean;
  /**
   * The next step is a first use that costs several times an ordinary one (compiling a grammar):
   * it runs in a task of its own, not after other steps nor in an animation frame's task, whose
   * other callbacks, style and layout it would be added to.
   */
  heavy?(): boolean;
}

/** Renders a restored answer's markdown when it comes near the screen; absent: at once. */
export interface Deferrer {
  defer(element: HTMLElement, job: Job): void;
}

/**
 * A finished text rendered in `placeholder`'s place, one block per step, with the same block
 * structure as renderFinishedMarkdown (streaming.ts): an `.md-block` per top-level token, in
 * groups (`keepBlock`, markdown.ts), lexed whole once so reference links resolve. A block's code is highlighted in steps after it, one
 * code block per step, and a grammar's first use (its compilation) is a heavy step of its own.
 * The blocks are built out of the page and go in with the last step, in one swap: the text stays
 * as it is until then (so the answer reads in full), and is laid out once, not again after each
 * step, and never shows its code uncoloured.
 */
export class MarkdownJob implements Job {
  private tokens: Token[] | undefined;
  private next = 0;
  private readonly element: HTMLElement;
  /** Code blocks of the rendered blocks still to highlight, in order. */
  private readonly code: HTMLElement[] = [];

  constructor(private readonly source: string, private readonly placeholder: HTMLElement) {
    this.element = h('div', { class: 'markdown' });
  }

  heavy(): boolean {
    const block = this.code[0];
    return block !== undefined && !isGrammarCompiled(block.getAttribute('data-lang') ?? '');
  }

  step(): boolean {
    const block = this.code[0];
    if (block) {
      const language = block.getAttribute('data-lang') ?? '';
      if (isGrammarCompiled(language)) {
        highlightCodeBlock(block);
        this.code.shift();
      } else {
        compileGrammar(language);
      }
    } else {
      this.tokens ??= lexBlocks(this.source);
      while (this.next < this.tokens.length) {
        const token = this.tokens[this.next++]!;
        if (token.type === 'space') continue;
        const rendered = h('div', { class: 'md-block' });
        rendered.append(renderTokens([token], { plainCode: true }));
        this.code.push(...Array.from(rendered.querySelectorAll<HTMLElement>(`div.${UNHIGHLIGHTED}`)));
        keepBlock(this.element, rendered, null);
        break;
      }
    }
    const done = this.code.length === 0 && this.tokens !== undefined && this.next >= this.tokens.length;
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
  private taskQueued = false;
  /** The first-use costs still to pay (warmUp), each step in a task of its own. */
  private warming: Job | undefined;
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
      this.queueFrame();
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
    setTimeout(() => this.drain(budgetMs, true), 0);
  }

  clear(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.pending.clear();
    this.due.length = 0;
  }

  /**
   * The first-use costs of rendering markdown (markdown.ts, markdownWarmUpSteps), a step per
   * task from the next one on, before any answer renders: started while the panel waits for the
   * host's state, they are usually done by the time it comes; if it comes first, the answers wait
   * for them rather than pay them all in their first step.
   */
  warmUp(): void {
    if (!this.IO) return;
    const steps = markdownWarmUpSteps();
    this.warming = { step: () => { if (steps[0]?.() !== false) steps.shift(); return steps.length === 0; }, heavy: () => true };
    this.queueTask();
  }

  /**
   * Runs due steps until the budget is spent (at least one; in a frame, counting what its other
   * callbacks spent: FrameScheduler.spent), the rest in the next frame. A heavy
   * step (a warm-up step, a grammar's first use) runs only first in a task this class queued
   * (`ownTask`), and ends it.
   */
  private drain(budgetMs: number, ownTask = false): void {
    const start = performance.now() - this.scheduler.spent();
    let ran = false;
    let heavyRan = false;
    for (let job = this.current(); job; job = this.current()) {
      const heavy = job.heavy?.() === true;
      if (heavy && (ran || !ownTask)) break;
      const done = job.step();
      ran = true;
      if (done && job === this.warming) this.warming = undefined;
      else if (done) this.due.shift();
      if (heavy) { heavyRan = true; break; }
      if (performance.now() - start >= budgetMs) break;
    }
    if (ran) this.onRendered();
    const next = this.current();
    if (!next) return;
    // After a heavy step the rest follows in the next task, as soon as it can (the newest
    // answers are waiting); a heavy step next gets a task of its own.
    if (heavyRan || next.heavy?.() === true) { this.queueTask(); return; }
    this.queueFrame();
  }

  /**
   * A drain in the next frame, one per frame. Not in the observer's callback: that is a task of
   * its own after a frame's rendering, and its work would be added to the next frame's drain.
   */
  private queueFrame(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    this.scheduler.request(() => { this.drainQueued = false; this.drain(RENDER_BUDGET_MS); });
  }

  /** The warm-up until it is done, then the answers due. */
  private current(): Job | undefined {
    return this.warming ?? this.due[0];
  }

  private queueTask(): void {
    if (this.taskQueued) return;
    this.taskQueued = true;
    setTimeout(() => { this.taskQueued = false; this.drain(RENDER_BUDGET_MS, true); }, 0);
  }
}

function runAll(job: Job): void {
  while (!job.step()) { /* next step */ }
}
