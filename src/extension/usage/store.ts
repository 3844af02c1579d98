/**
 * The editor's usage store: every request of the window's client (the chat panel, VS Code's chat,
 * the editor proxy) as one line of JSON in a file per UTC day, `usage-YYYY-MM-DD.jsonl`, in the
 * folder it is given (the extension's global storage). Append-only: a day's file that reaches
 * `maxFileBytes` goes on in `usage-YYYY-MM-DD.1.jsonl`, `.2`, …; the oldest files are deleted past
 * `keepDays` or `maxTotalBytes`. Read back with zod: a damaged line (a write cut short by a crash,
 * a hand edit) is skipped and counted, never fatal.
 *
 * Today's spend (all models and per model group) is kept in memory from the files at `open()` and
 * every append, so budgets hold across reloads and settings changes. UTC days, like the core's
 * budgets and LiteLLM's. No `vscode` here: the host passes the folder, the tests a temp folder.
 * A record never holds a key; its prompt is kept only while `keepPrompts()` says so.
 */
import { appendFile, mkdir, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsageRecord } from '../../core';
import { parseUsageLine, type StoredUsage } from './schema';

export interface UsageStoreOptions {
  /** The folder the files live in (created on the first write). */
  dir: string;
  /** A day's file is continued in a new part past this size. */
  maxFileBytes?: number;
  /** All files together; the oldest go first. */
  maxTotalBytes?: number;
  /** Days kept (today included). */
  keepDays?: number;
  now?: () => number;
  /** Whether a record's prompt may be written (`anymodel.logPrompts`). */
  keepPrompts?: () => boolean;
  /** A write that failed (said once until a write succeeds again). */
  onWarning?: (message: string) => void;
}

export interface UsageRead {
  records: StoredUsage[];
  /** Lines that were not a usage record. */
  damaged: number;
  files: number;
}

const FILE = /^usage-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;

interface FileInfo { name: string; day: string; part: number }

/** The UTC day (YYYY-MM-DD) of a time in ms or an ISO string. */
export function utcDay(time: number | string): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The UTC day `n` days before `day`. */
export function dayBefore(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000);
}

export class UsageStore {
  private readonly maxFileBytes: number;
  private readonly maxTotalBytes: number;
  private readonly keepDays: number;
  private readonly now: () => number;
  private queue: Promise<void> = Promise.resolve();
  private failing = false;
  /** The file being appended to and its size, so a write needs no stat. */
  private current: { day: string; part: number; size: number } | undefined;
  private today = { day: '', total: 0, byGroup: new Map<string, number>() };
  private readonly listeners = new Set<(record: StoredUsage) => void>();

  private constructor(private readonly options: UsageStoreOptions) {
    this.maxFileBytes = options.maxFileBytes ?? 4 * 1024 * 1024;
    this.maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024;
    this.keepDays = options.keepDays ?? 90;
    this.now = options.now ?? Date.now;
  }

