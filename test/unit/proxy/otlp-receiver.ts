/**
 * A local OTLP/HTTP receiver for tests: the collector's `POST /v1/traces` on 127.0.0.1, decoding
 * the exporter's JSON encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding)
 * into flat spans whose attributes are plain values.
 */
import { startMockServer, type MockServer } from '../helpers/mock-server';

export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

interface AnyValue { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } }
interface KeyValue { key: string; value: AnyValue }
interface OtlpSpan { name: string; traceId: string; spanId: string; parentSpanId?: string; kind: number; startTimeUnixNano: string; endTimeUnixNano: string; attributes?: KeyValue[]; status?: { code?: number; message?: string } }
interface ExportRequest { resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] }

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

const attrs = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));

export interface OtlpReceiver {
  url: string;
  server: MockServer;
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const server = await startMockServer(() => ({ kind: 'json', body: {} }));
  return {
    url: server.url,
    server,
    spans: () => server.requests.filter((r) => r.method === 'POST' && r.url === '/v1/traces').flatMap((r) => {
      const body = r.body as ExportRequest;
      return body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s): ReceivedSpan => ({
        name: s.name,
        traceId: s.traceId,
        spanId: s.spanId,
        ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
        kind: s.kind,
        startNs: BigInt(s.startTimeUnixNano),
        endNs: BigInt(s.endTimeUnixNano),
        attributes: attrs(s.attributes),
        status: s.status ?? {},
        resource: attrs(rs.resource?.attributes),
      }))));
    }),
    close: () => server.close(),
  };
}
