/**
 * The host side of the panel's compare mode: one question, with the conversation so far, to 2–4
 * models at once through the core's comparison runner; each column's progress goes to the view
 * as it happens and into the conversation (a `compare` entry), so a reload finds it. "Continue
 * with this answer" makes a column the conversation's next turn and switches to its model. Imports
 * no `vscode` (the picker is passed in), so it is tested on plain Node (docs/architecture.md#compare).
 */
import { randomUUID } from 'node:crypto';
import { startColumns, type CompareColumn as CoreColumn, type CompareEvent, type Comparison } from '../../core';
import type { ChatMessage as CoreMessage } from '../../core';
import type { Attachment, ChatMessage, CompareColumn, CompareRun, ErrorAction, HostMessage, MessageOf, WebviewMessage } from '../../shared/protocol';
import type { Catalog } from '../catalog';
import { offlineTarget, type OfflineSwitch } from '../offline';
import { explainFailure } from './localModel';
import { chatError } from './chatError';
import type { Conversation, ConversationStore } from './store';
import type { ContextAttachments } from './attachments';
import { forView, userContent } from './attachmentContent';

export type CompareMessage = MessageOf<WebviewMessage, 'pickCompareModels' | 'compare' | 'stopCompare' | 'continueCompare' | 'compareAction'>;

export const COMPARE_MESSAGE_TYPES: ReadonlySet<string> = new Set(['pickCompareModels', 'compare', 'stopCompare', 'continueCompare', 'compareAction']);

/** How often streaming columns are written to the history while they grow. */
const SAVE_EVERY_MS = 2000;

export interface CompareDeps {
  store: ConversationStore;
  catalog(): Promise<Catalog>;
  offline: OfflineSwitch;
  offlineModel(catalog: Catalog): string | undefined;
  autoOfflineSwitch(): boolean;
  setModel(model: string): Promise<void>;
  runAction(kind: Exclude<ErrorAction, 'retry'>, model: string): Promise<void>;
  /** The 2–4 models to compare (a QuickPick), remembered; undefined when dismissed. */
  pickCompareModels?(): Promise<string[] | undefined>;
  notify(message: HostMessage): void;
  reply(requestId: string | undefined, ok: boolean, error?: string): void;
  /** The thread as the core wants it (the chat's own conversion, attachments and all). */
  history(messages: ChatMessage[]): CoreMessage[];
  /** A normal answer is streaming: a comparison waits for it. */
  chatBusy(): boolean;
  /** The system prompt the chat sends (instruction files, anymodel.systemPrompt): every column gets it too. */
  instructions?(): Promise<{ system?: string }>;
  /** The daily budgets, asked once per model before the columns start (usage/guard.ts). */
  admit?(model: string, free: boolean): Promise<void>;
  /** The composer's attachments: a comparison takes the ones the question names. */
  attachments?: Pick<ContextAttachments, 'take' | 'restore'>;
}

interface Running {
  conversationId: string;
  messageId: string;
  comparison: Comparison | undefined;
  stopped: boolean;
}

export class CompareHost {
  private running: Running | undefined;

  constructor(private readonly deps: CompareDeps) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The compare entry still streaming in `conversationId`, if any. */
  runningIn(conversationId: string | undefined): string | undefined {
    return this.running && this.running.conversationId === conversationId ? this.running.messageId : undefined;
  }

  async handle(m: CompareMessage): Promise<void> {
    switch (m.type) {
      case 'pickCompareModels': return this.pickModels();
      case 'compare': {
        const busy = this.running ? 'A comparison is still running: stop it or wait before asking again.'
          : this.deps.chatBusy() ? 'An answer is still streaming: stop it (Escape) or wait before comparing.' : undefined;
        const taken = busy || !m.attachmentIds?.length ? [] : this.deps.attachments?.take(m.attachmentIds) ?? new Error('Attachments are not available here.');
        const error = busy ?? (taken instanceof Error ? taken.message : undefined);
        this.deps.reply(m.requestId, !error, error);
        if (error || taken instanceof Error) return;
        const conversation = (m.conversationId ? await this.deps.store.get(m.conversationId) : await this.deps.store.active())
          ?? this.deps.store.create(m.text, newId('c'));
        return this.start(conversation, m.text, m.models, m.messageId, taken);
      }
      case 'stopCompare': return this.stop(m.messageId, m.columnId);
      case 'continueCompare': return this.continueWith(m.messageId, m.columnId);
      case 'compareAction': return this.action(m.messageId, m.columnId, m.kind);
    }
  }

  /** Opens the picker and turns compare mode on with the models picked. */
  async pickModels(): Promise<void> {
    const models = await this.deps.pickCompareModels?.();
    if (models && models.length >= 2) this.deps.notify({ type: 'compareMode', models });
  }

