/**
 * The long conversations of the paging and window tests (thread-pages, thread-window): messages
 * `m0`, `m1`, … taking turns, a question then an answer, and what the tests read off the page.
 */
import type { ChatMessage, HostStateMessage } from '../../../src/shared/protocol';
import type { ManualFrames } from './dom-env';

export const message = (i: number): ChatMessage => (i % 2 === 0 ? { id: `m${i}`, role: 'user', text: `Question ${i}` } : { id: `m${i}`, role: 'assistant', text: `Answer **${i}**`, model: 'claude' });
export const range = (from: number, to: number): ChatMessage[] => Array.from({ length: to - from }, (_, i) => message(from + i));

/** The state of conversation c1 showing messages `from`..`to` (exclusive), the `from` before them left to pages. */
export function longState(from: number, to: number, conversations: HostStateMessage['conversations'] = [{ id: 'c1', title: 'Long', updatedAt: 2 }]): Omit<HostStateMessage, 'inReplyTo'> {
  return { type: 'state', conversations, activeConversationId: 'c1', messages: range(from, to), olderMessages: from, draft: '', models: [{ id: 'claude' }], currentModel: 'claude', offline: null };
}

/** The ids of the messages in the page, top to bottom. */
export const shownIds = (root: HTMLElement): string[] => Array.from(root.querySelectorAll('article.message'), (el) => el.getAttribute('data-message-id')!);

/** Runs the frames the page asked for until it asks for no more (bounded). */
export function settleFrames(frames: ManualFrames): void {
  for (let i = 0; frames.pending && i < 50; i++) frames.flush();
}
