/**
 * The panel's compare mode (docs/architecture.md#compare): the header's Compare button asks the
 * host for the models (a QuickPick there, remembered), a bar above the input says which are being
 * compared, and Enter then asks all of them the same question with the conversation so far. The
 * columns stream side by side (compareView.ts); a column can be stopped alone, Escape stops all.
 * app.ts hands this class the compare messages and the compare entries of the thread.
 */
import type { Attachment, ChatError, ChatMessage, ErrorAction, HostMessage, MessageOf } from '../shared/protocol';
import type { Composer } from './composer';
import { h, icon, iconButton } from './dom';
import type { Header } from './header';
import type { HostBridge } from './host';
import { CompareBlockView } from './compareView';
import type { FrameScheduler } from './frames';

type CompareHostMessage = MessageOf<HostMessage, 'compareMode' | 'compareColumn' | 'compareDelta' | 'compareChosen' | 'compareEnd'>;

export interface CompareHooks {
  bridge: HostBridge;
  scheduler: FrameScheduler;
  composer: Composer;
  header: Header;
  conversationId(): string | null;
  localId(): string;
  setBusy(busy: boolean): void;
  announce(text: string): void;
  showError(error: ChatError): void;
  /** Keeps a growing column in view (the thread's follow-the-answer logic). */
  follow(): void;
  /** The composer's attachments for this question (context.ts); taken from the composer once sent. */
  attachments(): readonly Attachment[];
  attachmentsSent(): void;
}

export class CompareMode {
  readonly button: HTMLButtonElement;
  readonly bar: HTMLElement;
  private models: string[] | null = null;
  private readonly blocks = new Map<string, CompareBlockView>();
  /** The comparison streaming now (its entry id), or the one asked for and not yet added. */
  private liveId: string | null = null;
  private awaiting = false;
  private readonly defaultPlaceholder: string;

  constructor(private readonly hooks: CompareHooks) {
    this.defaultPlaceholder = hooks.composer.input.placeholder;
    this.button = iconButton('split-horizontal', 'Compare models', { class: 'icon-button compare-toggle', 'aria-pressed': 'false' });
    this.button.addEventListener('click', () => hooks.bridge.post({ type: 'pickCompareModels' }));
    // Before "New chat", the header's last control.
    const header = hooks.header.element;
    header.insertBefore(this.button, header.lastElementChild);
    this.bar = h('div', { class: 'compare-bar', role: 'status', hidden: true });
    this.bar.addEventListener('click', (e) => {
      const target = (e.target as Element).closest?.('[data-compare-bar]');
      const what = target?.getAttribute('data-compare-bar');
      if (what === 'change') hooks.bridge.post({ type: 'pickCompareModels' });
      if (what === 'leave') this.setModels(null);
    });
  }

  get active(): boolean {
    return this.models !== null;
  }

  get busy(): boolean {
    return this.liveId !== null || this.awaiting;
  }

  /** A new state (a conversation opened or the view reloaded): `liveId` is the run still streaming. */
  reset(liveId: string | null): void {
    this.blocks.clear();
    this.liveId = liveId;
    this.awaiting = false;
  }

  /** The host added a compare entry (just asked, or from the editor command): it streams. */
  expect(messageId: string): void {
    this.liveId = messageId;
    this.awaiting = false;
    this.hooks.setBusy(true);
  }

  /** The element for a compare entry of the thread. */
  render(message: ChatMessage): HTMLElement {
    const block = new CompareBlockView(message);
    this.blocks.set(message.id, block);
    block.start(message.id === this.liveId, this.hooks.scheduler, () => this.hooks.follow());
    return block.element;
  }

  send(text: string): void {
    const models = this.models;
    if (!models || models.length < 2) {
      this.hooks.composer.restoreDraft(text);
      this.hooks.showError({ message: 'Pick 2 to 4 models to compare first.', kind: 'NoModel', actions: [] });
      return;
    }
    this.awaiting = true;
    this.hooks.setBusy(true);
    const attachmentIds = this.hooks.attachments().map((a) => a.id);
    this.hooks.attachmentsSent();
    this.hooks.bridge.request({ type: 'compare', messageId: this.hooks.localId(), conversationId: this.hooks.conversationId(), text, models, ...(attachmentIds.length ? { attachmentIds } : {}) })
      .then((reply) => {
        if (reply.type !== 'reply' || reply.ok) return;
        this.refused(text, reply.error ?? 'The extension did not accept the comparison.');
      })
      .catch((error: Error) => { if (this.awaiting) this.refused(text, error.message); });
  }

