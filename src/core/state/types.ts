/**
 * What must be shared between proxy replicas (docs/architecture.md#shared-state): the response
 * cache, the rpm/tpm counters and cooldowns of each deployment, the daily spend behind the
 * budgets, and the Responses API's stored responses. One interface, two backends: this process's
 * memory (the default) and Redis (./redis.ts, loaded only when one is configured). The router,
 * the cache and the ledger only see the pieces below.
 *
 * The in-memory backend answers synchronously; the Redis one answers with a promise where it has
 * to ask Redis. Callers test for a promise rather than always awaiting, so that the in-memory hot
 * path pays no extra turn of the event loop.
 */
import type { DeploymentStates } from '../router/deployment-state';
import type { SpendLedger } from '../usage/records';

export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as Promise<T> | undefined)?.then === 'function';
}

/** A bounded key → value store with a time to live: the response cache, the stored responses. */
export interface KeyValueStore<T> {
  get(key: string): MaybePromise<T | undefined>;
  /** Stored from now on; never fails the caller (a Redis write that fails is logged, not thrown). */
  set(key: string, value: T): void;
  delete(key: string): MaybePromise<boolean>;
  /** New limits for entries stored from now on; local entries over the new size cap go, oldest first. */
  resize(ttlMs: number, maxEntries: number): void;
  /** Keeps only the local entries `keep` accepts; shared entries are checked with `keep` when read. */
  retain(keep: (value: T) => boolean): void;
}

export interface StateHealth {
  /** Where the shared state lives. */
  backend: 'memory' | 'redis';
  /** Redis only: `connected`, or `unreachable` while it serves from this process's state. */
  redis?: 'connected' | 'connecting' | 'unreachable';
  /** Redis only, while unreachable: since when (ISO time). */
  since?: string;
}

export interface SharedState {
  readonly backend: 'memory' | 'redis';
  /** The router's view of its deployments (cooldowns, failures, rpm/tpm, latencies). */
  deploymentStates(now: () => number): DeploymentStates;
  /** The spend ledger the budgets are checked against. */
  spendLedger(now: () => number): SpendLedger;
  /**
   * A named bounded store (`cache`, `responses`). `parse` checks a value read back from Redis
   * (zod at the boundary); undefined makes it a miss.
   */
  keyValue<T>(name: string, ttlMs: number, maxEntries: number, now: (() => number) | undefined, parse: (raw: unknown) => T | undefined): KeyValueStore<T>;
  health(): StateHealth;
  /** Closes the connection, if any; state in memory is simply dropped. */
  close(): Promise<void>;
}
