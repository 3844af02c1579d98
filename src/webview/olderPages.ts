/**
 * The older pages of a long conversation (docs/architecture.md#long-conversations): the host's `state`
 * carries only the newest messages and says how many come before them; when the reader scrolls
 * within a couple of screens of the top, the page before the oldest message shown is asked for
 * (`loadOlder`) and put in above, without moving what the reader looks at. The webview keeps the
 * messages it has out of the page when they are far from the screen (window.ts): near the top
 * or bottom of what is in the page, those come back first, without asking the host.
 */
import type { HostMessage } from '../shared/protocol';
import type { HostBridge } from './host';
import type { FrameScheduler } from './frames';
import type { MessageList } from './thread';

/** How near the top (px) the next page is asked for: at least this, or two screens. */
const LOAD_MARGIN_PX = 1500;

export class OlderPages {
  private older = 0;
  private conversationId: string | null = null;
  private loading = false;
  private checkQueued = false;

  constructor(
    private readonly thread: HTMLElement,
    private readonly list: MessageList,
    private readonly bridge: HostBridge,
    private readonly scheduler: FrameScheduler,
    /** A refused page (the conversation changed meanwhile): said in the thread. */
    private readonly onRefused: (text: string) => void,
  ) {
    thread.addEventListener('scroll', () => this.check(), { passive: true });
    // A page that does not fill the screen gives no scroll event: look again once it is in.
    list.onSettled = () => this.queueCheck();
  }

  /** A new state: `older` messages come before the ones it carried. */
  reset(conversationId: string | null, older: number): void {
    this.conversationId = conversationId;
    this.older = conversationId ? older : 0;
    this.loading = false;
  }

  get remaining(): number {
    return this.older;
  }

  private queueCheck(): void {
    if (this.checkQueued || (this.older === 0 && this.list.hiddenAbove === 0 && this.list.hiddenBelow === 0)) return;
    this.checkQueued = true;
    // First in the next frame: the restore's scroll to the bottom has happened, and layout is
    // clean until that frame's other callbacks change the DOM.
    this.scheduler.read(() => { this.checkQueued = false; this.check(); });
  }

  private check(): void {
    if (!this.list.settled) return;
    const margin = Math.max(LOAD_MARGIN_PX, this.thread.clientHeight * 2);
    // The scroll event's layout is clean: these reads cost nothing there.
    const top = this.thread.scrollTop;
    const nearTop = top <= margin;
    const nearBottom = this.thread.scrollHeight - top - this.thread.clientHeight < margin;
    // Near both ends, what is in the page is short on screen: it grows instead of moving.
    if (nearBottom && this.list.showLater(!nearTop)) { this.queueCheck(); return; }
    if (!nearTop) return;
    if (this.list.showEarlier(this.thread, !nearBottom)) { this.queueCheck(); return; }
    if (this.loading || this.older === 0 || !this.conversationId) return;
    const beforeMessageId = this.list.oldestMessageId;
    if (!beforeMessageId) return;
    this.load(this.conversationId, beforeMessageId, !nearBottom);
  }

  /** `trim`: the page may take messages far below out (not when the page is short on screen). */
  private load(conversationId: string, beforeMessageId: string, trim: boolean): void {
    this.loading = true;
    const version = this.list.version;
    const stale = () => version !== this.list.version || conversationId !== this.conversationId;
    this.bridge.request({ type: 'loadOlder', conversationId, beforeMessageId })
      .then((reply: HostMessage) => {
        if (stale()) return;
        this.loading = false;
        if (reply.type === 'reply') {
          // Not answered with a page: stop asking for this conversation until the next state.
          this.older = 0;
          if (!reply.ok) this.onRefused(reply.error ?? 'The extension did not send the older messages.');
          return;
        }
        if (reply.type !== 'olderPage' || reply.beforeMessageId !== this.list.oldestMessageId) return;
        this.older = reply.olderMessages;
        this.list.prependPage(reply.messages, this.thread, trim);
        this.queueCheck();
      })
      .catch((error: Error) => {
        if (stale()) return;
        // No answer (the host is busy or gone): the next scroll asks again.
        this.loading = false;
        this.onRefused(error.message);
      });
  }
}
