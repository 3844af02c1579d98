/**
 * What a comparison is expected to cost, before it is sent: the prompt's estimated tokens (the
 * estimate the router's context check uses) and an assumed answer length, at each model's price.
 * The dearest deployment of a group counts, since the router may pick any of them.
 */
import { getPreset } from '../providers/registry';
import type { ChatRequest } from '../types/request';
import { estimatePromptTokens } from '../usage/estimate';
import { unitPrices } from '../usage/prices';
import type { CompareClient } from './run';

/** Output tokens assumed per answer when the request sets no max_tokens: a long chat answer. */
export const DEFAULT_OUTPUT_ESTIMATE = 1000;

export interface ModelEstimate {
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** US dollars; null when no deployment of the model has a known price. */
  usd: number | null;
}

export function estimateComparison(client: Pick<CompareClient, 'deploymentsFor'>, models: readonly string[], request: Pick<ChatRequest, 'messages' | 'max_tokens' | 'max_completion_tokens'>, outputTokens?: number): ModelEstimate[] {
  const inputTokens = estimatePromptTokens(request.messages);
  const output = outputTokens ?? request.max_tokens ?? request.max_completion_tokens ?? DEFAULT_OUTPUT_ESTIMATE;
  return models.map((model) => {
    let usd: number | null = null;
    for (const dep of client.deploymentsFor(model)) {
      const p = unitPrices(dep, getPreset(dep.provider).local);
      if (!p) continue;
      const cost = (inputTokens * p.inputPerMTok + output * p.outputPerMTok) / 1e6;
      usd = usd === null ? cost : Math.max(usd, cost);
    }
    return { model, inputTokens, outputTokens: output, usd };
  });
}

/** Throws BudgetExceeded, naming the budget, when the comparison would take a daily budget past its limit. */
export function checkComparisonBudget(client: CompareClient, models: readonly string[], request: Pick<ChatRequest, 'messages' | 'max_tokens' | 'max_completion_tokens'>, outputTokens?: number): ModelEstimate[] {
  const estimates = estimateComparison(client, models, request, outputTokens);
  client.checkProjectedSpend(estimates.map((e) => ({ group: e.model, usd: e.usd ?? 0 })));
  return estimates;
}
