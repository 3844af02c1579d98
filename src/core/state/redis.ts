/**
 * The Redis backend of the shared state (docs/architecture.md#shared-state). Its own bundle,
 * dist/redis-state.js (esbuild.js), loaded by `openSharedState` only when a Redis is configured,
 * so neither the extension's activation nor a proxy without Redis loads the client.
 */
import type { RedisSettings } from '../config/load';
import type { DeploymentStates } from '../router/deployment-state';
import type { SpendLedger } from '../usage/records';
import { RedisDeploymentStates } from './redis-deployments';
import { RedisLink } from './redis-link';
import { RedisSpendLedger } from './redis-spend';
import { RedisKeyValue } from './redis-store';
import type { OpenStateOptions } from './open';
import type { KeyValueStore, SharedState, StateHealth } from './types';

export class RedisState implements SharedState {
  readonly backend = 'redis' as const;

  constructor(private readonly link: RedisLink) {}

  deploymentStates(now: () => number): DeploymentStates {
    return new RedisDeploymentStates(this.link, now);
  }

  spendLedger(): SpendLedger {
    return new RedisSpendLedger(this.link);
  }

  keyValue<T>(name: string, ttlMs: number, maxEntries: number, now: (() => number) | undefined, parse: (raw: unknown) => T | undefined): KeyValueStore<T> {
    // The cache may answer from this replica's copy first; stored responses are read from Redis
    // first (a response deleted on one replica is gone on all) and written back after an outage.
    const cache = name === 'cache';
    return new RedisKeyValue<T>(this.link, name, { ttlMs, maxEntries, now, parse, localFirst: cache, writeBack: !cache });
  }

  health(): StateHealth {
    return this.link.health();
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

/** Connects (waiting up to `connectWaitMs` for the first answer, never failing) and returns the state. */
export async function openRedisState(settings: RedisSettings, opts: OpenStateOptions = {}): Promise<SharedState> {
  const link = new RedisLink(settings, { ...(opts.log ? { log: opts.log } : {}), ...(opts.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.commandTimeoutMs } : {}) });
  await link.settled(opts.connectWaitMs ?? 2000);
  return new RedisState(link);
}
