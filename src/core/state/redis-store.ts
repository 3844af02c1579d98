/**
 * A bounded key → value store shared in Redis (the response cache, the stored responses): each
 * value a JSON string with the store's TTL (PX), and a sorted set per store of the keys by
 * expiry time, so that past `maxEntries` the oldest go (Redis has no per-prefix size cap).
 * Values are checked with the caller's `parse` when read back (zod at the boundary). A copy stays
 * in this process's memory, served while Redis is unreachable; the cache also reads it first.
 */
import { MemoryStore } from './memory-store';
import type { KeyValueStore } from './types';
import type { RedisLink } from './redis-link';

/** Stores the value and indexes it; drops expired and then the oldest keys past the cap. */
const SET_LUA = `
local now = tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), KEYS[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #old, 2 do redis.call('DEL', old[i]) end
end
return 1`;

/** Values larger than this stay in this replica's memory only (a Redis value is sent whole on every read). */
const MAX_VALUE_BYTES = 1024 * 1024;

export interface RedisStoreOptions<T> {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
  parse: (raw: unknown) => T | undefined;
  /** Serve from the local copy before asking Redis (the cache: a stale hit is still a right answer). */
  localFirst: boolean;
  /** Write the local copy back after an outage (the stored responses: `previous_response_id` keeps working). */
  writeBack: boolean;
}

export class RedisKeyValue<T> implements KeyValueStore<T> {
  private readonly local: MemoryStore<T>;
  private keep: (value: T) => boolean = () => true;
  private ttlMs: number;
  private maxEntries: number;
  /** What was stored locally, for the write-back (bounded like the local copy). */
  private readonly written = new Map<string, true>();
  private readonly setEntry;

  constructor(private readonly link: RedisLink, private readonly name: string, private readonly opts: RedisStoreOptions<T>) {
    this.ttlMs = opts.ttlMs;
    this.maxEntries = opts.maxEntries;
    this.local = new MemoryStore<T>(opts.ttlMs, opts.maxEntries, opts.now);
    this.setEntry = link.script(SET_LUA, 2);
    if (opts.writeBack) link.onReconnect(() => this.writeBack());
  }

  private key(key: string): string {
    return `${this.link.ns}:${this.name}:${key}`;
  }

  private get index(): string {
    return `${this.link.ns}:${this.name}`;
  }

  get(key: string): T | undefined | Promise<T | undefined> {
    if (this.opts.localFirst || !this.link.isUp) {
      const hit = this.local.get(key);
      if (hit !== undefined || !this.link.isUp) return hit;
    }
    return this.link.run((r) => r.get(this.key(key))).then((text) => {
      if (text === undefined) return this.local.get(key); // Redis failed: the local copy
      if (text === null) return undefined;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        return undefined;
      }
      const value = this.opts.parse(raw);
      return value !== undefined && this.keep(value) ? value : undefined;
    });
  }

  set(key: string, value: T): void {
    this.local.set(key, value);
    if (this.opts.writeBack) {
      this.written.set(key, true);
      while (this.written.size > this.maxEntries) this.written.delete(this.written.keys().next().value!);
    }
    this.put(key, value);
  }

  private put(key: string, value: T): Promise<unknown> {
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > MAX_VALUE_BYTES) return Promise.resolve();
    const now = (this.opts.now ?? Date.now)();
    return this.link.run((r) => this.setEntry(r, this.key(key), this.index, text, this.ttlMs, now, this.maxEntries));
  }

  delete(key: string): boolean | Promise<boolean> {
    const here = this.local.delete(key);
    this.written.delete(key);
    if (!this.link.isUp) return here;
    return this.link.run((r) => r.multi().del(this.key(key)).zrem(this.index, this.key(key)).exec()).then((res) => here || Number(res?.[0]?.[1] ?? 0) > 0);
  }

  resize(ttlMs: number, maxEntries: number): void {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.local.resize(ttlMs, maxEntries);
  }

  retain(keep: (value: T) => boolean): void {
    this.keep = keep;
    this.local.retain(keep);
  }

  /** After an outage, or a Redis that restarted empty: what this replica stored and still holds. */
  private async writeBack(): Promise<void> {
    for (const key of this.written.keys()) {
      const value = this.local.get(key);
      if (value === undefined) this.written.delete(key);
      else await this.put(key, value);
    }
  }
}
