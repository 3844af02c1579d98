/**
 * The proxy's Prometheus metrics (prom-client), fed by a usage observer: every request's usage
 * record and every router attempt become counter and histogram updates. Names follow Prometheus'
 * conventions (https://prometheus.io/docs/practices/naming/): an `anymodel_` prefix, base units
 * (seconds, USD), `_total` on counters.
 *
 * Loaded only when /metrics is first asked for, or turned on at start (endpoint.ts): a separate
 * bundle (dist/metrics.js). The label children of each model group and deployment are looked up
 * once and kept, so a request costs one Map lookup and a few additions, not a label hash per metric.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { AttemptRecord, RequestEnd, RequestStart, RequestTrace, UsageObserver } from '../../core';

/** The metric names, for dashboards, alerts and the tests. */
export const METRIC = {
  requests: 'anymodel_requests_total',
  errors: 'anymodel_request_errors_total',
  tokens: 'anymodel_tokens_total',
  spend: 'anymodel_spend_usd_total',
  duration: 'anymodel_request_duration_seconds',
  ttft: 'anymodel_time_to_first_token_seconds',
  fallbacks: 'anymodel_fallbacks_total',
  attemptFailures: 'anymodel_attempt_failures_total',
  cooldowns: 'anymodel_deployment_cooldowns_total',
  cacheHits: 'anymodel_cache_hits_total',
} as const;

/** Seconds: from a cached answer (milliseconds) to a long reasoning answer (minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

const GD = ['model_group', 'deployment'] as const;

export interface PromMetrics {
  observer: UsageObserver;
  contentType: string;
  render(): Promise<string>;
}

/** The children of one (model group, deployment) pair. */
interface Series {
  success: Counter.Internal;
  error: Counter.Internal;
  aborted: Counter.Internal;
  inputTokens: Counter.Internal;
  outputTokens: Counter.Internal;
  spend: Counter.Internal;
  duration: Histogram.Internal<string>;
  ttft: Histogram.Internal<string>;
}

export function createPromMetrics(): PromMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: METRIC.requests, help: 'Requests by the model group and deployment that answered (or failed last), and outcome (success, error, aborted).', labelNames: [...GD, 'outcome'], registers });
  const errors = new Counter({ name: METRIC.errors, help: 'Failed requests by error kind (AnyModel\'s kinds: RateLimit, Timeout, ServiceUnavailable, ...).', labelNames: [...GD, 'error_kind'], registers });
  const tokens = new Counter({ name: METRIC.tokens, help: 'Tokens of answered requests: type="input" (prompt, cached included) or "output".', labelNames: [...GD, 'type'], registers });
  const spend = new Counter({ name: METRIC.spend, help: 'Spend in US dollars, from the price catalog or the config\'s prices.', labelNames: [...GD], registers });
  const duration = new Histogram({ name: METRIC.duration, help: 'Time from the request to the whole answer (streams: to the last chunk), answered requests only, in seconds.', labelNames: [...GD], buckets: LATENCY_BUCKETS, registers });
  const ttft = new Histogram({ name: METRIC.ttft, help: 'Time to the first token of a streamed answer, in seconds.', labelNames: [...GD], buckets: TTFT_BUCKETS, registers });
  const fallbacks = new Counter({ name: METRIC.fallbacks, help: 'Requests answered by a fallback: the model asked for and the model group that answered.', labelNames: ['requested_model', 'model_group'], registers });
  const attemptFailures = new Counter({ name: METRIC.attemptFailures, help: 'Failed attempts (each retry or fallback follows one), by deployment and error kind.', labelNames: [...GD, 'error_kind'], registers });
  const cooldowns = new Counter({ name: METRIC.cooldowns, help: 'Times the router put a deployment in cooldown.', labelNames: [...GD], registers });
  const cacheHits = new Counter({ name: METRIC.cacheHits, help: 'Requests answered from the response cache.', labelNames: ['model_group'], registers });

  const series = new Map<string, Series>();
  const seriesOf = (group: string, deployment: string): Series => {
    const key = `${group}\u0000${deployment}`;
    let s = series.get(key);
    if (!s) {
      s = {
        success: requests.labels(group, deployment, 'success'),
        error: requests.labels(group, deployment, 'error'),
        aborted: requests.labels(group, deployment, 'aborted'),
        inputTokens: tokens.labels(group, deployment, 'input'),
        outputTokens: tokens.labels(group, deployment, 'output'),
        spend: spend.labels(group, deployment),
        duration: duration.labels(group, deployment),
        ttft: ttft.labels(group, deployment),
      };
      series.set(key, s);
    }
    return s;
  };

  class MetricsTrace implements RequestTrace {
    constructor(private readonly requested: string) {}

    attempt(a: AttemptRecord): void {
      if (a.error === undefined) return;
      const kind = (a.error as { kind?: unknown } | null)?.kind;
      attemptFailures.inc({ model_group: a.modelGroup, deployment: a.deployment.id, error_kind: typeof kind === 'string' ? kind : 'InternalServer' });
      if (a.cooledDown) cooldowns.inc({ model_group: a.modelGroup, deployment: a.deployment.id });
    }

    end({ record: r }: RequestEnd): void {
      const s = seriesOf(r.modelGroup, r.deployment);
      if (r.outcome === 'success') {
        s.success.inc();
        if (r.cacheHit) {
          cacheHits.inc({ model_group: r.modelGroup });
          return;
        }
        if (r.inputTokens) s.inputTokens.inc(r.inputTokens);
        if (r.outputTokens) s.outputTokens.inc(r.outputTokens);
        if (r.costUsd) s.spend.inc(r.costUsd);
        s.duration.observe(r.latencyMs / 1000);
        if (r.timeToFirstTokenMs !== undefined) s.ttft.observe(r.timeToFirstTokenMs / 1000);
        if (r.fallback) fallbacks.inc({ requested_model: this.requested, model_group: r.modelGroup });
      } else if (r.outcome === 'aborted') {
        s.aborted.inc();
      } else {
        s.error.inc();
        errors.inc({ model_group: r.modelGroup, deployment: r.deployment, error_kind: r.errorKind ?? 'InternalServer' });
      }
    }
  }

  return {
    observer: { start: (s: RequestStart) => new MetricsTrace(s.requestedModel) },
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
