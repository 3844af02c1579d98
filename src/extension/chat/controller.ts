/**
 * The extension-host side of the chat: turns validated webview messages into core requests and
 * streams the answers back as protocol messages. One controller serves the one chat panel; when
 * the panel is closed or reloading, answers keep streaming into the history, and the next `ready`
 * gets them in its state (nothing is posted before `ready`: messages to a loading webview are
 * lost). Errors become a thread entry with actions; an outage of a cloud model before the answer
 * started switches to the local model (offline.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage as CoreMessage } from '../../core';
import {
  parseWebviewMessage, PROTOCOL_VERSION,
  type ChatError, type ChatMessage, type ErrorAction, type Fallback, type HostMessage, type MessageOf, type WebviewMessage,
} from '../../shared/protocol';
import type { Catalog } from '../catalog';
import type { ReasoningEffort } from '../../shared/protocol';
import { withBranchInfo } from './branches';
import type { Instructions } from './instructions';
import { DEFAULT_EFFORT, reasoningParams } from './reasoning';
import { ThreadOps, type ThreadHost } from './threadOps';
import { offlineTarget, type OfflineSwitch } from '../offline';
import { explainFailure, modelProblem } from './localModel';
import { asError, chatError } from './chatError';
import { readAnswer, settleAnswer } from './answerStream';
import type { Conversation, ConversationStore } from './store';
import { CompareHost, isCompareMessage } from './compare';
import { viewMessage } from './attachmentContent';
import { ContextHost, isContextMessage, type ContextDeps } from './contextHost';
import { inContext, toCoreMessages } from './contextWindow';
import { newestPage, pageBefore } from './threadPages';

/** How often a streaming answer is written to the history while it grows. */
const SAVE_EVERY_MS = 2000;

export interface ChatDeps {
  store: ConversationStore;
  catalog(): Promise<Catalog>;
  modelOptions(): MessageOf<HostMessage, 'models'>['models'];
  offline: OfflineSwitch;
  currentModel(): string;
  setModel(model: string): Promise<void>;
  /** The local model to switch to when the cloud is down; undefined when there is none. */
  offlineModel(catalog: Catalog): string | undefined;
  autoOfflineSwitch(): boolean;
  /** Runs a UI action (set key for a provider, pick model); the webview never does it itself. */
  runAction(kind: Exclude<ErrorAction, 'retry'>, model: string): Promise<void>;
  /** copyCode, insertCode, applyCode, openLink: editor side effects. */
  editorAction(message: MessageOf<WebviewMessage, 'copyCode' | 'insertCode' | 'applyCode' | 'openLink'>): Promise<void>;
  warn(line: string): void;
  /** Sees every message the view is sent (the integration tests drive the chat through this). */
  observe?(message: HostMessage): void;
  /** The 2–4 models for compare mode (a QuickPick), remembered; undefined when dismissed. */
  pickCompareModels?(): Promise<string[] | undefined>;
  /** The system prompt: anymodel.systemPrompt and the workspace's instruction files (instructions.ts). */
  instructions?(): Promise<Instructions>;
  openInstructions?(path: string): Promise<void>;
  /** The reasoning effort the user last chose in the header (remembered across windows). */
  reasoningEffort?(): ReasoningEffort;
  setReasoningEffort?(effort: ReasoningEffort): Promise<void>;
  /** Copy as Markdown, export, import: the editor's clipboard and file dialogs. */
  threadAction?(kind: MessageOf<WebviewMessage, 'threadAction'>['kind'], conversation: Conversation | undefined): Promise<void>;
  /** The daily budgets (usage/guard.ts): resolves when the request may go, throws BudgetExceeded otherwise. */
  admit?(model: string, free: boolean): Promise<void>;
  /** The composer's attachments (attachments.ts); absent, nothing can be attached. */
  attachments?: ContextDeps['attachments'];
  /** Offers the models whose window holds `tokens`. */
  pickModelFor?(tokens: number): Promise<void>;
}

interface Running {
  conversationId: string;
  messageId: string | undefined;
  abort: AbortController;
  stopped: boolean;
}

export class ChatController implements ThreadHost {
  private post: ((message: HostMessage) => void) | undefined;
  private viewReady = false;
  private running: Running | undefined;
  private readonly readyWaiters: (() => void)[] = [];
  /** What keeps the current model from answering, as last told to the view. */
  private problem: ChatError | null = null;
  /** Compare mode's runs (compare.ts): one question to several models. */
  readonly compare: CompareHost;
  private readonly thread: ThreadOps;
  private readonly context: ContextHost;

