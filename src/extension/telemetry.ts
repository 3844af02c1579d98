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
          }, (err: unknown) => `${(err as Error).message} No spans are sent until it is fixed.`),
        };
      }
    }
    const otel = await this.current?.otel;
    if (otel === undefined) return { observers: [] };
    return typeof otel === 'string' ? { observers: [], problem: otel } : { observers: [otel.observer] };
  }

  private stop(): void {
    const old = this.current;
    this.current = undefined;
    // The spans of the last requests still go out to the old endpoint.
    void old?.otel.then((o) => (typeof o === 'string' ? undefined : o.shutdown())).catch(() => undefined);
  }

  dispose(): void {
    this.stop();
  }
}
