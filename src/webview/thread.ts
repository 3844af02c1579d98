/**
 * The list of messages in the thread: which messages are shown, the view of each answer, and
 * restoring a whole conversation without a long task (the newest messages at once, older ones a
 * batch per frame above them). app.ts decides when; this builds and places the elements.
 *
 * A long conversation (thousands of messages, megabytes of text) stays cheap to open and scroll:
 * older answers go in as plain text and their markdown is rendered only when they come within a
 * couple of screens of the viewport, in budgeted steps (deferred.ts); off-screen messages skip
 * layout and paint (`content-visibility: auto` in chat.css); at most a bounded run of messages is
 * in the page, the rest held out of it (window.ts). The host sends it a page at a time
 * (olderPages.ts, docs/architecture.md#long-conversations).
 */
import type { ChatMessage } from '../shared/protocol';
import { h } from './dom';
import { NearViewport } from './deferred';
import { AssistantMessageView, noticeView, userMessageView } from './messages';
import type { FrameScheduler } from './frames';
import { MessageWindow } from './window';

/** Messages rendered at once when a conversation opens; older ones follow this many per frame. */
const RESTORE_NOW = 12;
const RESTORE_BATCH = 8;
/** Older messages go in as text until seen, which is cheap: many more per frame. */
const DEFERRED_BATCH = 25;
/** A frame's time (ms), its other callbacks' included, for building earlier messages as text; at least one goes in per frame. */
const EARLIER_BUDGET_MS = 6;
/** Of the messages shown at once, the newest this many get their markdown first, in the task after. */
const RENDER_NOW = 4;
/**
 * That task's time (ms) for the newest answers' markdown: enough for a conversation of ordinary
 * answers to open rendered; the blocks of long ones that do not fit follow a frame later.
 */
const OPEN_RENDER_BUDGET_MS = 12;

export class MessageList {
  readonly element: HTMLElement;
  readonly views = new Map<string, AssistantMessageView>();
  /** Ids already in the thread: the host may echo a message the webview added optimistically. */
  private readonly shownIds = new Set<string>();
  /** Bumped by each restore, so the batches of an earlier one stop (and an older page for it is dropped). */
  private generation = 0;
  /** The oldest message of the conversation shown: older pages go in above it. */
  private oldest: string | undefined;
  /** A restore's earlier messages are still going in a batch per frame. */
  private restoring = false;
  /** Called when a restore's last batch is in (older pages may go in above it then). */
  onSettled: (() => void) | undefined;
  private readonly nearViewport: NearViewport;
  /** Which messages are in the page (window.ts); the others are kept, built, out of it. */
  private readonly window: MessageWindow;

  constructor(
    private readonly scheduler: FrameScheduler,
    private readonly followAnswer: () => void,
    /** The element of a comparison entry (compare mode, compare.ts). */
    private readonly renderCompare?: (message: ChatMessage) => HTMLElement,
  ) {
    this.element = h('div', { class: 'message-list' });
    // The scrolling element is the thread around the list (app.ts places it there). Rendered
    // markdown changes heights: a reader at the end is kept there.
    this.nearViewport = new NearViewport(() => this.element.parentElement, scheduler, followAnswer);
    // An answer streaming, or a comparison whose columns are (compare.ts).
    this.window = new MessageWindow(this.element, (element) => element.classList.contains('streaming') || element.querySelector('.streaming') !== null);
  }

  /** The restore this list shows; an older page asked for under another one is stale. */
  get version(): number {
    return this.generation;
  }

  get oldestMessageId(): string | undefined {
    return this.oldest;
  }

  /** Every message of the restore is in place: nothing is waiting to go in above. */
  get settled(): boolean {
    return !this.restoring;
  }

  get isEmpty(): boolean {
    return this.window.size === 0;
  }

  /** A browser with IntersectionObserver: restored answers render as they near the screen. */
  get rendersNearViewport(): boolean {
    return this.nearViewport.active;
  }

  /** Messages the webview holds out of the page, before and after the ones in it. */
  get hiddenAbove(): number {
    return this.window.hiddenAbove;
  }

  get hiddenBelow(): number {
    return this.window.hiddenBelow;
  }

  /** Pays markdown's first-use costs in small tasks from the next one on (deferred.ts), if answers render near the screen. */
  warmUpMarkdown(): void {
    this.nearViewport.warmUp();
  }

  /** Empties the thread; an answer still streaming into it stops rendering. */
  clear(): void {
    for (const view of this.views.values()) view.streaming?.finish();
    this.views.clear();
    this.shownIds.clear();
    this.window.clear();
    this.nearViewport.clear();
    this.generation++;
    this.oldest = undefined;
    this.restoring = false;
  }

