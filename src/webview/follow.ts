/**
 * Keeps the end of the thread in view: at discrete events (send, a new answer, a restore) always,
 * while an answer streams only if the reader has not scrolled up. Whether to follow is decided by
 * where the user scrolled, read in the scroll event (layout is clean there), never by measuring
 * after each DOM change.
 */
import type { FrameScheduler } from './frames';

export class ThreadFollower {
  private stickToBottom = true;
  private followRequested = false;

  constructor(private readonly thread: HTMLElement, private readonly scheduler: FrameScheduler) {
    thread.addEventListener('scroll', () => {
      this.stickToBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 48;
    }, { passive: true });
  }

  /** On discrete events (send, a new answer, restore): bring the end of the thread into view. */
  scrollToBottom(): void {
    this.thread.scrollTop = this.thread.scrollHeight;
    this.stickToBottom = true;
  }

  /**
   * Keeps a streaming answer in view. Reading scrollHeight right after a DOM change would force a
   * synchronous layout whose cost grows with the thread; first in the next frame, before that
   * frame's changes, the browser has laid out anyway, so the read is free.
   */
  follow(): void {
    if (this.followRequested) return;
    this.followRequested = true;
    this.scheduler.read(() => {
      this.followRequested = false;
      if (this.stickToBottom) this.thread.scrollTop = this.thread.scrollHeight;
    });
  }
}
