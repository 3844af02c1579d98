/**
 * The window client's OpenTelemetry (src/extension/telemetry.ts): the problem an unusable
 * anymodel.telemetry.otlpEndpoint becomes, as ModelService.report puts it in its warning, and
 * flush() sending the spans of the current exporter and of one a setting change replaced. A local
 * OTLP/HTTP receiver on 127.0.0.1; the exporter's own batch delay (5 s) is never waited for.
 */
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { ClientTelemetry } from '../../../src/extension/telemetry';
import type { UsageObserver } from '../../../src/core';
import type { UsageRecord } from '../../../src/core/usage/records';
import { startOtlpReceiver, type OtlpReceiver } from '../proxy/otlp-receiver';

const lines: string[] = [];
const log = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) } as unknown as vscode.LogOutputChannel;

/** One finished chat request for `group`, as the client's usage tracker reports it. */
function traceRequest(observer: UsageObserver, group: string): void {
  const record: UsageRecord = {
    id: `r-${group}`, time: new Date().toISOString(), modelGroup: group, deployment: `${group}-0`, provider: 'openai', inputTokens: 11, cachedInputTokens: 0,
    outputTokens: 7, reasoningTokens: 0, costUsd: 0, latencyMs: 5, outcome: 'success', attempts: 1, fallback: false, cacheHit: false,
  };
  observer.start({ operation: 'chat', requestedModel: group, stream: true, startedAt: Date.now() - 5 })!.end({ record });
}

describe('ClientTelemetry (anymodel.telemetry.otlpEndpoint)', () => {
  let receiver: OtlpReceiver;
  let telemetry: ClientTelemetry;
  before(async () => { receiver = await startOtlpReceiver(); });
  beforeEach(() => { telemetry = new ClientTelemetry(log); });
  afterEach(() => telemetry.dispose());
  after(() => receiver.close());

  it('an ftp:// endpoint is a problem naming the setting, worded to sit inside the warning\'s sentence', async () => {
    const { observers, problem } = await telemetry.observers({ otlpEndpoint: 'ftp://x', otlpLogContent: false });
    assert.deepEqual(observers, []);
    assert.equal(problem, 'anymodel.telemetry.otlpEndpoint: "ftp://x" must be an http:// or https:// URL (OTLP over HTTP; gRPC is not supported). No spans are sent until it is fixed');
    // ModelService.report: `AnyModel: ${problem}. The other models keep working.`
    assert.doesNotMatch(`AnyModel: ${problem}. The other models keep working.`, /\.\./);
  });

  it('flush() sends the current batch at once, and the last spans of an endpoint a change turned off', async () => {
    const on = await telemetry.observers({ otlpEndpoint: receiver.url, otlpLogContent: false });
    assert.equal(on.problem, undefined);
    assert.equal(on.observers.length, 1);
    traceRequest(on.observers[0]!, 'first');
    await telemetry.flush();
    assert.deepEqual(receiver.spans().map((s) => s.name), ['chat first']);

    traceRequest(on.observers[0]!, 'second');
    const off = await telemetry.observers({ otlpEndpoint: '', otlpLogContent: false });
    assert.deepEqual(off.observers, []);
    await telemetry.flush();
    assert.deepEqual(receiver.spans().map((s) => s.name), ['chat first', 'chat second']);
    const exports = receiver.server.requests.length;
    await telemetry.flush();
    assert.equal(receiver.server.requests.length, exports, 'nothing more is sent once the setting is empty');
  });
});
