/**
 * The proxy with its telemetry on, as one more contender of the proxy suite: `anymodel proxy`
 * exporting a span per request over OTLP/HTTP to a sink on 127.0.0.1 (in this process: it reads
 * and counts each export, then answers 200) and counting Prometheus metrics from its start
 * (`callbacks: ["otel", "prometheus"]`), beside the plain `anymodel` contender with both off.
 * The difference between the two rows is what telemetry adds; `anymodel` itself is what off costs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTarget } from '../lib/load';
import { CPU } from '../lib/machine';
import { startChild } from '../lib/processes';
import { fmt, type Table } from '../lib/report';
import type { Contender } from './proxy-targets';

export const TELEMETRY_NAME = 'anymodel + telemetry';

export interface TelemetryContender {
  contender: Contender;
  /** Spans the sink received, and export requests. */
  received(): { spans: number; exports: number };
  stop(): Promise<void>;
}

export async function startTelemetryContender(root: string, upstreamPort: number, pin: boolean): Promise<TelemetryContender> {
  let spans = 0;
  let exports = 0;
  const sink = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      } catch {
        // Not JSON: counted as an export, its spans not.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'anymodel-bench-otel-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'model_list:',
    '  - model_name: bench',
    '    litellm_params:',
    '      model: openai/bench-model',
    `      api_base: http://127.0.0.1:${upstreamPort}/v1`,
    '      api_key: bench-key',
    'litellm_settings:',
    '  num_retries: 0',
    '  callbacks: ["otel", "prometheus"]',
    '',
  ].join('\n'));
  const stopSink = () => new Promise<void>((resolve) => { sink.closeAllConnections(); sink.close(() => resolve()); });
  try {
    const child = await startChild({
      name: 'anymodel proxy telemetry',
      args: [join(root, 'dist/cli.js'), 'proxy', '--config', config, '--port', '0', '--host', '127.0.0.1', '--otlp-endpoint', sinkUrl],
      cpu: CPU.systemUnderTest,
      ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    }, pin);
    return {
      contender: { target: makeTarget(TELEMETRY_NAME, `http://127.0.0.1:${child.port}/v1/chat/completions`), child },
      received: () => ({ spans, exports }),
      stop: async () => {
        await child.stop();
        await stopSink();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopSink();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface OpenRow { addedP50: number; addedP99: number; cpuMsPerRequest?: number; rssMb?: number }
interface ClosedRow { rps: number }
interface StreamRow { addedFirstP95: number; addedEndP95: number }

/** Telemetry on minus off, from the suite's data (open loop at each rate, closed loop, streamed). */
export function telemetryTable(data: Record<string, unknown>, rates: number[], received: { spans: number; exports: number }): Table {
  const open = data.open as Record<string, OpenRow>;
  const closed = data.closed as Record<string, ClosedRow>;
  const streamed = data.streamed as Record<string, StreamRow>;
  const d = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
  const rows: (string | number)[][] = rates.map((rate) => {
    const off = open[`anymodel @ ${rate}`]!;
    const on = open[`${TELEMETRY_NAME} @ ${rate}`]!;
    return [`open loop ${rate} rps`, fmt(off.addedP50, 3), fmt(on.addedP50, 3), fmt(d(on.addedP50, off.addedP50), 3), fmt(off.addedP99, 3), fmt(on.addedP99, 3), fmt(d(on.addedP99, off.addedP99), 3), fmt(d(on.cpuMsPerRequest, off.cpuMsPerRequest), 3)];
  });
  const sOff = streamed.anymodel!;
  const sOn = streamed[TELEMETRY_NAME]!;
  rows.push(['streamed (first chunk p95 / end p95)', fmt(sOff.addedFirstP95, 3), fmt(sOn.addedFirstP95, 3), fmt(d(sOn.addedFirstP95, sOff.addedFirstP95), 3), fmt(sOff.addedEndP95, 3), fmt(sOn.addedEndP95, 3), fmt(d(sOn.addedEndP95, sOff.addedEndP95), 3), '–']);
  const ratio = closed[TELEMETRY_NAME]!.rps / closed.anymodel!.rps;
  return {
    title: 'Telemetry: anymodel with OpenTelemetry spans (OTLP/HTTP to a local sink) and Prometheus metrics on, against both off (ms added over direct)',
    headers: ['load', 'off p50', 'on p50', 'on − off p50', 'off p99', 'on p99', 'on − off p99', 'on − off CPU ms/req'],
    rows,
    notes: [
      `Closed loop: ${fmt(closed[TELEMETRY_NAME]!.rps, 0)} requests/s with telemetry vs ${fmt(closed.anymodel!.rps, 0)} without (${fmt(ratio)}×).`,
      `The sink received ${received.spans} spans in ${received.exports} export requests (the SDK's batch: every 5 s or 512 spans).`,
      'The off row is the plain anymodel contender: with telemetry off the proxy loads neither the OpenTelemetry SDK nor prom-client.',
    ],
  };
}
