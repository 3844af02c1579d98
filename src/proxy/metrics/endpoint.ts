/**
 * `GET /metrics`: the Prometheus text exposition of the proxy's metrics. The registry and
 * prom-client (prometheus-registry.ts, bundled apart as dist/metrics.js) are loaded on the first
 * scrape, or at start when the config's `litellm_settings.callbacks` has "prometheus"; until then
 * a request pays nothing for them. Counting starts when they are loaded, so a proxy that is
 * scraped from its start should turn them on at start.
 */
import type http from 'node:http';
import type { AnyModelClient } from '../../core';
import type { PromMetrics } from './prometheus-registry';

export interface MetricsOptions {
  /** Served without the master key (`--metrics-public`, or `require_auth_for_metrics_endpoint: false`). */
  public?: boolean;
}

export class MetricsEndpoint {
  readonly isPublic: boolean;
  private loaded: Promise<PromMetrics> | undefined;
  private detach: (() => void) | undefined;

  constructor(private readonly client: AnyModelClient, opts: MetricsOptions = {}) {
    this.isPublic = opts.public === true;
  }

  /** Creates the registry and starts counting (once). */
  enable(): Promise<PromMetrics> {
    this.loaded ??= Promise.resolve().then(() => {
      // Required on first use (the bundles keep it as dist/metrics.js, esbuild.js), as extension.ts loads services.js.
      const m = require('./prometheus-registry') as typeof import('./prometheus-registry');
      const metrics = m.createPromMetrics();
      this.detach = this.client.addObserver(metrics.observer);
      return metrics;
    });
    return this.loaded;
  }

  async serve(res: http.ServerResponse): Promise<void> {
    const metrics = await this.enable();
    const text = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(text);
  }

  /** Stops counting (the proxy closed; the client may live on, as the editor's does). */
  dispose(): void {
    this.detach?.();
    this.detach = undefined;
  }
}