  /** A comparison from an editor command: in the active conversation, as if typed in compare mode. */
  async startFromCommand(text: string, models: string[]): Promise<void> {
    if (this.running || this.deps.chatBusy()) throw new Error('An answer or a comparison is still streaming: stop it or wait, then ask again.');
    const conversation = (await this.deps.store.active()) ?? this.deps.store.create(text, newId('c'));
    await this.start(conversation, text, models, newId('m'));
  }

  stop(messageId: string, columnId?: string): void {
    const r = this.running;
    if (!r || r.messageId !== messageId) return;
    if (columnId === undefined) {
      r.stopped = true;
      r.comparison?.stop();
      return;
    }
    const runIndex = this.columnIndexes.get(columnId);
    if (runIndex !== undefined) r.comparison?.stop(runIndex);
  }

  /** Run column index (in the core's comparison) of each column id of the running entry. */
  private columnIndexes = new Map<string, number>();

  private async start(conversation: Conversation, text: string, models: string[], messageId: string, attachments: Attachment[] = []): Promise<void> {
    if (this.deps.store.activeId !== conversation.id) await this.deps.store.setActive(conversation.id);
    const history = [...this.deps.history(conversation.messages), { role: 'user' as const, content: userContent(text, attachments) }];
    const run: CompareRun = { prompt: text, columns: models.map((model) => ({ id: newId('col'), model, status: 'queued', text: '' })) };
    const entry: ChatMessage = { id: messageId, role: 'compare', text: '', compare: run, ...(attachments.length ? { attachments } : {}) };
    conversation.messages.push(entry);
    await this.deps.store.save(conversation);
    // The view gets the chips, not the content (it stays in the host).
    this.deps.notify({ type: 'messageAdded', conversationId: conversation.id, message: attachments.length ? { ...entry, attachments: attachments.map(forView) } : entry });
    await this.runColumns(conversation, entry, run.columns, history);
  }

  /** Asks `columns` of `entry` (all of them, or one being retried) and streams them into it. */
  private async runColumns(conversation: Conversation, entry: ChatMessage, columns: CompareColumn[], history: CoreMessage[]): Promise<void> {
    const running: Running = { conversationId: conversation.id, messageId: entry.id, comparison: undefined, stopped: false };
    this.running = running;
    this.columnIndexes = new Map(columns.map((c, i) => [c.id, i]));
    let savedAt = Date.now();
    const saveSoon = () => {
      if (Date.now() - savedAt < SAVE_EVERY_MS) return;
      savedAt = Date.now();
      void this.deps.store.save(conversation).catch(() => undefined);
    };
    try {
      const catalog = await this.deps.catalog();
      const onEvent = (e: CompareEvent) => {
        const column = columns[e.column]!;
        if (e.type === 'column-start') {
          column.status = 'running';
          if (e.answeredBy !== column.model) column.answeredBy = e.answeredBy;
          if (e.fallback) column.fallback = { requestedModel: e.fallback.requestedModel, reason: e.fallback.reason.slice(0, 2000), ...(e.fallback.kind === 'offline' ? { offline: true } : {}) };
          this.deps.notify({ type: 'compareColumn', messageId: entry.id, column });
        } else if (e.type === 'column-part') {
          if (e.part.type !== 'text-delta') return;
          column.text += e.part.text;
          this.deps.notify({ type: 'compareDelta', messageId: entry.id, columnId: column.id, text: e.part.text });
          saveSoon();
        } else {
          settle(column, e.result, catalog);
          this.deps.notify({ type: 'compareColumn', messageId: entry.id, column });
        }
      };
      const system = (await this.deps.instructions?.())?.system;
      for (const model of new Set(columns.map((c) => c.model))) await this.deps.admit?.(model, catalog.models.find((m) => m.id === model)?.local ?? false);
      let comparison: Comparison;
      try {
        comparison = startColumns(catalog.client, {
          models: columns.map((c) => c.model),
          request: { messages: system ? [{ role: 'system', content: system }, ...history] : history },
          usage: { source: 'compare' },
          onEvent,
          route: (model) => {
            const r = this.deps.offline.route(model);
            return r.fallback ? { model: r.model, offline: { requestedModel: r.fallback.requestedModel, reason: r.fallback.reason ?? 'offline' } } : { model };
          },
          onOutage: (model, err) => {
            const local = offlineTarget(err, model, catalog, this.deps);
            if (local && this.deps.offline.localModel !== local) this.deps.offline.activate(model, local, err.message);
            return local;
          },
        });
      } catch (err) {
        // Refused before anything was sent (the budget, an unknown model): every column says why.
        for (const column of columns) {
          column.status = 'error';
          column.error = chatError(err, column.model);
          this.deps.notify({ type: 'compareColumn', messageId: entry.id, column });
        }
        return;
      }
      running.comparison = comparison;
      if (running.stopped) comparison.stop();
      const results = await comparison.done;
      for (const r of results) if (r.status === 'done' && !r.fallback) this.deps.offline.cloudAnswered(r.model);
    } catch (err) {
      for (const column of columns) {
        if (column.status === 'done' || column.status === 'error' || column.status === 'stopped') continue;
        column.status = 'error';
        column.error = chatError(err, column.model);
        this.deps.notify({ type: 'compareColumn', messageId: entry.id, column });
      }
    } finally {
      if (this.running === running) this.running = undefined;
      await this.deps.store.save(conversation);
      this.deps.notify({ type: 'compareEnd', messageId: entry.id });
    }
  }

