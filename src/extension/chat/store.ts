/**
 * Conversations persisted in the extension's global storage, one JSON file per conversation plus
 * an index, so they survive a reload and a restart. Files are validated with zod on load (a file
 * edited by hand or cut by a crash must not take the others down; it is set aside, not deleted)
 * and written atomically (temp file + rename). The draft lives in the memento it is given (the
 * window's workspaceState, src/extension/services.ts says why): it changes often and is small.
 */
import { mkdir, readFile, rename, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import { ChatMessage, ConversationSummary } from '../../shared/protocol';
import type { Branches } from './branches';
import { BranchesSchema } from './transcript';

export interface Conversation {
  id: string;
  title: string;
  updatedAt: number;
  messages: ChatMessage[];
  /** Earlier versions of edited questions (branches.ts). */
  branches?: Branches;
  /** The first message sent to the model, once the user dropped the oldest turns to fit its window. */
  contextStartId?: string;
}

const ConversationFile = z.object({
  id: z.string(),
  title: z.string(),
  updatedAt: z.number(),
  messages: z.array(ChatMessage),
  branches: z.optional(BranchesSchema),
  contextStartId: z.optional(z.string()),
});

const IndexFile = z.object({
  conversations: z.array(ConversationSummary),
  activeId: z.nullable(z.string()),
});

export interface Memento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const DRAFT_KEY = 'anymodel.chat.draft';
/** Title of a conversation: its first line, shortened. */
const TITLE_CHARS = 60;

export class ConversationStore {
  private index: z.infer<typeof IndexFile> = { conversations: [], activeId: null };
  private readonly loaded = new Map<string, Conversation>();
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(private readonly dir: string, private readonly memento: Memento, private readonly warn: (line: string) => void) {}

  static async open(dir: string, memento: Memento, warn: (line: string) => void): Promise<ConversationStore> {
    const store = new ConversationStore(dir, memento, warn);
    await mkdir(dir, { recursive: true });
    const index = await store.readValidated(path.join(dir, 'index.json'), IndexFile);
    if (index) store.index = index;
    else if ((await readdir(dir)).some((f) => f.endsWith('.json'))) await store.rebuildIndex();
    return store;
  }

  get activeId(): string | null {
    return this.index.activeId;
  }

  summaries(): ConversationSummary[] {
    return [...this.index.conversations].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Conversation | undefined> {
    const cached = this.loaded.get(id);
    if (cached) return cached;
    if (!this.index.conversations.some((c) => c.id === id)) return undefined;
    const file = await this.readValidated(this.file(id), ConversationFile);
    if (!file) return undefined;
    this.loaded.set(id, file);
    return file;
  }

  /** Every stored conversation, newest first (for searching them); unreadable ones are left out. */
  async all(): Promise<Conversation[]> {
    const out: Conversation[] = [];
    for (const summary of this.summaries()) {
      const conversation = await this.get(summary.id);
      if (conversation) out.push(conversation);
    }
    return out;
  }

  async active(): Promise<Conversation | undefined> {
    return this.index.activeId ? this.get(this.index.activeId) : undefined;
  }

  async setActive(id: string | null): Promise<void> {
    this.index.activeId = id;
    await this.saveIndex();
  }

  create(firstText: string, id: string): Conversation {
    const line = firstText.trim().split('\n')[0] ?? '';
    const title = line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line || 'New chat';
    const conversation: Conversation = { id, title, updatedAt: Date.now(), messages: [] };
    this.loaded.set(id, conversation);
    this.index.conversations.push({ id, title, updatedAt: conversation.updatedAt });
    this.index.activeId = id;
    return conversation;
  }

  /** Writes a conversation (after a message was added or finished) and the index. */
  async save(conversation: Conversation): Promise<void> {
    conversation.updatedAt = Date.now();
    const summary = this.index.conversations.find((c) => c.id === conversation.id);
    if (summary) summary.updatedAt = conversation.updatedAt;
    await this.write(this.file(conversation.id), conversation);
    await this.saveIndex();
  }

  draft(): string {
    const value = this.memento.get<unknown>(DRAFT_KEY);
    return typeof value === 'string' ? value : '';
  }

  saveDraft(text: string): Thenable<void> {
    return this.memento.update(DRAFT_KEY, text);
  }

  /** Resolves once every pending write is on disk. */
  flush(): Promise<unknown> {
    return this.writing;
  }

  private file(id: string): string {
    // Ids are ours (or validated by the protocol schema); keep only safe characters anyway.
    return path.join(this.dir, `${id.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }

  private saveIndex(): Promise<void> {
    return this.write(path.join(this.dir, 'index.json'), this.index);
  }

  /** Writes are chained so two saves of one file never interleave. */
  private write(file: string, value: unknown): Promise<void> {
    const next = this.writing.then(async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(value));
      await rename(tmp, file);
    });
    this.writing = next.catch((err: Error) => this.warn(`Could not save chat history to ${file}: ${err.message}`));
    return next;
  }

  private async readValidated<T>(file: string, schema: z.ZodMiniType<T>): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      throw new Error(parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(file)'}: ${i.code}`).join('; '));
    } catch (err) {
      const aside = `${file}.invalid-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      this.warn(`Chat history file ${path.basename(file)} is not valid (${(err as Error).message}); kept as ${path.basename(aside)}.`);
      return undefined;
    }
  }

  /** The index was lost: rebuild it from the conversation files. */
  private async rebuildIndex(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json') || name === 'index.json') continue;
      const c = await this.readValidated(path.join(this.dir, name), ConversationFile);
      if (c) this.index.conversations.push({ id: c.id, title: c.title, updatedAt: c.updatedAt });
    }
    await this.saveIndex();
  }
}
