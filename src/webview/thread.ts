/**
 * The list of messages in the thread: which messages are shown, the view of each answer, and
 * restoring a whole conversation without a long task (the newest messages at once, older ones a
 * batch per frame above them). app.ts decides when; this builds and places the elements.
 *
 * A long conversation (thousands of messages, megabytes of text) stays cheap to open and scroll:
 * older answers go in as plain text and their markdown is rendered only when they come within a
 * couple of screens of the viewport (an IntersectionObserver, a few answers per task), and
 * off-screen messages skip layout and paint (`content-visibility: auto` in chat.css). The host
 * sends it a page at a time (olderPages.ts, docs/architecture.md#long-conversations).
 */
import type { ChatMessage } from '../shared/protocol';
import { h } from './dom';
import { AssistantMessageView, noticeView, userMessageView, type Deferrer } from './messages';
import type { FrameScheduler } from './streaming';

/** Messages rendered at once when a conversation opens; older ones follow this many per frame. */
const RESTORE_NOW = 12;
const RESTORE_BATCH = 8;
/** Older messages go in as text until seen, which is cheap: many more per frame. */
const DEFERRED_BATCH = 100;
/** How far outside the viewport a deferred answer is rendered, so scrolling meets finished markdown. */
const RENDER_MARGIN = '1500px 0px';
/** Of the messages rendered at once, only the newest this many get their markdown in the same task. */
const RENDER_NOW = 4;
/**
 * Deferred answers rendered per task (ms): a jump into a long thread brings a dozen answers near
 * the screen at once, and rendering them all in one callback would be a long task. The rest
 * follow a frame later.
 */
const RENDER_BUDGET_MS = 12;

/** Renders deferred answers as they approach the viewport; without IntersectionObserver (tests), at once. */
class NearViewport implements Deferrer {
  private readonly pending = new Map<Element, () => void>();
  /** Came near the screen, not rendered yet (over the budget of the task that saw them). */
  private readonly due: (() => void)[] = [];
  private drainQueued = false;
  private observer: IntersectionObserver | undefined;
  private readonly IO = (globalThis as { IntersectionObserver?: typeof IntersectionObserver }).IntersectionObserver;

  /** `root`: the scrolling element; the margin only widens the root, so it must be the scroller itself. */
  constructor(private readonly root: () => Element | null, private readonly scheduler: FrameScheduler) {}

  get active(): boolean {
    return this.IO !== undefined;
  }

  defer(element: HTMLElement, render: () => void): void {
    if (!this.IO) { render(); return; }
    this.observer ??= new this.IO((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const run = this.pending.get(entry.target);
        this.pending.delete(entry.target);
        this.observer?.unobserve(entry.target);
        if (run) this.due.push(run);
      }
      this.drain();
    }, { root: this.root(), rootMargin: RENDER_MARGIN });
    this.pending.set(element, render);
    this.observer.observe(element);
  }

  clear(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.pending.clear();
    this.due.length = 0;
  }

  /** Renders due answers until the budget is spent (at least one), the rest in the next frame. */
  private drain(): void {
    const start = performance.now();
    do this.due.shift()?.();
    while (this.due.length > 0 && performance.now() - start < RENDER_BUDGET_MS);
    if (this.due.length === 0 || this.drainQueued) return;
    this.drainQueued = true;
    this.scheduler.request(() => { this.drainQueued = false; this.drain(); });
  }
}

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

  constructor(
    private readonly scheduler: FrameScheduler,
    private readonly followAnswer: () => void,
    /** The element of a comparison entry (compare mode, compare.ts). */
    private readonly renderCompare?: (message: ChatMessage) => HTMLElement,
  ) {
    this.element = h('div', { class: 'message-list' });
    // The scrolling element is the thread around the list (app.ts places it there).
    this.nearViewport = new NearViewport(() => this.element.parentElement, scheduler);
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
    return this.element.childElementCount === 0;
  }

  /** Empties the thread; an answer still streaming into it stops rendering. */
  clear(): void {
    for (const view of this.views.values()) view.streaming?.finish();
    this.views.clear();
    this.shownIds.clear();
    this.element.replaceChildren();
    this.nearViewport.clear();
    this.generation++;
    this.oldest = undefined;
    this.restoring = false;
  }

  /** Shows `messages` in place of what the thread held. */
  restore(messages: ChatMessage[], streamingId: string | null | undefined): void {
    this.clear();
    // The newest messages at once, in one DOM insertion and one layout; older ones a batch per
    // frame above them, so a long conversation opens without a long task.
    const split = Math.max(0, messages.length - RESTORE_NOW);
    this.oldest = messages[0]?.id;
    const renderNow = Math.max(split, messages.length - RENDER_NOW);
    this.element.append(this.elements(messages.slice(split, renderNow), streamingId, true), this.elements(messages.slice(renderNow), streamingId));
    this.restoreEarlier(messages.slice(0, split), this.generation);
  }

  /**
   * Puts an older page above the oldest message, as text until seen (like a restore's earlier
   * messages), keeping what the reader looks at where it was. That is the browser's scroll
   * anchoring, which needs no measuring here (measuring would force a layout of the whole thread
   * per page), but it does nothing at scroll offset 0, so a reader at the very top is moved one
   * pixel down first.
   */
  prependPage(messages: ChatMessage[], scroller: HTMLElement): void {
    if (messages.length === 0) return;
    if (scroller.scrollTop === 0) scroller.scrollTop = 1;
    this.oldest = messages[0]!.id;
    this.element.prepend(this.elements(messages, null, true));
  }

  append(element: HTMLElement): void {
    this.element.append(element);
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
    this.element.append(view.element);
  }

  removeView(view: AssistantMessageView): void {
    view.element.remove();
    this.views.delete(view.id);
  }

  private elements(messages: ChatMessage[], streamingId: string | null | undefined, deferred = false): DocumentFragment {
    const fragment = this.element.ownerDocument.createDocumentFragment();
    for (const message of messages) {
      const element = this.messageElement(message, message.id === streamingId, deferred);
      if (element) fragment.append(element);
    }
    return fragment;
  }

  /** Puts `messages` above the thread, newest first, a batch per frame, unless another restore began. */
  private restoreEarlier(messages: ChatMessage[], generation: number): void {
    this.restoring = messages.length > 0;
    if (messages.length === 0) { this.onSettled?.(); return; }
    this.scheduler.request(() => {
      if (generation !== this.generation) return;
      const cut = Math.max(0, messages.length - (this.nearViewport.active ? DEFERRED_BATCH : RESTORE_BATCH));
      // No scroll correction, so no forced layout: the browser's scroll anchoring keeps what the
      // reader looks at in place when content goes in above it.
      this.element.prepend(this.elements(messages.slice(cut), null, true));
      this.restoreEarlier(messages.slice(0, cut), generation);
    });
  }
}
