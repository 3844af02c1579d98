/**
 * The chat panel's controller: owns the view state, turns host messages into DOM updates and
 * user gestures into webview messages. No framework: the panel has a handful of regions and the
 * only hot path (streaming) is handled by StreamingMarkdown.
 */
import type { ChatError, ChatMessage, ErrorAction, HostMessage, HostStateMessage, MessageOf, ModelOption, OfflineNotice } from '../shared/protocol';
import { Composer } from './composer';
import { CompareMode } from './compare';
import { h } from './dom';
import { Header } from './header';
import { HostBridge, type VsCodeApi } from './host';
import { codeBlockAction } from './markdown';
import { AssistantMessageView, emptyStateView, errorView, noticeView } from './messages';
import { animationFrames, type FrameScheduler } from './frames';
import { MessageList } from './thread';
import { ThreadActions } from './thread-actions';
import { ComposerContext } from './context';
import { ThreadFollower } from './follow';
import { OlderPages } from './olderPages';

export interface ChatAppOptions {
  scheduler?: FrameScheduler;
  draftDebounceMs?: number;
  replyTimeoutMs?: number;
}

/** What the webview keeps in `vscode.setState` (survives hide/show without the host). */
interface LocalState { draft?: string }

export class ChatApp {
  readonly header: Header;
  readonly composer: Composer;
  readonly bridge: HostBridge;
  /** Compare mode (compare.ts): one question to several models, in columns. */
  readonly compare: CompareMode;
  readonly threadActions: ThreadActions;
  readonly context: ComposerContext;
  private readonly follower: ThreadFollower;
  private readonly olderPages: OlderPages;
  private readonly thread: HTMLElement;
  private readonly list: MessageList;
  private readonly status: HTMLElement;
  private readonly scheduler: FrameScheduler;
  private conversationId: string | null = null;
  private models: ModelOption[] = [];
  private currentModel: string | null = null;
  private offline: OfflineNotice | null = null;
  /** What keeps `model` from answering, as the host last said (Ollama not running). */
  private problem: { model: string | null; error: ChatError } | null = null;
  private streamingId: string | null = null;
  /** Sent, and no streamStart yet: the stop button is already there. */
  private awaitingStart = false;
  private idCounter = 0;
  /** A state arrived: the handshake's purpose is served. */
  private restored = false;

  constructor(private readonly root: HTMLElement, private readonly api: VsCodeApi, options: ChatAppOptions = {}) {
    this.scheduler = options.scheduler ?? animationFrames;
    this.bridge = new HostBridge(api, (m) => this.onHostMessage(m), (error) => this.showProblem(error), { replyTimeoutMs: options.replyTimeoutMs });
    this.header = new Header({
      onModelChange: (model) => { this.currentModel = model; this.bridge.post({ type: 'switchModel', model }); this.renderEmptyState(); },
      onNewChat: () => this.bridge.post({ type: 'newChat' }),
      onConversationChange: (conversationId) => this.bridge.post({ type: 'switchConversation', conversationId }),
    });
    this.threadActions = new ThreadActions({
      post: (m) => this.bridge.post(m),
      request: (m) => this.bridge.request(m),
      models: () => this.models,
      currentModel: () => this.currentModel,
      busy: () => this.busy,
      onResend: () => { this.awaitingStart = true; this.setBusy(true); },
      onRefused: (text) => {
        if (this.awaitingStart) { this.awaitingStart = false; this.setBusy(false); }
        this.showError({ message: text, kind: 'Rejected', actions: [] });
      },
    });
    this.header.addControls(...this.threadActions.headerControls());
    this.header.element.addEventListener('click', (e) => this.threadActions.handleClick(e.target as Element));
    this.composer = new Composer({
      onSend: (text) => (this.compare.active ? this.compare.send(text) : this.send(text)),
      onStop: () => this.stop(),
      onDraftChanged: (text) => {
        this.saveLocal({ draft: text });
        this.bridge.post({ type: 'draftChanged', text });
      },
    }, { draftDebounceMs: options.draftDebounceMs });
    this.context = new ComposerContext(this.bridge, this.composer, {
      resend: (text, choice) => this.send(text, choice),
      pickModel: () => this.bridge.post({ type: 'action', kind: 'pickModel' }),
    });
    this.list = new MessageList(this.scheduler, () => this.followAnswer(), (message) => this.compare.render(message));
    this.thread = h('main', { class: 'thread', 'aria-label': 'Conversation', tabindex: -1 }, this.list.element);
    this.status = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
    this.compare = new CompareMode({
      bridge: this.bridge, scheduler: this.scheduler, composer: this.composer, header: this.header,
      conversationId: () => this.conversationId, localId: () => this.localId(), setBusy: (busy) => this.setBusy(busy || this.busy),
      announce: (text) => this.announce(text), showError: (error) => this.showError(error), follow: () => this.followAnswer(),
      attachments: () => this.context.chips.attachments, attachmentsSent: () => this.context.sent(),
    });
    this.root.replaceChildren(this.header.element, this.thread, this.compare.bar, this.composer.element, this.status);

    this.thread.addEventListener('click', (e) => this.onThreadClick(e));
    this.follower = new ThreadFollower(this.thread, this.scheduler);
    this.olderPages = new OlderPages(this.thread, this.list, this.bridge, this.scheduler, (text) => this.showProblem(text));
    // Middle-click would open a link in a new window; model links only open through the host.
    this.thread.addEventListener('auxclick', (e) => { if ((e.target as Element).closest?.('a')) e.preventDefault(); });
    // Escape stops an answer from anywhere in the panel, not only the input box.
    this.root.ownerDocument.addEventListener('keydown', this.onDocumentKeyDown);
  }

