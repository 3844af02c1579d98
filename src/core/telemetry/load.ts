/**
 * Turns OpenTelemetry on: works out the OTLP traces URL and loads the SDK (otel-sdk.ts) on demand,
 * so nothing of it is loaded, parsed or run until someone asked for spans. The bundles keep it
 * as a separate file (esbuild.js: dist/otel.js).
 */
import { AnyModelError } from '../types/errors';
import type { OtelOptions, OtelTelemetry } from './otel-sdk';

export type { OtelTelemetry } from './otel-sdk';

export interface OtelSettings {
  /**
   * An OTLP/HTTP endpoint: a collector's base URL (`http://127.0.0.1:4318`), to which `/v1/traces`
   * is added as `OTEL_EXPORTER_OTLP_ENDPOINT` is read by the OpenTelemetry SDKs, or a full
   * `…/v1/traces` URL, kept as it is.
   */
  endpoint: string;
  /** Names the setting in errors (`--otlp-endpoint`, `anymodel.telemetry.otlpEndpoint`). */
  source: string;
  /** The endpoint is the traces URL itself (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): nothing is added. */
  asIs?: boolean;
  logContent?: boolean;
  /** `OTEL_EXPORTER_OTLP_HEADERS` form: `key=value,key2=value2`. */
  headers?: string;
  serviceName?: string;
  serviceVersion?: string;
  exportDelayMs?: number;
}

/** The traces URL for an endpoint, or a clear error naming the setting it came from. */
export function otlpTracesUrl(endpoint: string, source: string, asIs = false): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new AnyModelError({ kind: 'BadRequest', message: `${source}: "${endpoint}" is not a URL; give the collector's OTLP/HTTP address, such as http://127.0.0.1:4318` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AnyModelError({ kind: 'BadRequest', message: `${source}: "${endpoint}" must be an http:// or https:// URL (OTLP over HTTP; gRPC is not supported)` });
  }
  if (asIs || /\/v1\/traces\/?$/.test(url.pathname)) return url.toString();
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.toString();
}

/** `key=value,key2=value2` (values URL-encoded, as the OTLP exporter spec has it) → headers. */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> | undefined {
  if (!text?.trim()) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      // A malformed escape: that one header is left out rather than sent garbled.
    }
  }
  return Object.keys(out).length ? out : undefined;
}

export async function loadOtelTelemetry(s: OtelSettings): Promise<OtelTelemetry> {
  const options: OtelOptions = {
    url: otlpTracesUrl(s.endpoint, s.source, s.asIs),
    logContent: s.logContent === true,
    ...(parseOtlpHeaders(s.headers) ? { headers: parseOtlpHeaders(s.headers)! } : {}),
    ...(s.serviceName ? { serviceName: s.serviceName } : {}),
    ...(s.serviceVersion ? { serviceVersion: s.serviceVersion } : {}),
    ...(s.exportDelayMs !== undefined ? { exportDelayMs: s.exportDelayMs } : {}),
  };
  // A require at the moment of need, as extension.ts loads services.js: the bundles turn it into
  // require("./otel.js"), a file of its own (esbuild.js), and the tests load the source.
  const sdk = require('./otel-sdk') as typeof import('./otel-sdk');
  return sdk.createOtelTelemetry(options);
}
