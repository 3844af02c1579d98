/**
 * The default backend: everything in this process's memory, answering synchronously (the classes
 * the router, cache and ledger always had). One proxy, or the editor, needs nothing else.
 */
import { MemoryStore } from './memory-store';
import { DeploymentStates } from '../router/deployment-state';
import { SpendLedger } from '../usage/records';
import type { KeyValueStore, SharedState, StateHealth } from './types';

export class MemoryState implements SharedState {
  readonly backend = 'memory' as const;

  deploymentStates(now: () => number): DeploymentStates {
    return new DeploymentStates(now);
  }

  spendLedger(): SpendLedger {
    return new SpendLedger();
  }

  keyValue<T>(_name: string, ttlMs: number, maxEntries: number, now?: () => number): KeyValueStore<T> {
    return new MemoryStore<T>(ttlMs, maxEntries, now);
  }

  health(): StateHealth {
    return { backend: 'memory' };
  }

  async close(): Promise<void> {}
}