  /** Opens the store and adds up today's spend from what is already there. */
  static async open(options: UsageStoreOptions): Promise<UsageStore> {
    const store = new UsageStore(options);
    const day = utcDay(store.now());
    const { records } = await store.read({ from: day, to: day });
    store.today = { day, total: 0, byGroup: new Map() };
    for (const r of records) store.count(r);
    return store;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Today's spend in USD, over all models or for one model group. */
  spentToday(modelGroup?: string): number {
    this.roll();
    return modelGroup === undefined ? this.today.total : (this.today.byGroup.get(modelGroup) ?? 0);
  }

  /** Called after each appended record (the dashboard refreshes, the budget warns). */
  onDidAppend(listener: (record: StoredUsage) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Appends one record; resolves when it is written (or its failure was reported). Never rejects. */
  append(record: UsageRecord | StoredUsage): Promise<void> {
    const r: StoredUsage = { ...record };
    if (!this.options.keepPrompts?.()) delete r.prompt;
    this.count(r);
    for (const l of this.listeners) l(r);
    // Chained, so lines never interleave and a new part starts from a settled size.
    this.queue = this.queue.then(() => this.write(r)).then(() => { this.failing = false; }, (err: unknown) => {
      if (this.failing) return;
      this.failing = true;
      this.options.onWarning?.(`The usage store in ${this.options.dir} could not be written (${(err as Error)?.message ?? String(err)}); usage is not being saved until it can.`);
    });
    return this.queue;
  }

  /** Resolves when every append so far is on disk. */
  flush(): Promise<void> {
    return this.queue;
  }

  /** The records of the days `from`..`to` (UTC, inclusive; all when omitted), oldest file first. */
  async read(range: { from?: string; to?: string } = {}): Promise<UsageRead> {
    const files = (await this.list()).filter((f) => (!range.from || f.day >= range.from) && (!range.to || f.day <= range.to));
    const out: UsageRead = { records: [], damaged: 0, files: 0 };
    for (const f of files) {
      const text = await readFile(join(this.options.dir, f.name), 'utf8').catch(() => undefined);
      if (text === undefined) continue; // deleted by a prune in between: nothing to read
      out.files++;
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        const record = parseUsageLine(line);
        if (record) out.records.push(record);
        else out.damaged++;
      }
    }
    return out;
  }

  /** A new UTC day starts from nothing. */
  private roll(): void {
    const day = utcDay(this.now());
    if (this.today.day !== day) this.today = { day, total: 0, byGroup: new Map() };
  }

  private count(r: StoredUsage): void {
    this.roll();
    const day = utcDay(r.time);
    if (this.today.day !== day || r.costUsd <= 0) return;
    this.today.total += r.costUsd;
    this.today.byGroup.set(r.modelGroup, (this.today.byGroup.get(r.modelGroup) ?? 0) + r.costUsd);
  }

  private async write(r: StoredUsage): Promise<void> {
    const line = `${JSON.stringify(r)}\n`;
    const bytes = Buffer.byteLength(line);
    const day = utcDay(r.time);
    let created = false;
    if (this.current?.day !== day) {
      await mkdir(this.options.dir, { recursive: true });
      const parts = (await this.list()).filter((f) => f.day === day);
      const last = parts.at(-1);
      const part = last?.part ?? 0;
      const size = last ? await stat(join(this.options.dir, last.name)).then((s) => s.size, () => 0) : 0;
      this.current = { day, part, size };
      created = !last;
    }
    if (this.current.size > 0 && this.current.size + bytes > this.maxFileBytes) {
      this.current = { day, part: this.current.part + 1, size: 0 };
      created = true;
    }
    const name = fileName(day, this.current.part);
    await appendFile(join(this.options.dir, name), line, { mode: 0o600 });
    this.current.size += bytes;
    if (created) await this.prune(name);
  }

  /** Deletes files older than `keepDays`, then the oldest while all of them pass `maxTotalBytes`. */
  private async prune(keep: string): Promise<void> {
    const oldest = dayBefore(utcDay(this.now()), this.keepDays - 1);
    const files = await this.list();
    const sized: { name: string; size: number }[] = [];
    for (const f of files) {
      if (f.name === keep) continue;
      if (f.day < oldest) await unlink(join(this.options.dir, f.name)).catch(() => undefined);
      else sized.push({ name: f.name, size: await stat(join(this.options.dir, f.name)).then((s) => s.size, () => 0) });
    }
    let total = sized.reduce((sum, f) => sum + f.size, 0) + (this.current?.size ?? 0);
    for (const f of sized) {
      if (total <= this.maxTotalBytes) break;
      await unlink(join(this.options.dir, f.name)).catch(() => undefined);
      total -= f.size;
    }
  }

  /** The store's files, oldest first (by day, then part). */
  private async list(): Promise<FileInfo[]> {
    const names = await readdir(this.options.dir).catch(() => [] as string[]);
    const files: FileInfo[] = [];
    for (const name of names) {
      const m = FILE.exec(name);
      if (m) files.push({ name, day: m[1]!, part: m[2] ? Number(m[2]) : 0 });
    }
    return files.sort((a, b) => (a.day === b.day ? a.part - b.part : a.day < b.day ? -1 : 1));
  }
}

function fileName(day: string, part: number): string {
  return part === 0 ? `usage-${day}.jsonl` : `usage-${day}.${part}.jsonl`;
}
