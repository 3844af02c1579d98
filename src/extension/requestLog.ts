/**
 * One line per request in the `AnyModel` output channel: model, deployment, tokens, cost,
 * latency, outcome. Usage records never hold a key; the prompt is there only when
 * `anymodel.logPrompts` is on, and only then is it written.
 */
import type { UsageRecord } from '../core';

export function formatUsageLine(r: UsageRecord): string {
  const parts = [
    `${r.modelGroup} → ${r.deployment}`,
    `${r.inputTokens} in / ${r.outputTokens} out tokens`,
    r.costUsd > 0 ? `$${r.costUsd.toFixed(r.costUsd < 0.01 ? 6 : 4)}` : '$0',
    `${Math.round(r.latencyMs)} ms${r.timeToFirstTokenMs !== undefined ? ` (first token ${Math.round(r.timeToFirstTokenMs)} ms)` : ''}`,
    r.outcome === 'error' ? `error ${r.errorKind ?? ''}`.trim() : r.outcome,
  ];
  if (r.attempts > 1) parts.push(`${r.attempts} attempts`);
  if (r.fallback) parts.push('fallback');
  if (r.cacheHit) parts.push('cache hit');
  let line = `request ${parts.join(' · ')}`;
  if (r.prompt !== undefined) line += `\n  prompt: ${JSON.stringify(r.prompt.length > 2000 ? `${r.prompt.slice(0, 2000)}…` : r.prompt)}`;
  return line;
}
