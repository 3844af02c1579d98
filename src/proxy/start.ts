/** Starts the proxy server over a config; used by the CLI, the extension and the tests. */
import type { AddressInfo } from 'node:net';
import { AnyModelClient, openSharedState, type ClientOptions } from '../core';
import type { CoreConfig } from '../core';
import { loadOtelTelemetry, type OtelSettings, type OtelTelemetry } from '../core';
import { createProxyServer } from './server';
import { isLoopbackAddress } from './net';
import { MetricsEndpoint } from './metrics/endpoint';

export interface StartOptions {
  config: CoreConfig;
  host?: string;
  port?: number;
  masterKey?: string;
  log?: (line: string) => void;
  clientOptions?: ClientOptions;
  /** Lines about the shared state (Redis unreachable, reachable again); `log` when unset. */
  stateLog?: (line: string) => void;
  /** How long close() lets open requests finish before it cuts them; 5000 ms unless given here or to close(). */
  graceMs?: number;
  /** OpenTelemetry spans to an OTLP/HTTP collector (docs/architecture.md#telemetry); none when absent. */
  otlp?: OtelSettings;
  /** `/metrics`: served without the master key; counting from the start (not the first scrape). */
  metrics?: { public?: boolean; enabled?: boolean };
}

/** What a close() had to cut when the grace period ran out. */
export interface ShutdownReport {
  /** Streams that got the shutdown error event as their last event. */
  streams: number;
  /** Requests not answered yet, which got a 503. */
  requests: number;
}

export interface RunningProxy {
  url: string;
  port: number;
  client: AnyModelClient;
  /** The span exporter when OpenTelemetry is on (flushed and shut down by close()). */
  otel?: OtelTelemetry;
  /**
   * Stops accepting, lets open requests finish for up to `graceMs`, then cuts what is left: each
   * stream ends with an error event of type `server_shutdown`, each unanswered request gets a 503.
   * Logs (and returns) how many were cut.
   */
  close(graceMs?: number): Promise<ShutdownReport>;
}

export class ProxyStartError extends Error {}

const DEFAULT_GRACE_MS = 5000;
/** After a cut, how long the last events get to reach their clients before the connections close. */
const FLUSH_MS = 1000;

export async function startProxy(opts: StartOptions): Promise<RunningProxy> {
  const host = opts.host ?? '127.0.0.1';
  const masterKey = opts.masterKey || undefined;
  if (!masterKey && !isLoopbackAddress(host)) {
    throw new ProxyStartError(`Refusing to listen on ${host} without a master key: set general_settings.master_key or ANYMODEL_MASTER_KEY, or listen on 127.0.0.1`);
  }
  // Redis when the config names one (shared with the other replicas), else this process's memory.
  const state = opts.clientOptions?.state ?? await openSharedState(opts.config, { log: (line) => (opts.stateLog ?? opts.log)?.(line) });
  // Loaded (a dynamic import) only when asked for: without it the proxy never loads the SDK.
  const otel = opts.otlp ? await loadOtelTelemetry(opts.otlp) : undefined;
  const clientOptions = otel ? { ...opts.clientOptions, observers: [...(opts.clientOptions?.observers ?? []), otel.observer] } : opts.clientOptions;
  const client = new AnyModelClient(opts.config, { ...clientOptions, state });
  const t = opts.config.settings.telemetry;
  const metrics = new MetricsEndpoint(client, { public: opts.metrics?.public ?? !t.metricsRequireAuth });
  if (opts.metrics?.enabled || t.prometheus) await metrics.enable();
  const server = createProxyServer({ client, masterKey, maxBodyBytes: opts.config.settings.maxRequestBytes, log: opts.log, metrics });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new ProxyStartError(err.code === 'EADDRINUSE' ? `Port ${opts.port} on ${host} is already in use` : `Cannot listen on ${host}:${opts.port}: ${err.message}`)));
      server.listen(opts.port ?? 4000, host, resolve);
    });
  } catch (err) {
    await otel?.shutdown();
    if (state !== opts.clientOptions?.state) await state.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const running: RunningProxy = {
    url: `http://${shownHost}:${port}`,
    port,
    client,
    close: async (graceMs = opts.graceMs ?? DEFAULT_GRACE_MS) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve())).then(() => { if (state !== opts.clientOptions?.state) return state.close(); });
      server.beginShutdown();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => { timer = setTimeout(resolve, graceMs, false); })]);
      clearTimeout(timer);
      if (drained) return { streams: 0, requests: 0 };
      const seconds = `${+(graceMs / 1000).toFixed(1)} s`;
      const cut = server.cutOpen(`The AnyModel proxy is shutting down: this answer was cut after the ${seconds} grace period`);
      opts.log?.(`shutdown: cut ${cut.streams} stream(s) and ${cut.requests} request(s) still open after the ${seconds} grace period`);
      // The error events are on their way; a client that stopped reading would hold the
      // connection open for ever, so whatever is left after a moment is closed.
      const force = setTimeout(() => server.closeAllConnections(), FLUSH_MS);
      force.unref();
      await closed;
      clearTimeout(force);
      return cut;
    },
  };
  if (!otel) return running;
  const closeServer = running.close;
  return {
    ...running,
    otel,
    close: async (graceMs) => {
      const report = await closeServer(graceMs);
      // The spans of the last requests go out before the process may exit.
      await otel.shutdown().catch(() => undefined);
      return report;
    },
  };
}