  constructor(readonly deps: ChatDeps) {
    this.thread = new ThreadOps(this);
    this.compare = new CompareHost({ ...deps, notify: (m) => this.notify(m), reply: (id, ok, error) => this.reply(id, ok, error), history: toCoreMessages, chatBusy: () => this.running !== undefined });
    this.context = new ContextHost({ ...deps, notify: (m) => this.notify(m), reply: (id, ok, error) => this.reply(id, ok, error) });
  }

  /** A (new or revived) webview: nothing is posted to it until it says `ready`. */
  attach(post: (message: HostMessage) => void): void {
    this.post = post;
    this.viewReady = false;
  }

  detach(): void {
    this.post = undefined;
    this.viewReady = false;
    // Whoever waits for a view that closed goes on without it (answers still reach the history).
    this.readyWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** The view was hidden: its page is gone until it is shown again and says `ready`. */
  detachUntilReady(): void {
    this.viewReady = false;
  }

  get busy(): boolean {
    return this.running !== undefined || this.compare.busy;
  }

  /** Resolves once the attached view has said `ready` (for commands that open the panel and send). */
  whenReady(): Promise<void> {
    return this.viewReady ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Posts to the view if it is listening; otherwise the next `state` carries the change. */
  notify(message: HostMessage): void {
    this.deps.observe?.(message);
    if (this.viewReady) this.post?.(message);
  }

  async handle(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.deps.warn(`Chat view sent an invalid message, ignored: ${parsed.error}`);
      return;
    }
    const m = parsed.message;
    if (isCompareMessage(m)) return this.compare.handle(m);
    if (isContextMessage(m)) return this.context.handle(m);
    switch (m.type) {
      case 'ready':
        if (m.protocolVersion !== PROTOCOL_VERSION) this.deps.warn(`Chat view speaks protocol ${m.protocolVersion}, the extension ${PROTOCOL_VERSION}; reload the window if the chat misbehaves.`);
        await this.sendState(m.requestId);
        this.viewReady = true;
        this.readyWaiters.splice(0).forEach((resolve) => resolve());
        void this.notifyModels();
        return;
      case 'send': return this.onSend(m);
      case 'stop': return this.stop();
      case 'newChat':
        await this.deps.store.setActive(null);
        return this.sendState();
      case 'switchConversation':
        if (!(await this.deps.store.get(m.conversationId))) return this.sendState();
        await this.deps.store.setActive(m.conversationId);
        return this.sendState();
      case 'switchModel': return this.deps.setModel(m.model);
      case 'retry': return this.thread.retry(m.messageId);
      case 'draftChanged':
        await this.deps.store.saveDraft(m.text);
        return;
      case 'action':
        if (m.kind === 'retry') return this.thread.retry(m.messageId);
        // The model of the answer whose button was pressed: its provider's key, its Ollama tag.
        return this.deps.runAction(m.kind, (await this.failedAnswer(m.messageId))?.model ?? this.deps.currentModel());
      case 'setReasoningEffort':
        await this.deps.setReasoningEffort?.(m.effort);
        return;
      case 'openInstructions': {
        const file = (await this.deps.instructions?.())?.paths.get(m.name);
        if (file) await this.deps.openInstructions?.(file);
        return;
      }
      case 'editMessage': case 'switchBranch': case 'regenerate': case 'threadAction':
        return this.thread.handle(m);
      case 'loadOlder': return this.sendOlder(m);
      default:
        return this.deps.editorAction(m);
    }
  }

  /** Tells the view the models, the current one, and what keeps it from answering (if anything). */
  async notifyModels(): Promise<void> {
    const catalog = await this.deps.catalog();
    this.problem = modelProblem(catalog, this.deps.currentModel());
    this.notify({ type: 'models', models: this.deps.modelOptions(), currentModel: this.deps.currentModel(), modelProblem: this.problem, reasoningEffort: this.effort() });
    await this.notifyContext();
  }

  /** The instruction files or the system prompt setting changed. */
  async notifyInstructions(): Promise<void> {
    this.notify({ type: 'instructions', instructions: (await this.deps.instructions?.())?.info ?? null });
  }

  /** Shows a stored conversation (a search result, an import). */
  async openConversation(id: string): Promise<void> {
    if (!(await this.deps.store.get(id))) return;
    await this.deps.store.setActive(id);
    await this.sendState();
  }

  private effort(): ReasoningEffort {
    return this.deps.reasoningEffort?.() ?? DEFAULT_EFFORT;
  }

  /** Tells the composer's meter what the conversation and the attachments use of the current model's window. */
  notifyContext(): Promise<void> {
    return this.context.notifyUsage();
  }

  /** A message from an editor command: shown in the thread as if typed, then answered. */
  async sendFromCommand(text: string): Promise<void> {
    if (this.busy) {
      this.notify({ type: 'setDraft', text, mode: 'append' });
      throw new Error('An answer is still streaming: the text was put in the chat input. Stop the answer or wait, then send it.');
    }
    const conversation = (await this.deps.store.active()) ?? this.deps.store.create(text, newId('c'));
    const message: ChatMessage = { id: newId('u'), role: 'user', text, model: this.deps.currentModel() };
    conversation.messages.push(message);
    await this.deps.store.save(conversation);
    this.notify({ type: 'messageAdded', conversationId: conversation.id, message });
    await this.answer(conversation, this.deps.currentModel());
  }

  stop(): void {
    if (!this.running) return;
    this.running.stopped = true;
    this.running.abort.abort();
  }

  private async onSend(m: MessageOf<WebviewMessage, 'send'>): Promise<void> {
    if (this.busy) {
      this.reply(m.requestId, false, 'An answer is still streaming: stop it (Escape) or wait before sending.');
      return;
    }
    const taken = this.context.take(m.attachmentIds);
    if (taken instanceof Error) return this.reply(m.requestId, false, taken.message);
    const existing = m.conversationId ? await this.deps.store.get(m.conversationId) : await this.deps.store.active();
    const message: ChatMessage = { id: m.messageId, role: 'user', text: m.text, model: m.model, ...(taken.length ? { attachments: taken } : {}) };
    // Checked before anything is stored: a refused send puts the attachments back, and the view the draft.
    const problem = await this.context.check(existing, message, m.model, m.dropOldest === true);
    if (typeof problem === 'string') {
      this.context.restore(taken);
      return this.reply(m.requestId, false, problem);
    }
    const conversation = existing ?? this.deps.store.create(m.text, newId('c'));
    if (this.deps.store.activeId !== conversation.id) await this.deps.store.setActive(conversation.id);
    conversation.messages.push(message);
    if (problem) {
      conversation.contextStartId = problem.keepFrom;
      const notice: ChatMessage = { id: newId('n'), role: 'notice', text: problem.notice };
      conversation.messages.push(notice);
      this.notify({ type: 'messageAdded', conversationId: conversation.id, message: notice });
    }
    await this.deps.store.save(conversation);
    this.reply(m.requestId, true);
    if (m.model !== this.deps.currentModel()) await this.deps.setModel(m.model);
    await this.answer(conversation, m.model);
  }

  /** The assistant message `messageId` names in the active conversation, if any. */
  private async failedAnswer(messageId: string | undefined): Promise<ChatMessage | undefined> {
    if (!messageId) return undefined;
    return (await this.deps.store.active())?.messages.find((x) => x.id === messageId && x.role === 'assistant');
  }

  /** Streams one answer to the conversation's last user message. */
  async answer(conversation: Conversation, requested: string, offlineFallback?: Fallback): Promise<void> {
    const route = offlineFallback ? { model: requested, fallback: offlineFallback } : this.deps.offline.route(requested);
    const running: Running = { conversationId: conversation.id, messageId: undefined, abort: new AbortController(), stopped: false };
    this.running = running;
    let assistant: ChatMessage | undefined;
    let catalog: Catalog | undefined;
    try {
      catalog = await this.deps.catalog();
      let handle;
      const mayGoOffline = !route.fallback && this.deps.autoOfflineSwitch() && !isLocal(catalog, route.model);
      try {
        await this.deps.admit?.(route.model, isLocal(catalog, route.model));
        const system = (await this.deps.instructions?.())?.system;
        const messages: CoreMessage[] = [...(system ? [{ role: 'system' as const, content: system }] : []), ...toCoreMessages(inContext(conversation))];
        // Only for models that reason: another model would refuse (or drop) the parameter.
        const reasoning = catalog.models.find((m) => m.id === route.model)?.reasoning ? reasoningParams(this.effort()) : {};
        const opening = catalog.client.streamChat({ model: route.model, messages, stream: true, ...reasoning }, { signal: running.abort.signal, usage: { source: 'panel', ...(route.fallback ? { offline: true } : {}) } });
        handle = await (mayGoOffline ? this.deps.offline.guard(route.model, opening, () => running.abort.abort()) : opening);
      } catch (err) {
        const local = mayGoOffline ? offlineTarget(err, route.model, catalog, this.deps) : undefined;
        if (!local || running.stopped) throw err;
        this.deps.offline.activate(route.model, local, asError(err)?.message ?? String(err));
        await this.addNotice(conversation, this.deps.offline.notice()!.message);
        this.running = undefined;
        return await this.answer(conversation, local, { requestedModel: route.model, reason: `offline: ${asError(err)?.message ?? String(err)}`.slice(0, 2000) });
      }
      const fallback = route.fallback ?? (handle.fallback ? { requestedModel: route.model, reason: 'the router fell back to another model' } : undefined);
      assistant = { id: newId('a'), role: 'assistant', text: '', model: handle.modelGroup, ...(fallback ? { fallback } : {}) };
      running.messageId = assistant.id;
      conversation.messages.push(assistant);
      this.notify({ type: 'streamStart', conversationId: conversation.id, messageId: assistant.id, model: handle.modelGroup, ...(fallback ? { fallback } : {}) });
      let savedAt = Date.now();
      const answer = await readAnswer(handle.parts, assistant, (m) => this.notify(m), () => {
        // A long answer is saved as it grows, so closing the window mid-answer keeps what arrived.
        if (Date.now() - savedAt < SAVE_EVERY_MS) return;
        savedAt = Date.now();
        void this.deps.store.save(conversation).catch(() => undefined);
      });
      settleAnswer(assistant, { ...answer, finishReason: running.stopped ? 'stopped' : answer.finishReason }, handle.deployment);
      this.notify({ type: 'streamEnd', messageId: assistant.id, ...(assistant.usage ? { usage: assistant.usage } : {}), cost: assistant.cost ?? null, finishReason: assistant.finishReason ?? 'stop' });
      if (!route.fallback) this.deps.offline.cloudAnswered(route.model);
    } catch (err) {
      if (running.stopped) {
        if (assistant) {
          assistant.finishReason = 'stopped';
          this.notify({ type: 'streamEnd', messageId: assistant.id, cost: null, finishReason: 'stopped' });
        }
      } else {
        const error = explainFailure(err, catalog, route.model) ?? chatError(err, route.model);
        if (!assistant) {
          assistant = { id: newId('a'), role: 'assistant', text: '', model: route.model, ...(route.fallback ? { fallback: route.fallback } : {}), error };
          conversation.messages.push(assistant);
          // With the id the host gave it, so that the error's retry names this answer.
          this.notify({ type: 'streamError', messageId: assistant.id, message: error.message, kind: error.kind, actions: error.actions });
        } else {
          assistant.error = error;
          this.notify({ type: 'streamError', messageId: assistant.id, message: error.message, kind: error.kind, actions: error.actions });
        }
      }
    } finally {
      if (this.running === running) this.running = undefined;
      await this.deps.store.save(conversation);
      if (this.deps.store.activeId === conversation.id) await this.notifyContext();
    }
  }

  private async addNotice(conversation: Conversation, text: string): Promise<void> {
    conversation.messages.push({ id: newId('n'), role: 'notice', text });
    await this.deps.store.save(conversation);
  }

  /** `showFrom`: a message the view must get even if it is older than the newest page. */
  async sendState(inReplyTo?: string, showFrom?: string): Promise<void> {
    const conversation = await this.deps.store.active();
    const page = conversation ? newestPage(withBranchInfo(conversation), showFrom) : { messages: [], older: 0 };
    const instructions = await this.deps.instructions?.().catch(() => undefined);
    const streaming = this.running && this.running.conversationId === conversation?.id ? this.running.messageId : undefined;
    const state: HostMessage = {
      type: 'state',
      ...(inReplyTo ? { inReplyTo } : {}),
      conversations: this.deps.store.summaries(),
      activeConversationId: conversation?.id ?? null,
      messages: page.messages.map(viewMessage),
      olderMessages: page.older,
      draft: this.deps.store.draft(),
      models: this.deps.modelOptions(),
      currentModel: this.deps.currentModel(),
      offline: this.deps.offline.notice(),
      streamingMessageId: streaming ?? null,
      modelProblem: this.problem,
      comparingMessageId: this.compare.runningIn(conversation?.id) ?? null,
      reasoningEffort: this.effort(),
      instructions: instructions?.info ?? null,
      attachments: this.deps.attachments?.shown() ?? [],
      context: (await this.context.usage()) ?? null,
    };
    this.deps.observe?.(state);
    this.post?.(state);
  }

  /** The page before the oldest message the view shows, from the store (it has the whole conversation). */
  private async sendOlder(m: MessageOf<WebviewMessage, 'loadOlder'>): Promise<void> {
    const conversation = await this.deps.store.get(m.conversationId);
    const page = conversation ? pageBefore(withBranchInfo(conversation), m.beforeMessageId) : undefined;
    if (!page) return this.reply(m.requestId, false, 'That part of the conversation changed; reopen it to see the older messages.');
    this.notify({ type: 'olderPage', inReplyTo: m.requestId, conversationId: m.conversationId, beforeMessageId: m.beforeMessageId, messages: page.messages.map(viewMessage), olderMessages: page.older });
  }

  reply(requestId: string | undefined, ok: boolean, error?: string): void {
    if (requestId) this.notify({ type: 'reply', inReplyTo: requestId, ok, ...(error ? { error } : {}) });
  }
}

function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function isLocal(catalog: Catalog, model: string): boolean {
  return catalog.models.find((m) => m.id === model)?.local ?? false;
}
