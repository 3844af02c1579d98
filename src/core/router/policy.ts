/**
 * What the router does with each error kind (the decision table of the router issue):
 * - retry: try again within the model group (another deployment when there is one);
 * - cooldown: `now` takes the deployment out at once, `count` counts toward allowed_fails;
 * - fallback: which fallback list applies once the group has given up.
 * Caller mistakes (bad request, unsupported parameters) are neither retried nor routed
 * elsewhere: another model would fail the same way and hide the mistake.
 */
import type { ErrorKind } from '../types/errors';

export interface ErrorPolicy {
  retry: boolean;
  cooldown: 'now' | 'count' | 'none';
  fallback: 'generic' | 'context_window' | 'content_policy' | 'none';
}

export const ERROR_POLICY: Readonly<Record<ErrorKind, ErrorPolicy>> = {
  RateLimit: { retry: true, cooldown: 'now', fallback: 'generic' },
  Authentication: { retry: true, cooldown: 'now', fallback: 'generic' },
  NotFound: { retry: true, cooldown: 'now', fallback: 'generic' },
  PermissionDenied: { retry: true, cooldown: 'count', fallback: 'generic' },
  Timeout: { retry: true, cooldown: 'count', fallback: 'generic' },
  Conflict: { retry: true, cooldown: 'count', fallback: 'generic' },
  APIConnection: { retry: true, cooldown: 'count', fallback: 'generic' },
  InternalServer: { retry: true, cooldown: 'count', fallback: 'generic' },
  BadGateway: { retry: true, cooldown: 'count', fallback: 'generic' },
  ServiceUnavailable: { retry: true, cooldown: 'count', fallback: 'generic' },
  ContextWindowExceeded: { retry: false, cooldown: 'none', fallback: 'context_window' },
  ContentPolicyViolation: { retry: false, cooldown: 'none', fallback: 'content_policy' },
  BadRequest: { retry: false, cooldown: 'none', fallback: 'none' },
  UnsupportedParams: { retry: false, cooldown: 'none', fallback: 'none' },
  BudgetExceeded: { retry: false, cooldown: 'none', fallback: 'none' },
  UnprocessableEntity: { retry: false, cooldown: 'none', fallback: 'none' },
  Aborted: { retry: false, cooldown: 'none', fallback: 'none' },
};

/** Authentication and NotFound are retried only on another deployment: the same one would fail again. */
export const RETRY_ELSEWHERE_ONLY: ReadonlySet<ErrorKind> = new Set(['Authentication', 'NotFound', 'PermissionDenied']);

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
