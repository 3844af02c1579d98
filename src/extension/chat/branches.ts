/**
 * Versions of an edited question. Editing (or regenerating the answer to) a question replaces it
 * and everything after it; the replaced tail is kept, whole, under the question's `slot` (the id of
 * its first version), so it can be brought back with the ‹ 1/2 › switcher. A kept tail may hold
 * questions edited in their turn: their versions live in the same table, under their own slot,
 * so nothing nests and nothing is lost.
 */
import type { ChatMessage } from '../../shared/protocol';

export interface BranchEntry {
  /** Every version's tail, from its question on; the shown one is null (it is the thread itself). */
  versions: (ChatMessage[] | null)[];
  active: number;
}

export type Branches = Record<string, BranchEntry>;

export interface Branched {
  messages: ChatMessage[];
  branches?: Branches;
}

/**
 * Replaces the question `questionId` and what follows with `question` (its new version), keeping
 * the old tail as a version. Returns the new question as stored, or undefined when there is no
 * such question.
 */
export function branchAt(conversation: Branched, questionId: string, question: ChatMessage): ChatMessage | undefined {
  const at = conversation.messages.findIndex((m) => m.id === questionId && m.role === 'user');
  if (at < 0) return undefined;
  const old = conversation.messages[at]!;
  const slot = old.slot ?? old.id;
  old.slot = slot;
  const branches = conversation.branches ??= {};
  const entry = branches[slot] ??= { versions: [null], active: 0 };
  entry.versions[entry.active] = conversation.messages.splice(at).map(withoutBranchInfo);
  entry.versions.push(null);
  entry.active = entry.versions.length - 1;
  const stored: ChatMessage = { ...withoutBranchInfo(question), slot };
  conversation.messages.push(stored);
  return stored;
}

/** Shows version `index` of the question `questionId`; false when there is nothing to switch to. */
export function switchBranch(conversation: Branched, questionId: string, index: number): boolean {
  const at = conversation.messages.findIndex((m) => m.id === questionId && m.role === 'user');
  const slot = conversation.messages[at]?.slot;
  const entry = slot ? conversation.branches?.[slot] : undefined;
  const target = entry?.versions[index];
  if (!entry || !target || index === entry.active) return false;
  entry.versions[entry.active] = conversation.messages.splice(at);
  conversation.messages.push(...target);
  entry.versions[index] = null;
  entry.active = index;
  return true;
}

/** The question an answer replied to: the last question before it. */
export function questionBefore(messages: ChatMessage[], answerId: string): ChatMessage | undefined {
  const at = messages.findIndex((m) => m.id === answerId);
  for (let i = at - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i];
  return undefined;
}

/** The thread as the view shows it: a question with several versions says which one it is. */
export function withBranchInfo(conversation: Branched): ChatMessage[] {
  const branches = conversation.branches;
  if (!branches) return conversation.messages;
  return conversation.messages.map((m) => {
    const entry = m.slot ? branches[m.slot] : undefined;
    return entry && entry.versions.length > 1 ? { ...m, branch: { index: entry.active, count: entry.versions.length } } : m;
  });
}

function withoutBranchInfo(message: ChatMessage): ChatMessage {
  if (!message.branch) return message;
  const { branch: _, ...rest } = message;
  return rest;
}