  /** The column's answer becomes the next turn of the conversation, and its model the current one. */
  private async continueWith(messageId: string, columnId: string): Promise<void> {
    const found = await this.find(messageId, columnId);
    if (!found || found.column.status !== 'done' || !found.column.text) return;
    if (this.running?.messageId === messageId) return;
    found.entry.compare!.chosenColumnId = columnId;
    await this.deps.store.save(found.conversation);
    this.deps.notify({ type: 'compareChosen', messageId, columnId });
    await this.deps.setModel(found.column.answeredBy ?? found.column.model);
    this.deps.notify({ type: 'compareMode', models: null });
  }

  private async action(messageId: string, columnId: string, kind: ErrorAction): Promise<void> {
    const found = await this.find(messageId, columnId);
    if (!found) return;
    if (kind === 'retry') {
      if (this.running || this.deps.chatBusy() || (found.column.status !== 'error' && found.column.status !== 'stopped')) return;
      const index = found.conversation.messages.indexOf(found.entry);
      const history = [...this.deps.history(found.conversation.messages.slice(0, index)), { role: 'user' as const, content: userContent(found.entry.compare!.prompt, found.entry.attachments) }];
      const column = found.column;
      Object.assign(column, { status: 'queued', text: '' });
      for (const key of ['answeredBy', 'fallback', 'ttftMs', 'totalMs', 'usage', 'cost', 'error'] as const) delete column[key];
      this.deps.notify({ type: 'compareColumn', messageId, column });
      await this.runColumns(found.conversation, found.entry, [column], history);
      return;
    }
    // "Pick Another Model" in a column picks the compared models again.
    if (kind === 'pickModel') return this.pickModels();
    await this.deps.runAction(kind, found.column.model);
  }

  private async find(messageId: string, columnId: string): Promise<{ conversation: Conversation; entry: ChatMessage; column: CompareColumn } | undefined> {
    const conversation = await this.deps.store.active();
    const entry = conversation?.messages.find((x) => x.id === messageId && x.role === 'compare');
    const column = entry?.compare?.columns.find((c) => c.id === columnId);
    return conversation && entry && column ? { conversation, entry, column } : undefined;
  }
}

/** Copies the runner's result into the stored column: figures, and the error with its actions. */
function settle(column: CompareColumn, result: CoreColumn, catalog: Catalog): void {
  column.status = result.status === 'queued' || result.status === 'running' ? 'stopped' : result.status;
  column.text = result.text;
  if (result.ttftMs !== undefined) column.ttftMs = Math.max(0, Math.round(result.ttftMs));
  if (result.totalMs !== undefined) column.totalMs = Math.max(0, Math.round(result.totalMs));
  if (result.usage) column.usage = result.usage;
  if (result.costUsd !== undefined) column.cost = result.costUsd;
  if (result.status === 'error' && result.error) {
    const error = explainFailure(result.error, catalog, column.model) ?? chatError(result.error, column.model);
    // A column can always be asked again (after its key was set, or Ollama started).
    column.error = { ...error, actions: error.actions.includes('retry') ? error.actions : [...error.actions, 'retry' as const].slice(0, 4) };
  }
}

/**
 * The turns a compare entry adds to the conversation's history: none until a column was chosen,
 * then the question and the chosen answer.
 */
export function compareTurns(message: ChatMessage): CoreMessage[] {
  const run = message.compare;
  const chosen = run?.columns.find((c) => c.id === run.chosenColumnId);
  if (!run || !chosen || !chosen.text) return [];
  return [{ role: 'user', content: userContent(run.prompt, message.attachments) }, { role: 'assistant', content: chosen.text }];
}

export function isCompareMessage(m: WebviewMessage): m is CompareMessage {
  return COMPARE_MESSAGE_TYPES.has(m.type);
}

function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
