/**
 * The panel's animation frames, in one place: one `requestAnimationFrame` per frame for every
 * callback asked for, the reads of layout first (docs/architecture.md "Long conversations").
 */

/** Runs callbacks before the next paint; tests drive the frames by hand. */
export interface FrameScheduler {
  /** Runs `callback` in the next frame, after its reads, in the order asked. */
  request(callback: () => void): void;
  /**
   * Runs `callback` first in the next frame, before any callback has changed the DOM: layout is
   * still what the last frame left, so reading it (scrollHeight, scrollTop) costs nothing. Read
   * after another callback's change, it would force a layout of all that changed inside the
   * frame's script, and the frame would lay out again after the rest. With a
   * `requestAnimationFrame` per callback, which came first was a matter of when each was asked.
   */
  read(callback: () => void): void;
  /**
   * How long (ms) the frame running now has run its callbacks; 0 outside a frame. Work done to a
   * budget (a restore's earlier messages, answers rendered as they near the screen) counts what
   * the frame's other callbacks spent before it, so the frame's script keeps to one budget, not
   * one per callback (docs/architecture.md "Long conversations").
   */
  spent(): number;
}

export class FrameQueue implements FrameScheduler {
  private reads: (() => void)[] = [];
  private writes: (() => void)[] = [];
  private queued = false;
  /** When the frame running now began (performance.now()); undefined between frames. */
  private started: number | undefined;

  /**
   * `next`: asks for `run` to be called in the next frame. `report`: what a callback threw; by
   * default as the browser reports a frame callback's error (`reportError`: the console, the
   * window's `error` event).
   */
  constructor(
    private readonly next: (run: () => void) => void,
    private readonly report: (error: unknown) => void = (error) => reportError(error),
  ) {}

  request(callback: () => void): void {
    this.writes.push(callback);
    this.queue();
  }

  read(callback: () => void): void {
    this.reads.push(callback);
    this.queue();
  }

  spent(): number {
    return this.started === undefined ? 0 : performance.now() - this.started;
  }

  get pending(): number {
    return this.reads.length + this.writes.length;
  }

  /**
   * The frame: the reads, then the rest. What they ask for goes to the next frame. A callback
   * that throws is reported, and the others run.
   */
  protected run(): void {
    this.queued = false;
    const callbacks = [...this.reads, ...this.writes];
    this.reads = [];
    this.writes = [];
    this.started = performance.now();
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        this.report(error);
      }
    }
    this.started = undefined;
  }

  private queue(): void {
    if (this.queued) return;
    this.queued = true;
    this.next(() => this.run());
  }
}

export const animationFrames: FrameScheduler = new FrameQueue((run) => requestAnimationFrame(run));
