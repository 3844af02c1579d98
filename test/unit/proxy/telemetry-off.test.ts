/**
 * Telemetry that is off costs nothing: a proxy without an OTLP endpoint answers requests without
 * ever loading the OpenTelemetry SDK or prom-client, and loads prom-client (only) on the first
 * scrape of /metrics. Run in a fresh Node process, so that what other tests loaded does not count.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..', '..');

const SCRIPT = `
const http = require('node:http');
const { buildConfig } = require('./src/core/config/load');
const { startProxy } = require('./src/proxy/start');
const loaded = () => Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/](@opentelemetry|prom-client)[\\\\/]/.test(k)).map((k) => /node_modules[\\/](prom-client|@opentelemetry[\\/][^\\/]+)/.exec(k)[1].replace(/\\\\/g, '/')).filter((v, i, a) => a.indexOf(v) === i).sort();
(async () => {
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const config = buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', api_base: 'http://127.0.0.1:' + upstream.address().port + '/v1', api_key: 'k' } }] }, {});
  const proxy = await startProxy({ config, port: 0 });
  const chat = await fetch(proxy.url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
  const afterChat = loaded();
  const metrics = await fetch(proxy.url + '/metrics');
  await metrics.text();
  const afterScrape = loaded();
  await proxy.close();
  upstream.close();
  process.stdout.write(JSON.stringify({ chat: chat.status, metrics: metrics.status, afterChat, afterScrape }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe('proxy telemetry: off costs nothing', () => {
  it('answers without loading the OpenTelemetry SDK or prom-client, and loads prom-client only on the first scrape', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', SCRIPT], { cwd: ROOT, timeout: 60_000 });
    const r = JSON.parse(stdout) as { chat: number; metrics: number; afterChat: string[]; afterScrape: string[] };
    assert.equal(r.chat, 200);
    assert.equal(r.metrics, 200);
    assert.deepEqual(r.afterChat, [], 'nothing of either library was loaded to answer');
    // prom-client itself reads the OpenTelemetry API (for exemplars); the SDK and exporter stay unloaded.
    assert.deepEqual(r.afterScrape.filter((p) => p !== '@opentelemetry/api'), ['prom-client'], 'the scrape loads prom-client, and still no OpenTelemetry SDK');
  });
});
