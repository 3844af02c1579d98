/**
 * The editor's daily budgets, decided before a request is sent: `anymodel.budget.dailyUsd` over
 * all models and `anymodel.budget.perModelDailyUsd` per model group (a number, or LiteLLM's
 * `model_max_budget` entry `{ budget_limit, time_period: "1d" }`). At 80 % of a limit the user is
 * warned once per UTC day and limit; at 100 % the request is refused unless the user allows that
 * one request. Spent amounts come from the usage store, so they hold across reloads. Pure: the
 * host (guard.ts) shows the messages.
 */
import { z } from 'zod';
import { usd } from './money';

export const WARN_AT = 0.8;

export interface BudgetLimits {
  dailyUsd?: number;
  perModelDailyUsd: Record<string, number>;
}

const dollars = z.number().finite().nonnegative();
const liteLlmEntry = z.object({
  budget_limit: dollars,
  time_period: z.enum(['1d', '24h'], { message: 'only daily budgets are supported: use "1d"' }).optional(),
});

/** The settings as limits; a bad value is left out and named in `problems`, the rest still applies. */
export function parseBudgetSettings(dailyUsd: unknown, perModelDailyUsd: unknown): { limits: BudgetLimits; problems: string[] } {
  const problems: string[] = [];
  const limits: BudgetLimits = { perModelDailyUsd: {} };
  if (dailyUsd !== undefined && dailyUsd !== null) {
    const d = dollars.safeParse(dailyUsd);
    if (d.success) limits.dailyUsd = d.data;
    else problems.push(`anymodel.budget.dailyUsd must be a number of US dollars of 0 or more (got ${JSON.stringify(dailyUsd)}); no daily budget applies until it is fixed.`);
  }
  if (perModelDailyUsd !== undefined && perModelDailyUsd !== null) {
    if (typeof perModelDailyUsd !== 'object' || Array.isArray(perModelDailyUsd)) {
      problems.push('anymodel.budget.perModelDailyUsd must be an object of model name → US dollars per day, e.g. { "gpt-4o": 5 }.');
    } else {
      for (const [model, value] of Object.entries(perModelDailyUsd)) {
        // Parsed by the shape it has, so the message names what is wrong in that shape.
        const e = (typeof value === 'object' && value !== null ? liteLlmEntry : dollars).safeParse(value);
        if (!e.success) {
          problems.push(`anymodel.budget.perModelDailyUsd["${model}"] must be US dollars per day (a number of 0 or more, or { "budget_limit": 5, "time_period": "1d" }): ${e.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}.`);
          continue;
        }
        limits.perModelDailyUsd[model] = typeof e.data === 'number' ? e.data : e.data.budget_limit;
      }
    }
  }
  return { limits, problems };
}

export interface BudgetStatus {
  /** `all` for the daily budget over all models, else the model group. */
  scope: string;
  limitUsd: number;
  spentUsd: number;
}

export type BudgetDecision =
  | { kind: 'ok' }
  | { kind: 'warn'; status: BudgetStatus }
  | { kind: 'refuse'; status: BudgetStatus };

/**
 * What to do with a request for `group` given today's spend. A refusal wins over a warning; of
 * two warnings the nearer limit is said. A request to a free (local) model is never held back.
 */
export function decideBudget(limits: BudgetLimits, spent: (group?: string) => number, group: string, free = false): BudgetDecision {
  if (free) return { kind: 'ok' };
  const statuses: BudgetStatus[] = [];
  if (limits.dailyUsd !== undefined) statuses.push({ scope: 'all', limitUsd: limits.dailyUsd, spentUsd: spent() });
  const own = limits.perModelDailyUsd[group];
  if (own !== undefined) statuses.push({ scope: group, limitUsd: own, spentUsd: spent(group) });
  const over = statuses.find((s) => s.spentUsd >= s.limitUsd);
  if (over) return { kind: 'refuse', status: over };
  const near = statuses.filter((s) => s.spentUsd >= WARN_AT * s.limitUsd).sort((a, b) => b.spentUsd / b.limitUsd - a.spentUsd / a.limitUsd)[0];
  return near ? { kind: 'warn', status: near } : { kind: 'ok' };
}

/** Which warnings were shown on which day (kept in the extension's global state), so each shows once a day. */
export class WarnedToday {
  constructor(private state: Record<string, string> = {}) {}

  /** True the first time a scope is asked about on `day`; later calls that day are false. */
  take(scope: string, day: string): boolean {
    if (this.state[scope] === day) return false;
    // Only today's entries are kept: the record cannot grow with every model ever budgeted.
    this.state = Object.fromEntries(Object.entries(this.state).filter(([, d]) => d === day));
    this.state[scope] = day;
    return true;
  }

  toJSON(): Record<string, string> {
    return { ...this.state };
  }
}

/** How a budget reads in a message: "today's $1.00 budget for all models" / "for gpt-4o". */
export function describeBudget(s: BudgetStatus): string {
  return `${s.scope === 'all' ? 'the daily budget for all models' : `the daily budget for ${s.scope}`} (${usd(s.spentUsd)} of ${usd(s.limitUsd)} spent today, UTC)`;
}
