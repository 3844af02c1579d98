/**
 * Searching past conversations by text, for `AnyModel: Search Conversations`: every word of the
 * query must occur (case-insensitive) in the conversation's title or messages; hits come newest
 * first, each with the line around its first match so the picker shows why it matched.
 */
import type { ChatMessage } from '../../shared/protocol';

export interface Searchable {
  id: string;
  title: string;
  updatedAt: number;
  messages: readonly ChatMessage[];
}

export interface SearchHit {
  id: string;
  title: string;
  updatedAt: number;
  /** The text around the first match (or the first question when the query is empty). */
  snippet: string;
  /** Messages that contain a word of the query. */
  matches: number;
}

const SNIPPET_CHARS = 120;

export function searchConversations(conversations: readonly Searchable[], query: string, limit = 50): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits: SearchHit[] = [];
  for (const c of conversations) {
    const texts = c.messages.filter((m) => m.role !== 'notice').map((m) => m.text);
    const lowered = texts.map((t) => t.toLowerCase());
    const title = c.title.toLowerCase();
    if (!words.every((w) => title.includes(w) || lowered.some((t) => t.includes(w)))) continue;
    const matches = words.length ? lowered.filter((t) => words.some((w) => t.includes(w))).length : 0;
    const first = words.length ? lowered.findIndex((t) => t.includes(words[0]!)) : 0;
    hits.push({ id: c.id, title: c.title, updatedAt: c.updatedAt, snippet: snippetOf(texts[first] ?? texts[0] ?? '', words[0]), matches });
  }
  return hits.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
}

function snippetOf(text: string, word: string | undefined): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const at = word ? flat.toLowerCase().indexOf(word) : 0;
  const start = Math.max(0, at - SNIPPET_CHARS / 3);
  const cut = flat.slice(start, start + SNIPPET_CHARS);
  return `${start > 0 ? '…' : ''}${cut}${start + SNIPPET_CHARS < flat.length ? '…' : ''}`;
}
