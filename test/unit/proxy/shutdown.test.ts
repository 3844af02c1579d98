/**
 * Shutting the proxy down with answers still streaming: they get the grace period to finish, and
 * what is still open after it ends with an error event a client can tell from a network fault.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import { sse, startMockServer, type MockServer } from '../helpers/mock-server';
import { waitFor } from '../helpers/wait';
import { tempDir } from '../helpers/temp';

const CLI = join(__dirname, '../../../src/proxy/cli.ts');

const chunk = (delta: object, finish: string | null = null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

/** A provider that sends its answer in pieces `delayMs` apart; `hang` leaves it unfinished for ever. */
function slowProvider(pieces: string[], delayMs: number, hang: boolean): Promise<MockServer> {
  const events = pieces.map((p) => sse([chunk({ content: p })]));
  if (!hang) events.push(sse([chunk({}, 'stop')], { done: true }));
  return startMockServer(() => ({ kind: 'raw', contentType: 'text/event-stream', pieces: events, delayMs, hang }));
}

function configOver(upstream: MockServer) {
  return buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', api_base: upstream.url, api_key: 'k' } }], litellm_settings: { num_retries: 0 } }, {});
}

/** Reads a stream to its end or its error, keeping the text that arrived. */
async function readAll(stream: AsyncIterable<OpenAI.ChatCompletionChunk>, firstChunk: () => void): Promise<{ text: string; error?: unknown }> {
  let text = '';
  try {
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      firstChunk();
    }
    return { text };
  } catch (error) {
    return { text, error };
  }
}

describe('proxy: shutdown', function () {
  this.timeout(30_000);

  it('cuts a stream still open after the grace period with a server_shutdown error event, and logs the count', async () => {
    const upstream = await slowProvider(['first words'], 0, true);
    const logs: string[] = [];
    const proxy: RunningProxy = await startProxy({ config: configOver(upstream), port: 0, log: (l) => logs.push(l) });
    try {
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      let started = false;
      const reading = readAll(await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }), () => { started = true; });
      await waitFor(() => started, 'the first words arrived');
      const upstreamCut = upstream.nextClientAbort();
      const report = await proxy.close(200);
      const { text, error } = await reading;
      assert.equal(text, 'first words');
      assert.ok(error instanceof OpenAI.APIError, `the stream ended with ${String(error)}`);
      assert.match(error.message, /proxy is shutting down: this answer was cut after the 0\.2 s grace period/);
      assert.equal(error.type, 'server_shutdown');
      assert.equal(error.code, 'server_shutdown');
      assert.deepEqual(report, { streams: 1, requests: 0 });
      assert.ok(logs.some((l) => /^shutdown: cut 1 stream\(s\) and 0 request\(s\) still open after the 0\.2 s grace period$/.test(l)), logs.join('\n'));
      await upstreamCut;
    } finally {
      await upstream.close();
    }
  });

  it('lets a stream that ends within the grace period finish, and cuts nothing', async () => {
    const upstream = await slowProvider(['one ', 'two ', 'three'], 150, false);
    const logs: string[] = [];
    const proxy = await startProxy({ config: configOver(upstream), port: 0, log: (l) => logs.push(l) });
    try {
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      let started = false;
      const reading = readAll(await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }), () => { started = true; });
      await waitFor(() => started, 'the first words arrived');
      const report = await proxy.close(20_000);
      const { text, error } = await reading;
      assert.equal(error, undefined);
      assert.equal(text, 'one two three');
      assert.deepEqual(report, { streams: 0, requests: 0 });
      assert.ok(!logs.some((l) => l.startsWith('shutdown:')), logs.join('\n'));
    } finally {
      await upstream.close();
    }
  });

  it('anymodel proxy --grace-seconds: SIGTERM cuts the open stream with the error event and says so', async () => {
    const upstream = await slowProvider(['first words'], 0, true);
    const dir = tempDir('shutdown');
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, `model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n      api_base: ${upstream.url}\n      api_key: k\n`);
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', CLI, 'proxy', '--config', configPath, '--port', '0', '--grace-seconds', '0.5'], { env: { ...process.env, ANYMODEL_MASTER_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(out), 'the proxy listens', 20_000);
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
      let started = false;
      const reading = readAll(await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }), () => { started = true; });
      await waitFor(() => started, 'the first words arrived');
      child.kill('SIGTERM');
      const { text, error } = await reading;
      assert.equal(text, 'first words');
      assert.ok(error instanceof OpenAI.APIError && error.type === 'server_shutdown', `the stream ended with ${String(error)}`);
      assert.match(error.message, /cut after the 0\.5 s grace period/);
      assert.equal(await exit, 0, err);
      assert.match(err, /SIGTERM: shutting down/);
      assert.match(err, /shutdown: cut 1 stream\(s\) and 0 request\(s\) still open after the 0\.5 s grace period/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('refuses a --grace-seconds that is not a number of seconds', async () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', CLI, 'proxy', '--config', 'unused.yaml', '--grace-seconds', 'soon'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--grace-seconds must be a number of seconds from 0 to 3600, not "soon"/);
  });
});
