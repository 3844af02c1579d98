/** A bounded key → value store in this process's memory. */
import type { KeyValueStore } from './types';

/**
 * The in-memory bounded store (docs/architecture.md#shared-state): LRU with a TTL and a size cap,
 * for the response cache and the stored responses of the Responses API. The Redis backend keeps
 * one too, as its local copy.
 */
export class MemoryStore<T> implements KeyValueStore<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(private ttlMs: number, private maxEntries: number, private readonly now: () => number = Date.now) {}

  /** New limits for entries stored from now on; entries over the new size cap go, oldest first. */
  resize(ttlMs: number, maxEntries: number): void {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.trim();
  }

  /** Keeps only the entries `keep` accepts (a config change: answers of deployments that are gone). */
  retain(keep: (value: T) => boolean): void {
    for (const [key, e] of this.entries) if (!keep(e.value)) this.entries.delete(key);
  }

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert to mark it most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    this.trim();
  }

  delete(key: string): boolean {
    const e = this.entries.get(key);
    this.entries.delete(key);
    return !!e && e.expires > this.now();
  }

  private trim(): void {
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
