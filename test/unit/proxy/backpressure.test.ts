/**
 * A client that reads slower than the provider writes: the proxy holds back the provider instead
 * of holding the answer in memory, loses nothing once the client reads again, and stops waiting
 * when the client goes away.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import { createProxyServer } from '../../../src/proxy/server';

/** 32 MB of answer in 64 KB deltas: far more than the kernel's socket buffers on the way (≈ 4 MB each). */
const DELTA = 'x'.repeat(64 * 1024);
const DELTAS = 512;
/** What the proxy may hold for a client that reads nothing: its high-water mark and one chunk, with room. */
const BOUND = 1024 * 1024;

interface SlowUpstream {
  url: string;
  /** Bytes the mock handed to its socket so far. */
  written(): number;
  /** The mock is waiting for its writes to drain: the proxy is not reading. */
  blocked(): boolean;
  finished(): boolean;
  /** Resolves when the proxy closed the connection before the answer ended. */
  aborted: Promise<void>;
  close(): Promise<void>;
}

/** An OpenAI-style streaming server that writes as fast as the reader takes it, and no faster. */
async function startSlowUpstream(): Promise<SlowUpstream> {
  let written = 0;
  let blocked = false;
  let finished = false;
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => { onAbort = resolve; });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.on('close', () => { if (!res.writableFinished) onAbort(); });
      const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      const events = [chunk({ role: 'assistant', content: '' }), ...Array.from({ length: DELTAS }, () => chunk({ content: DELTA })), chunk({}, 'stop'), 'data: [DONE]\n\n'];
      for (const event of events) {
        if (res.destroyed) return;
        written += Buffer.byteLength(event);
        if (!res.write(event)) {
          blocked = true;
          await new Promise<void>((resolve) => {
            const go = () => { res.off('drain', go); res.off('close', go); resolve(); };
            res.on('drain', go);
            res.on('close', go);
          });
          blocked = false;
        }
      }
      res.end(() => { finished = true; });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    written: () => written,
    blocked: () => blocked,
    finished: () => finished,
    aborted,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function waitFor(what: string, pred: () => boolean, check: () => void = () => undefined, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    check();
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  check();
}

describe('proxy: backpressure from a slow client', function () {
  this.timeout(60_000);
  let upstream: SlowUpstream;
  let proxy: http.Server;
  let port: number;
  const answers: http.ServerResponse[] = [];
  const logs: string[] = [];

  beforeEach(async () => {
    upstream = await startSlowUpstream();
    const config = buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', api_base: upstream.url, api_key: 'k' } }], litellm_settings: { num_retries: 0 } }, {});
    proxy = createProxyServer({ client: new AnyModelClient(config), log: (l) => logs.push(l) });
    // A second listener sees the same response object the proxy writes to: its buffer is what we measure.
    proxy.on('request', (_req, res: http.ServerResponse) => answers.push(res));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    port = (proxy.address() as AddressInfo).port;
  });
  afterEach(async () => {
    answers.length = 0;
    logs.length = 0;
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await upstream.close();
  });

  /** Starts a streamed chat whose response the client does not read (its socket fills and stops). */
  function pausedStream(): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.pause();
        resolve({ req, res });
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'a long answer' }] }));
    });
  }

  it('holds back the provider instead of buffering the answer, and delivers all of it once the client reads', async () => {
    const { res } = await pausedStream();
    const answer = () => answers[0]!;
    let most = 0;
    const bounded = () => {
      most = Math.max(most, answer().writableLength);
      assert.ok(answer().writableLength <= BOUND, `the proxy holds ${answer().writableLength} bytes for a client that reads nothing`);
      assert.ok(!upstream.finished(), `the provider sent all ${upstream.written()} bytes to the proxy while the client read nothing`);
    };
    // The steady state of a client that reads nothing: the proxy waits for its socket to drain
    // and the provider waits for the proxy.
    await waitFor('the proxy waits for the client and the provider for the proxy', () => answer().writableNeedDrain && upstream.blocked() && upstream.written() > 4 * DELTA.length, bounded);
    bounded();
    assert.ok(upstream.written() < DELTAS * DELTA.length / 2, `the provider got to send ${upstream.written()} bytes`);

    let content = 0;
    let tail = '';
    res.setEncoding('utf8');
    res.on('data', (text: string) => {
      const events = (tail + text).split('\n\n');
      tail = events.pop()!;
      for (const e of events) if (e.startsWith('data: {')) content += (JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content?.length ?? 0;
      else if (e === 'data: [DONE]') tail = 'DONE';
    });
    res.resume();
    await new Promise((resolve) => res.on('end', resolve));
    assert.equal(content, DELTAS * DELTA.length, 'every delta reached the client');
    assert.equal(tail, 'DONE');
    assert.ok(most <= BOUND, `at most ${most} bytes were held`);
  });

  it('stops waiting for a client that went away: the provider is cut and the request ends', async () => {
    const { res } = await pausedStream();
    await waitFor('the proxy waits for the client', () => answers[0]!.writableNeedDrain && upstream.blocked());
    res.destroy();
    await Promise.race([upstream.aborted, new Promise((_, reject) => setTimeout(() => reject(new Error('the upstream request was not aborted')), 10_000))]);
    // The log line is written when the request's handler has finished: it is not left waiting for a drain that never comes.
    await waitFor('the request is logged as finished', () => logs.some((l) => l.startsWith('POST /v1/chat/completions 200')));
  });
});