  /** Stops every column of the running comparison. */
  stopAll(): void {
    if (this.liveId) this.hooks.bridge.post({ type: 'stopCompare', messageId: this.liveId });
    this.hooks.announce('Comparison stopped.');
  }

  /** Handles a compare message; false when `message` is not one. */
  onHostMessage(message: HostMessage): boolean {
    if (!isCompareHostMessage(message)) return false;
    switch (message.type) {
      case 'compareMode': this.setModels(message.models); break;
      case 'compareColumn': {
        const block = this.blocks.get(message.messageId);
        block?.remember(message.column);
        block?.update(message.column, message.messageId === this.liveId);
        const c = message.column;
        if (c.status === 'done') this.hooks.announce(`${c.model} answered.`);
        if (c.status === 'error') this.hooks.announce(`${c.model} failed: ${c.error?.message ?? 'error'}`);
        break;
      }
      case 'compareDelta': {
        const column = this.blocks.get(message.messageId)?.columns.get(message.columnId);
        column?.append(message.text);
        break;
      }
      case 'compareChosen':
        this.blocks.get(message.messageId)?.choose(message.columnId);
        this.hooks.announce('The conversation continues with that answer.');
        break;
      case 'compareEnd':
        this.blocks.get(message.messageId)?.finish();
        if (this.liveId === message.messageId) {
          this.liveId = null;
          this.hooks.setBusy(false);
          this.hooks.announce('Comparison complete.');
        }
        break;
    }
    return true;
  }

  /** Clicks inside compare blocks: stop a column, continue with one, an error's action. */
  onClick(target: Element): boolean {
    const stop = target.closest('[data-compare-stop]');
    if (stop) {
      this.hooks.bridge.post({ type: 'stopCompare', messageId: stop.getAttribute('data-message-id')!, columnId: stop.getAttribute('data-compare-stop')! });
      return true;
    }
    const go = target.closest('[data-compare-continue]');
    if (go) {
      this.hooks.bridge.post({ type: 'continueCompare', messageId: go.getAttribute('data-message-id')!, columnId: go.getAttribute('data-compare-continue')! });
      return true;
    }
    const action = target.closest('[data-compare-action]');
    if (action) {
      const kind = action.getAttribute('data-compare-action') as ErrorAction;
      this.hooks.bridge.post({ type: 'compareAction', messageId: action.getAttribute('data-message-id')!, columnId: action.getAttribute('data-column-id')!, kind });
      return true;
    }
    return false;
  }

  private refused(text: string, error: string): void {
    this.awaiting = false;
    this.hooks.setBusy(false);
    // A refused question loses nothing: it goes back into an empty input box.
    if (this.hooks.composer.text.trim() === '') this.hooks.composer.setDraft(text, 'replace');
    this.hooks.showError({ message: error, kind: 'Rejected', actions: [] });
  }

  private setModels(models: string[] | null): void {
    this.models = models;
    this.button.setAttribute('aria-pressed', String(models !== null));
    this.button.classList.toggle('active', models !== null);
    this.bar.hidden = models === null;
    this.hooks.composer.input.placeholder = models ? `Ask all ${models.length} models the same question (Enter to send)` : this.defaultPlaceholder;
    if (!models) {
      this.bar.replaceChildren();
      this.hooks.announce('Compare mode off.');
      return;
    }
    this.bar.replaceChildren(
      icon('split-horizontal'),
      h('span', { class: 'compare-bar-label' }, 'Compare: '),
      h('span', { class: 'compare-bar-models' }, ...models.flatMap((m, i) => [i ? ' · ' : '', h('strong', {}, m)])),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'button button-secondary compare-change', 'data-compare-bar': 'change' }, 'Change'),
      iconButton('close', 'Leave compare mode', { 'data-compare-bar': 'leave' }),
    );
    this.hooks.announce(`Compare mode: ${models.join(', ')}.`);
    this.hooks.composer.focus();
  }
}

function isCompareHostMessage(m: HostMessage): m is CompareHostMessage {
  return m.type === 'compareMode' || m.type === 'compareColumn' || m.type === 'compareDelta' || m.type === 'compareChosen' || m.type === 'compareEnd';
}
