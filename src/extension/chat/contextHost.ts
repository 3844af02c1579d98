/**
 * The chat's context in the host (docs/architecture.md#context-attachments): the composer's
 * attachments (attach, remove, `#` mention completion), the meter's counts, and the check that a
 * send fits the model's window. The controller hands it these messages and asks it before a send.
 */
import type { ChatMessage, ContextUsage, HostMessage, MessageOf, WebviewMessage } from '../../shared/protocol';
import type { Catalog } from '../catalog';
import type { ContextAttachments } from './attachments';
import { checkSend, contextUsage, inContext, modelLimits, type SendCheck } from './contextWindow';
import type { Conversation, ConversationStore } from './store';

export type ContextMessage = MessageOf<WebviewMessage, 'attach' | 'detach' | 'mentionQuery' | 'pickLargerModel'>;

const CONTEXT_MESSAGE_TYPES: ReadonlySet<string> = new Set(['attach', 'detach', 'mentionQuery', 'pickLargerModel']);

export function isContextMessage(m: WebviewMessage): m is ContextMessage {
  return CONTEXT_MESSAGE_TYPES.has(m.type);
}

export interface ContextDeps {
  store: ConversationStore;
  catalog(): Promise<Catalog>;
  currentModel(): string;
  /** The composer's attachments (attachments.ts); absent, nothing can be attached. */
  attachments?: Pick<ContextAttachments, 'attach' | 'remove' | 'take' | 'restore' | 'shown' | 'tokens' | 'mentions'>;
  /** Offers the models whose window holds `tokens`. */
  pickModelFor?(tokens: number): Promise<void>;
  warn(message: string): void;
  notify(message: HostMessage): void;
  reply(requestId: string | undefined, ok: boolean, error?: string): void;
}

export class ContextHost {
  constructor(private readonly deps: ContextDeps) {}

  async handle(m: ContextMessage): Promise<void> {
    switch (m.type) {
      case 'attach':
        try {
          if (!this.deps.attachments) throw new Error('Attachments are not available here.');
          await this.deps.attachments.attach(m);
          this.deps.reply(m.requestId, true);
        } catch (err) {
          this.deps.reply(m.requestId, false, (err as Error).message.slice(0, 2000));
        }
        return this.notifyUsage();
      case 'detach':
        await this.deps.attachments?.remove(m.id);
        return this.notifyUsage();
      case 'mentionQuery':
        if (m.requestId) this.deps.notify({ type: 'mentions', inReplyTo: m.requestId, paths: (await this.deps.attachments?.mentions(m.query)) ?? [] });
        return;
      case 'pickLargerModel':
        return this.deps.pickModelFor?.(m.tokens);
    }
  }

  /** Tells the composer's meter what the conversation and the attachments use of the current model's window. */
  async notifyUsage(): Promise<void> {
    const context = await this.usage();
    if (context) this.deps.notify({ type: 'context', context });
  }

  /** The meter's counts now; undefined (and a log line) when the catalog cannot say. */
  async usage(): Promise<ContextUsage | undefined> {
    try {
      return await contextUsage(await this.deps.catalog(), this.deps.currentModel(), await this.deps.store.active(), this.deps.attachments?.tokens() ?? 0);
    } catch (err) {
      this.deps.warn(`Could not measure the conversation for the context meter: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** The attachments a send names, taken out of the composer; an Error when they cannot be. */
  take(ids: readonly string[] | undefined): NonNullable<ChatMessage['attachments']> | Error {
    if (!ids?.length) return [];
    return this.deps.attachments?.take([...ids]) ?? new Error('Attachments are not available here.');
  }

  /** A refused send: its attachments go back to the composer. */
  restore(taken: NonNullable<ChatMessage['attachments']>): void {
    if (taken.length) this.deps.attachments?.restore(taken);
  }

  /** Why `message` cannot go to `model` as it is (contextWindow.ts `checkSend`); undefined when the catalog cannot say. */
  async check(conversation: Conversation | undefined, message: ChatMessage, model: string, dropOldest: boolean): Promise<SendCheck> {
    let limits;
    try {
      limits = await modelLimits(await this.deps.catalog(), model);
    } catch {
      return undefined; // the request itself reports what is wrong with the model
    }
    return checkSend(limits, conversation ? inContext(conversation) : [], message, model, dropOldest);
  }
}