  private readonly onDocumentKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && this.busy && !e.defaultPrevented) { e.preventDefault(); this.stop(); }
  };

  dispose(): void {
    this.root.ownerDocument.removeEventListener('keydown', this.onDocumentKeyDown);
    this.bridge.dispose();
    this.composer.dispose();
  }

  /** Starts listening, restores the local draft and performs the `ready` handshake. */
  start(): void {
    this.bridge.start();
    // In a browser (not the tests' jsdom): markdown's first-use cost before the state comes (deferred.ts).
    this.list.warmUpMarkdown();
    const local = this.loadLocal();
    if (local.draft) this.composer.restoreDraft(local.draft);
    this.renderEmptyState();
    this.bridge.ready()
      // A host that restored the view unasked (a state without inReplyTo) has answered too.
      .catch((error: Error) => { if (!this.restored) this.showProblem(error.message); })
      .finally(() => this.root.setAttribute('aria-busy', 'false'));
    this.composer.focus();
  }

  get busy(): boolean {
    return this.streamingId !== null || this.awaitingStart || this.compare.busy;
  }

  // -------------------------------------------------------------------------------------------
  // Host → view

  private onHostMessage(message: HostMessage): void {
    if (this.compare.onHostMessage(message)) return;
    if (this.context.handle(message)) return;
    switch (message.type) {
      case 'state': return this.restore(message);
      case 'models':
        this.threadActions.setModels(message.models, message.currentModel, message.reasoningEffort);
        return this.setModels(message.models, message.currentModel, message.modelProblem);
      case 'messageAdded':
        if (this.conversationId === null) this.conversationId = message.conversationId;
        if (message.conversationId !== this.conversationId) return;
        if (message.message.role === 'compare') this.compare.expect(message.message.id);
        this.appendMessage(message.message);
        return;
      case 'streamStart': return this.onStreamStart(message);
      case 'streamDelta': this.list.views.get(message.messageId)?.appendText(message.text); return;
      case 'streamReasoning': this.list.views.get(message.messageId)?.appendReasoning(message.text, this.scheduler, () => this.followAnswer()); return;
      case 'instructions': return this.threadActions.setInstructions(message.instructions);
      case 'streamEnd': return this.onStreamEnd(message);
      case 'streamError': return this.onStreamError(message);
      case 'offline': return this.setOffline(message.notice, true);
      case 'setDraft': return this.composer.setDraft(message.text, message.mode);
      case 'reply':
        if (!message.ok) this.showProblem(message.error ?? 'The extension refused the request.');
        return;
    }
  }

  private restore(state: HostStateMessage): void {
    this.restored = true;
    this.compare.reset(state.comparingMessageId ?? null);
    this.conversationId = state.activeConversationId;
    this.header.setConversations(state.conversations, state.activeConversationId);
    this.setModels(state.models, state.currentModel, state.modelProblem);
    this.threadActions.setModels(state.models, state.currentModel, state.reasoningEffort);
    this.threadActions.setInstructions(state.instructions);
    this.setOffline(state.offline, false);
    this.context.restore(state.attachments, state.context);
    this.olderPages.reset(state.activeConversationId, state.olderMessages ?? 0);
    this.list.restore(state.messages, state.streamingMessageId);
    this.streamingId = state.streamingMessageId && this.list.views.has(state.streamingMessageId) ? state.streamingMessageId : null;
    this.awaitingStart = false;
    this.setBusy(this.busy);
    // The host's copy of the draft wins unless it has none (it was lost, or never debounced out).
    if (state.draft !== '' || this.composer.text === '') this.composer.restoreDraft(state.draft);
    this.renderEmptyState();
    this.scrollToBottom();
  }

  private appendMessage(message: ChatMessage, streaming = false): void {
    const element = this.list.messageElement(message, streaming);
    if (!element) return;
    this.list.append(element);
    this.renderEmptyState();
    this.scrollToBottom();
  }

  private onStreamStart(message: MessageOf<HostMessage, 'streamStart'>): void {
    if (this.conversationId === null) this.conversationId = message.conversationId;
    const view = new AssistantMessageView(message.messageId, message.model, message.fallback);
    view.startStreaming(this.scheduler, () => this.followAnswer());
    this.list.addView(view);
    this.streamingId = message.messageId;
    this.awaitingStart = false;
    this.setBusy(true);
    this.renderEmptyState();
    this.announce(message.fallback ? `Answering with ${message.model}, a fallback for ${message.fallback.requestedModel}.` : `Answering with ${message.model}.`);
    this.scrollToBottom();
  }

  private onStreamEnd(message: MessageOf<HostMessage, 'streamEnd'>): void {
    const view = this.list.views.get(message.messageId);
    if (!view) return;
    view.finishStreaming();
    view.setMeta(message);
    if (this.streamingId === message.messageId) {
      this.streamingId = null;
      this.setBusy(false);
      this.announce(message.finishReason === 'stopped' ? 'Answer stopped.' : 'Answer complete.');
    }
  }

  private onStreamError(message: MessageOf<HostMessage, 'streamError'>): void {
    const error: ChatError = { message: message.message, kind: message.kind, actions: message.actions };
    let view = message.messageId ? this.list.views.get(message.messageId) : undefined;
    if (!view) {
      // Failed before an answer started: the error still goes in the thread, as an answer.
      view = new AssistantMessageView(message.messageId ?? this.localId(), undefined, undefined);
      this.list.addView(view);
    }
    view.finishStreaming();
    view.setError(error);
    if (this.streamingId === null || this.streamingId === message.messageId) {
      this.streamingId = null;
      this.awaitingStart = false;
      this.setBusy(false);
    }
    this.renderEmptyState();
    this.scrollToBottom();
  }

  private setModels(models: ModelOption[], current: string | null, problem?: ChatError | null): void {
    this.models = models;
    this.currentModel = current;
    // Absent: the host said nothing new about it (an older host); null: nothing stands in the way.
    if (problem !== undefined) this.problem = problem ? { model: current, error: problem } : null;
    this.header.setModels(models, current);
    this.header.setBusy(this.busy);
    this.renderEmptyState();
  }

  private setOffline(notice: OfflineNotice | null, announceChange: boolean): void {
    const changed = (this.offline?.active ?? false) !== (notice?.active ?? false);
    this.offline = notice;
    this.header.setOffline(notice);
    if (announceChange && changed && notice) {
      this.list.append(noticeView({ id: this.localId(), text: notice.message }, notice.active ? 'offline' : 'info'));
      this.renderEmptyState();
      this.scrollToBottom();
    }
  }

  // -------------------------------------------------------------------------------------------
  // User → host

  private send(text: string, choice: { dropOldest?: boolean } = {}): void {
    if (!this.currentModel) {
      this.composer.restoreDraft(text);
      this.showError({ message: 'Pick a model before sending.', kind: 'NoModel', actions: ['pickModel'] });
      return;
    }
    // A model without vision, or a window too small: the reason and the choices show by the box.
    const { attachments, ...withContext } = this.context.prepareSend(text, this.currentModel, choice) ?? {};
    if (!attachments) { this.composer.restoreDraft(text); return; }
    this.context.sent();
    const messageId = this.localId();
    this.appendMessage({ id: messageId, role: 'user', text, model: this.currentModel, ...(attachments.length ? { attachments } : {}) });
    this.awaitingStart = true;
    this.setBusy(true);
    this.scrollToBottom();
    this.bridge.request({ type: 'send', messageId, conversationId: this.conversationId, text, model: this.currentModel, ...withContext })
      .then((reply) => {
        if (reply.type !== 'reply' || reply.ok) return;
        if (this.awaitingStart) { this.awaitingStart = false; this.setBusy(false); }
        // A refused message loses nothing: it goes back into an empty input box.
        if (this.composer.text.trim() === '') this.composer.setDraft(text, 'replace');
        this.showError({ message: reply.error ?? 'The extension did not accept the message.', kind: 'Rejected', actions: [] });
      })
      .catch((error: Error) => {
        if (!this.awaitingStart) return;
        this.awaitingStart = false;
        this.setBusy(false);
        this.showError({ message: error.message, kind: 'NoReply', actions: ['retry'] });
      });
  }

  private stop(): void {
    if (this.compare.busy) { this.compare.stopAll(); return; }
    if (!this.busy) return;
    const messageId = this.streamingId;
    this.bridge.post(messageId ? { type: 'stop', messageId } : { type: 'stop' });
    // Stop at once on screen; the host's streamEnd (finishReason "stopped") fills in the usage.
    if (messageId) {
      const view = this.list.views.get(messageId);
      view?.finishStreaming();
      view?.setMeta({ finishReason: 'stopped' });
    }
    this.streamingId = null;
    this.awaitingStart = false;
    this.setBusy(false);
    this.announce('Answer stopped.');
    this.composer.focus();
  }

  private onThreadClick(e: MouseEvent): void {
    const target = e.target as Element | null;
    if (!target?.closest) return;
    if (this.threadActions.handleClick(target)) return;
    const link = target.closest('a');
    if (link) {
      // Never navigate inside the webview; the host re-checks the URL and asks the user.
      e.preventDefault();
      const url = link.getAttribute('href');
      if (url) this.bridge.post({ type: 'openLink', url });
      return;
    }
    const code = codeBlockAction(target);
    if (code) {
      this.bridge.post(code);
      if (code.type === 'copyCode') this.announce('Code copied.');
      return;
    }
    if (this.compare.onClick(target)) return;
    const actionButton = target.closest<HTMLElement>('[data-error-action], [data-empty-action]');
    if (actionButton) this.runAction(actionButton);
  }

  private runAction(button: HTMLElement): void {
    const kind = (button.getAttribute('data-error-action') ?? button.getAttribute('data-empty-action')) as ErrorAction;
    const messageId = button.getAttribute('data-message-id') ?? undefined;
    const hostKnowsId = messageId !== undefined && !messageId.startsWith('local-');
    if (kind === 'retry') {
      const view = messageId ? this.list.views.get(messageId) : undefined;
      if (view && !view.hasText) this.list.removeView(view); else view?.clearError();
      button.closest('.message-error')?.remove();
      this.awaitingStart = true;
      this.setBusy(true);
      this.bridge.post(hostKnowsId ? { type: 'retry', messageId } : { type: 'retry' });
      return;
    }
    this.bridge.post(hostKnowsId ? { type: 'action', kind, messageId } : { type: 'action', kind });
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private setBusy(busy: boolean): void {
    this.composer.setBusy(busy);
    this.header.setBusy(busy);
    this.threadActions.setBusy(busy);
  }

  private renderEmptyState(): void {
    const empty = this.list.isEmpty;
    const existing = this.thread.querySelector(':scope > .empty-state');
    if (!empty) { existing?.remove(); return; }
    const problem = this.problem && this.problem.model === this.currentModel ? this.problem.error : undefined;
    const view = emptyStateView(this.models.find((m) => m.id === this.currentModel), this.currentModel, problem);
    if (existing) existing.replaceWith(view); else this.thread.prepend(view);
  }

  /** An error that belongs to no answer (bad message from the host, no reply) shown in the thread. */
  private showError(error: ChatError): void {
    this.list.append(errorView(error, undefined));
    this.renderEmptyState();
    this.scrollToBottom();
  }

  private showProblem(text: string): void {
    console.warn(`[AnyModel chat] ${text}`);
    this.showError({ message: text, kind: 'Protocol', actions: [] });
  }

  private announce(text: string): void {
    this.status.textContent = text;
  }

  private scrollToBottom(): void {
    this.follower.scrollToBottom();
  }

  private followAnswer(): void {
    this.follower.follow();
  }

  /** Ids for messages the webview creates; the prefix tells the host-side ones apart. */
  private localId(): string {
    const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    return `local-${random}-${++this.idCounter}`;
  }

  private loadLocal(): LocalState {
    const state = this.api.getState();
    return typeof state === 'object' && state !== null && typeof (state as LocalState).draft === 'string' ? { draft: (state as LocalState).draft } : {};
  }

  private saveLocal(state: LocalState): void {
    this.api.setState(state);
  }
}
