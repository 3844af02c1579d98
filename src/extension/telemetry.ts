/**
 * OpenTelemetry for the window's client (anymodel.telemetry.otlpEndpoint): the exporter is loaded
 * when the setting is first non-empty, kept while it and anymodel.telemetry.logContent stay the
 * same, and flushed and shut down when they change or the window closes. The client is one for the
 * window, so the editor's proxy is traced too. An unusable endpoint is a problem to report; the
 * requests go on without spans.
 */
import type * as vscode from 'vscode';
import { loadOtelTelemetry, type OtelTelemetry, type UsageObserver } from '../core';
import type { Settings } from './settings';

export const OTLP_SETTING = 'anymodel.telemetry.otlpEndpoint';

export class ClientTelemetry implements vscode.Disposable {
  private current: { key: string; otel: Promise<OtelTelemetry | string> } | undefined;
  /** Exporters of earlier settings still sending their last spans. */
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The observers for the client's options, and a problem to report when the endpoint is unusable. */
  async observers(settings: Pick<Settings, 'otlpEndpoint' | 'otlpLogContent'>): Promise<{ observers: UsageObserver[]; problem?: string }> {
    const endpoint = settings.otlpEndpoint;
    const key = endpoint ? JSON.stringify([endpoint, settings.otlpLogContent]) : '';
    if ((this.current?.key ?? '') !== key) {
      this.stop();
      if (key) {
        this.current = {
          key,
          otel: loadOtelTelemetry({ endpoint, source: OTLP_SETTING, logContent: settings.otlpLogContent, serviceName: 'anymodel-vscode' }).then((otel) => {
            this.log.info(`OpenTelemetry: a span per request goes to ${otel.url}${otel.logContent ? ', with the messages and answers' : ''}.`);
            return otel;
          }, // A problem is shown inside a sentence (ModelService.report): no full stop of its own.
          (err: unknown) => `${(err as Error).message.replace(/\.+$/, '')}. No spans are sent until it is fixed`),
        };
      }
    }
    const otel = await this.current?.otel;
    if (otel === undefined) return { observers: [] };
    return typeof otel === 'string' ? { observers: [], problem: otel } : { observers: [otel.observer] };
  }

  /**
   * Sends the finished spans now: the current exporter's batch, and what exporters of earlier
   * settings still had (their shutdown). Resolves once they were handed to the collector or failed.
   */
  async flush(): Promise<void> {
    const otel = await this.current?.otel;
    await Promise.all([...this.closing, typeof otel === 'object' ? otel.flush().catch(() => undefined) : undefined]);
  }

  private stop(): void {
    const old = this.current;
    this.current = undefined;
    if (!old) return;
    // The spans of the last requests still go out to the old endpoint.
    const closed = old.otel.then((o) => (typeof o === 'string' ? undefined : o.shutdown())).catch(() => undefined);
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
  }

  dispose(): void {
    this.stop();
  }
}
