/**
 * Opens the shared state a config asks for: Redis when one is configured (the module and its
 * client are loaded only then, from their own bundle, dist/redis-state.js: see esbuild.js), this
 * process's memory otherwise. Never fails and never waits long: an unreachable Redis means local
 * state until it answers (docs/architecture.md#shared-state).
 */
import type { CoreConfig } from '../config/load';
import { MemoryState } from './memory';
import type { SharedState } from './types';

export interface OpenStateOptions {
  /** One line when Redis becomes unreachable or reachable again (never a password). */
  log?: (line: string) => void;
  /** How long to wait for the first connection before serving from local state; 2000 ms. */
  connectWaitMs?: number;
  /** Bound of each Redis call; 500 ms. */
  commandTimeoutMs?: number;
}

export async function openSharedState(config: CoreConfig, opts: OpenStateOptions = {}): Promise<SharedState> {
  const redis = config.settings.redis;
  if (!redis) return new MemoryState();
  const { openRedisState } = await import('./redis');
  return openRedisState(redis, opts);
}
