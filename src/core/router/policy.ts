/**
 * What the router does with an error: a view of the error table (src/core/types/error-table.ts),
 * with the provider's `x-should-retry` header above it when it sent one.
 */
import { ERROR_TABLE } from '../types/error-table';
import type { AnyModelError } from '../types/errors';

export type ErrorPolicy = Pick<(typeof ERROR_TABLE)[keyof typeof ERROR_TABLE], 'retry' | 'cooldown' | 'fallback'>;

/**
 * Where the router may try again: `same` (any deployment of the group, this one included),
 * `elsewhere` (another deployment only), `no`. `x-should-retry: false` stops retries in the group
 * (the fallback list still applies: it is another model); `true` allows them for any kind.
 */
export function retryScope(err: AnyModelError): 'same' | 'elsewhere' | 'no' {
  if (err.shouldRetry !== undefined) return err.shouldRetry ? 'same' : 'no';
  return err.retryable ? 'same' : ERROR_TABLE[err.kind].retry === 'elsewhere' ? 'elsewhere' : 'no';
}

export function policyOf(err: AnyModelError): ErrorPolicy {
  const { cooldown, fallback } = ERROR_TABLE[err.kind];
  return { retry: retryScope(err), cooldown, fallback };
}

/** Fails with the cycle when fallbacks lead back to a group they start from. */
export function findFallbackCycle(maps: Record<string, string[]>[]): string[] | undefined {
  for (const map of maps) {
    for (const start of Object.keys(map)) {
      const path: string[] = [];
      const visit = (g: string): string[] | undefined => {
        if (path.includes(g)) return [...path.slice(path.indexOf(g)), g];
        path.push(g);
        for (const next of map[g] ?? []) {
          const cycle = visit(next);
          if (cycle) return cycle;
        }
        path.pop();
        return undefined;
      };
      const cycle = visit(start);
      if (cycle) return cycle;
    }
  }
  return undefined;
}
