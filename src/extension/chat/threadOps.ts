/**
 * Working with the thread, host side: retry a failed answer, edit an earlier question and resend
 * it, regenerate an answer (with its model or another), switch between the versions of an edited question, and the
 * whole-conversation actions (copy as Markdown, export, import) handed to the editor. The old
 * answers are never deleted: an edit or a regenerate keeps them as a branch (branches.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, HostMessage, MessageOf, WebviewMessage } from '../../shared/protocol';
import { viewMessage } from './attachmentContent';
import { branchAt, questionBefore, switchBranch } from './branches';
import type { ChatDeps } from './controller';
import type { Conversation } from './store';

/** What the controller lends to these operations. */
export interface ThreadHost {
  readonly deps: ChatDeps;
  readonly busy: boolean;
  answer(conversation: Conversation, model: string): Promise<void>;
  sendState(inReplyTo?: string, showFrom?: string): Promise<void>;
  reply(requestId: string | undefined, ok: boolean, error?: string): void;
  notify(message: HostMessage): void;
}

type ThreadMessage = MessageOf<WebviewMessage, 'editMessage' | 'switchBranch' | 'regenerate' | 'threadAction'>;

export class ThreadOps {
  constructor(private readonly host: ThreadHost) {}

  async handle(m: ThreadMessage): Promise<void> {
    const store = this.host.deps.store;
    const conversation = await store.active();
    if (m.type === 'threadAction') return this.host.deps.threadAction?.(m.kind, conversation);
    // Refused: an edit hears why; a regenerate or a switch gets the thread as it is (the view
    // waits for an answer it asked for, and a state ends that wait).
    if (this.host.busy) {
      if (m.type === 'editMessage') this.host.reply(m.requestId, false, 'An answer is still streaming: stop it (Escape) or wait before editing.');
      else await this.host.sendState();
      return;
    }
    if (!conversation) {
      if (m.type === 'editMessage') this.host.reply(m.requestId, false, 'That conversation is not open any more.');
      else await this.host.sendState();
      return;
    }
    if (m.type === 'switchBranch') {
      const at = conversation.messages.findIndex((x) => x.id === m.messageId);
      if (switchBranch(conversation, m.messageId, m.index)) await store.save(conversation);
      // The version now in its place stays in view, even when it is older than the newest page.
      return this.host.sendState(undefined, conversation.messages[at]?.id);
    }
    if (m.type === 'editMessage') {
      const asked = branchAt(conversation, m.messageId, { id: newId('u'), role: 'user', text: m.text, model: m.model });
      if (!asked) {
        this.host.reply(m.requestId, false, 'That question is not in this conversation any more; the edit was not sent.');
        return;
      }
      return this.resend(conversation, m.model, () => this.host.reply(m.requestId, true));
    }
    // regenerate: the question behind the answer, asked again as a new version of itself.
    const answer = conversation.messages.find((x) => x.id === m.messageId && x.role === 'assistant');
    const question = answer ? questionBefore(conversation.messages, answer.id) : undefined;
    if (!answer || !question) return this.host.sendState();
    const model = m.model ?? answer.fallback?.requestedModel ?? answer.model ?? this.host.deps.currentModel();
    branchAt(conversation, question.id, { id: newId('u'), role: 'user', text: question.text, model });
    return this.resend(conversation, model);
  }

  /**
   * Asks again for the answer `messageId` (the latest answer when absent), with the model that
   * answer asked for, not the current one: a retry repeats what failed. The latest answer is
   * replaced; an older one stays where it is and its question is asked again at the end, so
   * nothing in the thread is lost.
   */
  async retry(messageId?: string): Promise<void> {
    const conversation = await this.host.deps.store.active();
    if (!conversation || this.host.busy) return;
    const messages = conversation.messages;
    const lastQuestion = lastIndex(messages, (x) => x.role === 'user');
    if (lastQuestion < 0) return;
    const named = messageId ? messages.findIndex((x) => x.id === messageId && x.role === 'assistant') : -1;
    const target = named >= 0 ? named : lastIndex(messages, (x, i) => i > lastQuestion && x.role === 'assistant');
    const answer = target >= 0 ? messages[target]! : undefined;
    // The model that request went to: a fallback's answer retries the model first asked for.
    const model = answer?.fallback?.requestedModel ?? answer?.model ?? messages[lastQuestion]!.model ?? this.host.deps.currentModel();
    if (target < 0 || target > lastQuestion) {
      // Drop the failed or unwanted answer after the last question, then ask again.
      while (messages.length && messages.at(-1)!.role !== 'user') messages.pop();
    } else {
      const question = messages[lastIndex(messages.slice(0, target), (x) => x.role === 'user')];
      if (!question) return;
      const again: ChatMessage = { id: newId('u'), role: 'user', text: question.text, model, ...(question.attachments ? { attachments: question.attachments } : {}) };
      messages.push(again);
      this.host.notify({ type: 'messageAdded', conversationId: conversation.id, message: viewMessage(again) });
    }
    await this.host.deps.store.save(conversation);
    await this.host.answer(conversation, model);
  }

  /** The thread changed above the end: the view gets it whole, then the new answer streams. */
  private async resend(conversation: Conversation, model: string, accepted?: () => void): Promise<void> {
    await this.host.deps.store.save(conversation);
    accepted?.();
    await this.host.sendState();
    if (model !== this.host.deps.currentModel()) await this.host.deps.setModel(model);
    await this.host.answer(conversation, model);
  }
}

function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function lastIndex<T>(list: T[], test: (item: T, index: number) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!, i)) return i;
  return -1;
}

