/**
 * Picking a deployment within a model group, as LiteLLM's `routing_strategy` does
 * (https://docs.litellm.ai/docs/routing): `order` first (lowest value wins while any is available),
 * then the strategy among what is left.
 */
import type { Deployment } from '../types/deployment';
import type { DeploymentStates } from './deployment-state';

export type RoutingStrategy = 'simple-shuffle' | 'least-busy' | 'latency-based-routing' | 'cost-based-routing' | 'usage-based-routing' | 'usage-based-routing-v2';

export interface PickContext {
  states: DeploymentStates;
  random: () => number;
  /** Price per token (input + output), for cost-based routing. */
  priceOf: (dep: Deployment) => number | undefined;
  latencyWindowMs: number;
  /** A deployment within (1 + buffer) × the lowest latency may be picked (spreads load). */
  latencyBuffer: number;
}

export function pickDeployment(candidates: readonly Deployment[], strategy: RoutingStrategy, ctx: PickContext): Deployment | undefined {
  // One candidate (most groups): every strategy picks it after drawing one random number; drawing
  // it here too keeps the random sequence, and so tests with a seeded one, the same. Checked
  // without the filtered copies below: this runs on every request.
  if (candidates.length === 1) {
    const only = candidates[0]!;
    if (ctx.states.isCooling(only) || (strategy.startsWith('usage-based') && ctx.states.atLimit(only))) return undefined;
    ctx.random();
    return only;
  }
  let pool = candidates.filter((d) => !ctx.states.isCooling(d));
  if (strategy.startsWith('usage-based')) pool = pool.filter((d) => !ctx.states.atLimit(d));
  if (!pool.length) return undefined;
  if (pool.length === 1) {
    ctx.random();
    return pool[0];
  }
  const minOrder = Math.min(...pool.map((d) => d.order ?? Number.MAX_SAFE_INTEGER));
  pool = pool.filter((d) => (d.order ?? Number.MAX_SAFE_INTEGER) === minOrder);
  switch (strategy) {
    case 'least-busy':
      return minBy(pool, (d) => ctx.states.inFlight(d), ctx.random);
    case 'latency-based-routing': {
      const unmeasured = pool.filter((d) => ctx.states.meanLatency(d, ctx.latencyWindowMs) === undefined);
      if (unmeasured.length) return weighted(unmeasured, ctx.random); // measure every deployment once
      const lowest = Math.min(...pool.map((d) => ctx.states.meanLatency(d, ctx.latencyWindowMs)!));
      return weighted(pool.filter((d) => ctx.states.meanLatency(d, ctx.latencyWindowMs)! <= lowest * (1 + ctx.latencyBuffer)), ctx.random);
    }
    case 'cost-based-routing':
      return minBy(pool, (d) => ctx.priceOf(d) ?? Number.MAX_VALUE, ctx.random);
    case 'usage-based-routing':
    case 'usage-based-routing-v2':
      return minBy(pool, (d) => ctx.states.tokensThisMinute(d), ctx.random);
    default:
      return weighted(pool, ctx.random);
  }
}

/** simple-shuffle: weighted by `weight`, else `rpm`, else `tpm`, else uniform. */
export function weighted(pool: Deployment[], random: () => number): Deployment {
  const key = (['weight', 'rpm', 'tpm'] as const).find((k) => pool.some((d) => d[k] !== undefined));
  const weights = pool.map((d) => (key ? d[key] ?? 0 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return pool[Math.floor(random() * pool.length)]!;
  let r = random() * total;
  for (let i = 0; i < pool.length; i++) {
    r -= weights[i]!;
    if (r < 0) return pool[i]!;
  }
  return pool.at(-1)!;
}

function minBy(pool: Deployment[], score: (d: Deployment) => number, random: () => number): Deployment {
  const best = Math.min(...pool.map(score));
  const ties = pool.filter((d) => score(d) === best);
  return ties[Math.floor(random() * ties.length)]!;
}