  /** Shows `messages` in place of what the thread held. */
  restore(messages: ChatMessage[], streamingId: string | null | undefined): void {
    this.clear();
    // The newest messages at once, in one DOM insertion and one layout, as text; their markdown
    // newest first, from the next task on within a budget; older ones a batch per frame above them,
    // so a long conversation opens without a long task.
    const split = Math.max(0, messages.length - RESTORE_NOW);
    this.oldest = messages[0]?.id;
    const newest = this.elements(messages.slice(split), streamingId, true);
    this.window.reset(newest);
    this.nearViewport.first(newest.slice(-RENDER_NOW).reverse(), OPEN_RENDER_BUDGET_MS);
    // Not in the first frame, which lays out and paints the newest ones.
    const earlier = messages.slice(0, split);
    const generation = this.generation;
    this.restoring = earlier.length > 0;
    if (earlier.length === 0) this.onSettled?.();
    else this.scheduler.request(() => { if (generation === this.generation) this.restoreEarlier(earlier, generation); });
  }

  /**
   * Puts an older page above the oldest message, as text until seen (like a restore's earlier
   * messages), keeping what the reader looks at where it was; messages far below go out of the
   * page (window.ts). That is the browser's scroll anchoring, which needs no measuring here
   * (measuring would force a layout of the whole thread per page), but it does nothing at scroll
   * offset 0, so a reader at the very top is moved one pixel down first.
   */
  prependPage(messages: ChatMessage[], scroller: HTMLElement, trim = true): void {
    if (messages.length === 0) return;
    if (scroller.scrollTop === 0) scroller.scrollTop = 1;
    this.oldest = messages[0]!.id;
    this.window.prepend(this.elements(messages, null, true), true, trim);
  }

  /** Puts messages held out of the page above the ones in it back in (the reader neared the top). */
  showEarlier(scroller: HTMLElement, trim: boolean): boolean {
    if (this.window.hiddenAbove === 0) return false;
    if (scroller.scrollTop === 0) scroller.scrollTop = 1;
    return this.window.showEarlier(trim);
  }

  /** Puts messages held out of the page below the ones in it back in (the reader neared the bottom). */
  showLater(trim: boolean): boolean {
    return this.window.showLater(trim);
  }

  append(element: HTMLElement): void {
    this.window.append(element);
  }

  /** The element for a message not shown yet (undefined if it is), registered with its view. */
  messageElement(message: ChatMessage, streaming: boolean, deferred = false): HTMLElement | undefined {
    if (this.shownIds.has(message.id)) return undefined;
    this.shownIds.add(message.id);
    if (message.role === 'user') return userMessageView(message);
    if (message.role === 'notice') return noticeView(message);
    if (message.role === 'compare' && this.renderCompare) return this.renderCompare(message);
    const view = streaming ? new AssistantMessageView(message.id, message.model, message.fallback) : AssistantMessageView.restored(message, deferred ? this.nearViewport : undefined);
    if (streaming) view.startStreaming(this.scheduler, this.followAnswer).append(message.text);
    this.views.set(message.id, view);
    return view.element;
  }

  /** Registers an answer view the app built (a new stream, an error before any answer). */
  addView(view: AssistantMessageView): void {
    this.views.set(view.id, view);
    this.shownIds.add(view.id);
    this.window.append(view.element);
  }

  removeView(view: AssistantMessageView): void {
    this.window.remove(view.element);
    this.views.delete(view.id);
  }

  private elements(messages: ChatMessage[], streamingId: string | null | undefined, deferred = false): HTMLElement[] {
    const out: HTMLElement[] = [];
    for (const message of messages) {
      const element = this.messageElement(message, message.id === streamingId, deferred);
      if (element) out.push(element);
    }
    return out;
  }

  /** Puts `messages` above the thread, newest first, a batch per frame, unless another restore began. */
  private restoreEarlier(messages: ChatMessage[], generation: number): void {
    this.restoring = messages.length > 0;
    if (messages.length === 0) { this.onSettled?.(); return; }
    this.scheduler.request(() => {
      if (generation !== this.generation) return;
      // Newest first, until the batch is full or (as text, near the screen later) the frame's
      // time is spent, counting what its other callbacks spent: the frames right after a state
      // also lay out the newest messages, and V8 finishes compiling the code that rendered them
      // on this thread then (docs/architecture.md "Long conversations").
      const deferred = this.nearViewport.active;
      const limit = deferred ? DEFERRED_BATCH : RESTORE_BATCH;
      const budget = deferred ? EARLIER_BUDGET_MS : Infinity;
      const start = performance.now() - this.scheduler.spent();
      const built: HTMLElement[] = [];
      let cut = messages.length;
      while (cut > 0 && messages.length - cut < limit) {
        const element = this.messageElement(messages[--cut]!, false, true);
        if (element) built.push(element);
        if (performance.now() - start >= budget) break;
      }
      // No scroll correction, so no forced layout: the browser's scroll anchoring keeps what the
      // reader looks at in place when content goes in above it. Past the window's room they wait
      // out of the page, the newest stay.
      this.window.prepend(built.reverse(), false);
      this.restoreEarlier(messages.slice(0, cut), generation);
    });
  }
}
