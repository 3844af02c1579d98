/**
 * The list of messages in the thread: which messages are shown, the view of each answer, and
 * restoring a whole conversation without a long task (the newest messages at once, older ones a
 * batch per frame above them). app.ts decides when; this builds and places the elements.
 */
import type { ChatMessage } from '../shared/protocol';
import { h } from './dom';
import { AssistantMessageView, noticeView, userMessageView } from './messages';
import type { FrameScheduler } from './streaming';

/** Messages rendered at once when a conversation opens; older ones follow this many per frame. */
const RESTORE_NOW = 12;
const RESTORE_BATCH = 8;

export class MessageList {
  readonly element: HTMLElement;
  readonly views = new Map<string, AssistantMessageView>();
  /** Ids already in the thread: the host may echo a message the webview added optimistically. */
  private readonly shownIds = new Set<string>();
  /** Bumped by each restore, so the batches of an earlier one stop. */
  private generation = 0;

  constructor(private readonly scheduler: FrameScheduler, private readonly followAnswer: () => void) {
    this.element = h('div', { class: 'message-list' });
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
    this.generation++;
  }

  /** Shows `messages` in place of what the thread held. */
  restore(messages: ChatMessage[], streamingId: string | null | undefined): void {
    this.clear();
    // The newest messages at once, in one DOM insertion and one layout; older ones a batch per
    // frame above them, so a long conversation opens without a long task.
    const split = Math.max(0, messages.length - RESTORE_NOW);
    this.element.append(this.elements(messages.slice(split), streamingId));
    this.restoreEarlier(messages.slice(0, split), this.generation);
  }

  append(element: HTMLElement): void {
    this.element.append(element);
  }

  /** The element for a message not shown yet (undefined if it is), registered with its view. */
  messageElement(message: ChatMessage, streaming: boolean): HTMLElement | undefined {
    if (this.shownIds.has(message.id)) return undefined;
    this.shownIds.add(message.id);
    if (message.role === 'user') return userMessageView(message);
    if (message.role === 'notice') return noticeView(message);
    const view = streaming ? new AssistantMessageView(message.id, message.model, message.fallback) : AssistantMessageView.restored(message);
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

  private elements(messages: ChatMessage[], streamingId: string | null | undefined): DocumentFragment {
    const fragment = this.element.ownerDocument.createDocumentFragment();
    for (const message of messages) {
      const element = this.messageElement(message, message.id === streamingId);
      if (element) fragment.append(element);
    }
    return fragment;
  }

  /** Puts `messages` above the thread, newest first, a batch per frame, unless another restore began. */
  private restoreEarlier(messages: ChatMessage[], generation: number): void {
    if (messages.length === 0) return;
    this.scheduler.request(() => {
      if (generation !== this.generation) return;
      const cut = Math.max(0, messages.length - RESTORE_BATCH);
      // No scroll correction, so no forced layout: the browser's scroll anchoring keeps what the
      // reader looks at in place when content goes in above it.
      this.element.prepend(this.elements(messages.slice(cut), null));
      this.restoreEarlier(messages.slice(0, cut), generation);
    });
  }
}
