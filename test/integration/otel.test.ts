/**
 * anymodel.telemetry.otlpEndpoint inside the real extension host: set through VS Code's
 * configuration API, the window's one client sends a `chat {model}` span per chat request (GenAI
 * semantic conventions) to an OTLP/HTTP receiver on 127.0.0.1, without the messages unless
 * anymodel.telemetry.logContent is on; emptied, it sends nothing; an ftp:// value is a warning
 * naming the setting. A mock OpenAI server answers. Spans are waited for after the product's
 * flush, never after the exporter's 5 s batch delay.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { startOpenAIMock } from '../unit/mocks/openai';
import { USAGE } from '../unit/mocks/script';
import type { MockServer } from '../unit/helpers/mock-server';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../unit/proxy/otlp-receiver';
import type { HostMessage } from '../../src/shared/protocol';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, resetUserSetting, useCloudModel, waitFor } from './helpers';

const KEY = 'test-key';

describe('OpenTelemetry spans from the window\'s client (extension host)', function () {
  this.timeout(90_000);
  let cloud: MockServer;
  let receiver: OtlpReceiver;
  let services: Services;
  let restore: () => Promise<void>;
  let seen: HostMessage[] = [];
  let listener: vscode.Disposable;
  let logFile: string;
  const config = () => vscode.workspace.getConfiguration('anymodel');
  const G = vscode.ConfigurationTarget.Global;
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  /** The usage line the client logs when a request to the mock ended (services.ts: formatUsageLine). */
  const usageLines = () => log().split('\n').filter((l) => l.includes(`request cloud → openai/gpt-4o-mini@127.0.0.1:${new URL(cloud.url).port}`)).length;

  before(async () => {
    cloud = await startOpenAIMock({ apiKey: KEY });
    receiver = await startOtlpReceiver();
    services = await anyModelExtension().exports.services();
    logFile = path.join(services.testing.logUri.fsPath, 'AnyModel.log');
    await services.testing.storeKey('OPENAI_API_KEY', KEY);
    restore = await useCloudModel(cloud.url);
    listener = services.testing.onHostMessage((m) => seen.push(m));
    await services.testing.refreshModels();
    await services.testing.post({ type: 'ready', requestId: 'r-otel-ready', protocolVersion: 1 });
  });

  after(async () => {
    listener.dispose();
    await resetUserSetting('telemetry.otlpEndpoint');
    await resetUserSetting('telemetry.logContent');
    await services.testing.post({ type: 'newChat' });
    await restore();
    await services.testing.refreshModels();
    await cloud.close();
    await receiver.close();
  });

  /** Sets the telemetry settings and waits for the catalog built with them. */
  const configure = async (endpoint: string | undefined, logContent: boolean | undefined) => {
    await config().update('telemetry.otlpEndpoint', endpoint, G);
    await config().update('telemetry.logContent', logContent, G);
    await services.testing.refreshModels();
  };

  /** One question from the chat panel in a new chat; resolves once its usage line is logged. */
  const ask = async (text: string): Promise<string> => {
    await services.testing.post({ type: 'newChat' });
    const lines = usageLines();
    seen = [];
    const id = `otel-${Date.now()}`;
    await services.testing.post({ type: 'send', requestId: `r-${id}`, messageId: `local-${id}`, conversationId: null, text, model: 'cloud' });
    const end = await waitFor(() => seen.find((m) => m.type === 'streamEnd' || m.type === 'streamError'), 'the answer to end', 30_000);
    assert.equal(end.type, 'streamEnd', JSON.stringify(end));
    await waitFor(() => usageLines() > lines, 'the request\'s usage line in the log', 20_000);
    return seen.flatMap((m) => (m.type === 'streamDelta' ? [m.text] : [])).join('');
  };

  /** The root span of the request that asked `text`, once the product's flush sent it. */
  const rootSpanAfterFlush = async (before: number): Promise<{ root: ReceivedSpan; children: ReceivedSpan[] }> => {
    await services.testing.flushTelemetry();
    const root = await waitFor(() => receiver.spans().slice(before).find((s) => !s.parentSpanId), 'the request\'s span at the receiver', 20_000);
    return { root, children: receiver.spans().filter((s) => s.parentSpanId === root.spanId) };
  };

  it('sends a `chat cloud` span with the GenAI attributes and no message content', async () => {
    await configure(receiver.url, undefined);
    await waitFor(() => log().includes(`OpenTelemetry: a span per request goes to ${receiver.url}/v1/traces.`), 'the exporter to be loaded', 20_000);
    const before = receiver.spans().length;
    const answer = await ask('a private question for the span');
    assert.match(answer, /a private question for the span/);

    const { root, children } = await rootSpanAfterFlush(before);
    assert.equal(root.name, 'chat cloud');
    assert.equal(root.kind, 3, 'a client span');
    const a = root.attributes;
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.request.model'], 'cloud');
    assert.equal(a['gen_ai.provider.name'], 'openai');
    assert.equal(a['gen_ai.response.model'], 'gpt-4o-mini');
    assert.equal(a['gen_ai.usage.input_tokens'], USAGE.input);
    assert.equal(a['gen_ai.usage.output_tokens'], USAGE.output);
    assert.equal(a['server.address'], '127.0.0.1');
    assert.equal(a['server.port'], Number(new URL(cloud.url).port));
    assert.equal(a['anymodel.outcome'], 'success');
    assert.equal(root.resource['service.name'], 'anymodel-vscode');
    assert.deepEqual(children.map((c) => [c.name, c.attributes['anymodel.attempt']]), [['chat gpt-4o-mini', 1]]);
    for (const name of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) assert.equal(a[name], undefined, `${name} is not sent`);
    const sent = JSON.stringify(receiver.server.requests.map((r) => r.body));
    assert.ok(!sent.includes('a private question'), 'the prompt is in no export');
    assert.ok(!sent.includes(KEY), 'the key is in no export');
  });

  it('with anymodel.telemetry.logContent on, the question and the answer are on the span', async () => {
    await configure(receiver.url, true);
    await waitFor(() => log().includes(`OpenTelemetry: a span per request goes to ${receiver.url}/v1/traces, with the messages and answers.`), 'the exporter with content', 20_000);
    const before = receiver.spans().length;
    const answer = await ask('a question worth recording');

    const { root } = await rootSpanAfterFlush(before);
    assert.equal(root.name, 'chat cloud');
    const input = JSON.parse(String(root.attributes['gen_ai.input.messages'])) as { role: string; parts: { type: string; content?: string }[] }[];
    assert.deepEqual(input.at(-1), { role: 'user', parts: [{ type: 'text', content: 'a question worth recording' }] });
    const output = JSON.parse(String(root.attributes['gen_ai.output.messages'])) as { role: string; parts: { content?: string }[] }[];
    assert.equal(output[0]?.role, 'assistant');
    assert.equal(output[0]?.parts[0]?.content, answer, 'the answer the panel showed');
  });

  it('emptied, the setting sends nothing for a further request', async () => {
    await configure(undefined, undefined);
    // The replaced exporter's last spans go out with this flush; after it nothing may arrive.
    await services.testing.flushTelemetry();
    const exports = receiver.server.requests.length;
    await ask('a question after telemetry was turned off');
    await services.testing.flushTelemetry();
    assert.equal(receiver.server.requests.length, exports, 'no export after the setting was emptied');
  });

  it('an ftp:// endpoint is a warning naming the setting, and the chat goes on without spans', async () => {
    await configure('ftp://x', undefined);
    const problem = 'anymodel.telemetry.otlpEndpoint: "ftp://x" must be an http:// or https:// URL (OTLP over HTTP; gRPC is not supported). No spans are sent until it is fixed';
    // ModelService.report logs each problem as a warning, then shows it in a notification.
    const line = await waitFor(() => log().split('\n').find((l) => l.includes(problem)), 'the problem in the log', 20_000);
    assert.match(line, /\[warning\]/);
    const exports = receiver.server.requests.length;
    assert.match(await ask('a question with a bad endpoint'), /a question with a bad endpoint/);
    await services.testing.flushTelemetry();
    assert.equal(receiver.server.requests.length, exports);
  });
});
