/**
 * A long conversation goes to the view a page at a time (docs/architecture.md#long-conversations): the
 * `state` carries the newest page, and the view asks for the page before its oldest message
 * (`loadOlder`) as the reader scrolls up. Thousands of messages (megabytes of text) would
 * otherwise be serialised, validated and laid out in one task when the panel opens. The store
 * keeps the whole conversation: export, copy and the model's context read it there.
 *
 * No `vscode` import: the webview benchmark's stand-in host pages with these functions too.
 */
import { MAX_PAGE_MESSAGES, type ChatMessage } from '../../shared/protocol';

/** Messages per page: a few screens of a chat, cheap to validate and put in at once. */
export const PAGE_MESSAGES = 50;

export interface Page {
  /** As stored: the controller takes the attachments' content out before they go to the view. */
  messages: ChatMessage[];
  /** How many messages come before the page. */
  older: number;
}

/**
 * The newest page of `messages`, reaching back to `showFrom` when that message is older (a
 * question whose version was switched stays in view).
 */
export function newestPage(messages: readonly ChatMessage[], showFrom?: string): Page {
  let start = Math.max(0, messages.length - PAGE_MESSAGES);
  const wanted = showFrom ? messages.findIndex((m) => m.id === showFrom) : -1;
  if (wanted >= 0 && wanted < start) start = wanted;
  return { messages: messages.slice(start), older: start };
}

/** The page just before `beforeMessageId`; undefined when the conversation has no such message. */
export function pageBefore(messages: readonly ChatMessage[], beforeMessageId: string, size = PAGE_MESSAGES): Page | undefined {
  const end = messages.findIndex((m) => m.id === beforeMessageId);
  if (end < 0) return undefined;
  const start = Math.max(0, end - Math.min(size, MAX_PAGE_MESSAGES));
  return { messages: messages.slice(start, end), older: start };
}
