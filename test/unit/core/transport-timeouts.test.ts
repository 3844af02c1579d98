/**
 * The transport's three waits against loopback servers that misbehave the way a silent network
 * does: one that never accepts the connection (a listening socket whose accept queue is full), one
 * that accepts and never answers, and one that sends the headers and then stalls.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { sendRequest, type SendOptions } from '../../../src/core/transport/http';
import { AnyModelError } from '../../../src/core/types/errors';
import { upstreamError } from '../../../src/core/providers/shared';

const dep = { id: 't', modelName: 't', provider: 'openai', model: 'gpt-4o-mini' };
const options = (o: Partial<SendOptions>): SendOptions => ({ provider: 'openai', secrets: [], parseError: (input) => upstreamError(input, dep), ...o });
const post = (url: string) => ({ url: `${url}/v1/chat/completions`, method: 'POST' as const, headers: {}, body: { model: 'gpt-4o-mini', messages: [] } });

/** Rejects with the AnyModelError `p` fails with, and how long that took. */
async function failure(p: Promise<unknown>): Promise<{ error: AnyModelError; ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof AnyModelError, `an AnyModelError, got ${String(error)}`);
    return { error, ms: performance.now() - t0 };
  }
  assert.fail('expected the request to fail');
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A port that never accepts: a worker thread listens with a backlog of 1 and then blocks its own
 * event loop, so nothing calls accept(). Once the kernel's accept queue is full (filled here with
 * plain connections), a new connection's SYN is dropped and its connect hangs, as on a blackholed
 * route. Returns the URL, the filler sockets and a way to release it all.
 */
async function neverAccepting(): Promise<{ url: string; close(): Promise<void> }> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(workerData, 0, 0); // block: the loop never gets to accept()
      server.close();
    });`, { eval: true, workerData: gate });
  const port = await new Promise<number>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  const fillers: net.Socket[] = [];
  const close = async () => {
    for (const s of fillers) s.destroy();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await worker.terminate();
  };
  // Connect until one connection stays pending: that one shows the queue is full.
  for (let i = 0; i < 64; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2_000);
      socket.once('connect', () => { clearTimeout(timer); resolve(true); });
    });
    if (!connected) return { url: `http://127.0.0.1:${port}`, close };
  }
  await close();
  throw new Error('the accept queue never filled: cannot simulate a port that does not accept');
}

describe('transport timeouts', function () {
  this.timeout(30_000);

  it('a server that never accepts the connection fails with the connect timeout, not the headers one', async () => {
    const blackhole = await neverAccepting();
    try {
      const { error, ms } = await failure(sendRequest(post(blackhole.url), options({ connectTimeoutMs: 400, headersTimeoutMs: 20_000, totalTimeoutMs: 25_000 })));
      assert.equal(error.kind, 'Timeout');
      assert.equal(error.message, `openai (${blackhole.url}) did not accept a connection within 400 ms`);
      assert.ok(ms >= 390 && ms < 10_000, `failed after ${Math.round(ms)} ms`);
    } finally {
      await blackhole.close();
    }
  });

  it('a server that accepts and never answers fails with the headers (first-byte) timeout', async () => {
    let connections = 0;
    // pauseOnConnect: the socket is accepted and never read or written.
    const server = net.createServer({ pauseOnConnect: true }, () => { connections++; });
    const url = await listen(server);
    try {
      const { error, ms } = await failure(sendRequest(post(url), options({ connectTimeoutMs: 300, headersTimeoutMs: 900, totalTimeoutMs: 20_000 })));
      assert.equal(error.kind, 'Timeout');
      assert.equal(error.message, `openai (${url}) did not answer within 900 ms`, 'the connect timer was cleared once connected');
      assert.ok(ms >= 890, `failed after ${Math.round(ms)} ms`);
      assert.equal(connections, 1);
    } finally {
      server.close();
    }
  });

  it('headers then silence: the headers timeout is over once they arrive, the idle timeout cuts the body', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders(); // and then nothing, ever
    });
    const url = await listen(server);
    try {
      const sent = await sendRequest(post(url), options({ connectTimeoutMs: 300, headersTimeoutMs: 300, totalTimeoutMs: 20_000 }));
      assert.equal(sent.status, 200);
      const t0 = performance.now();
      const { error } = await failure(sent.chunks(1_000).next());
      assert.equal(error.message, 'openai sent nothing for 1000 ms in the middle of a stream', 'neither the connect nor the headers timer cut it');
      assert.ok(performance.now() - t0 >= 990);
      sent.done();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a slow answer on a connected socket, new or kept alive, is not a connect timeout', async () => {
    const server = http.createServer((_req, res) => { setTimeout(() => res.end('{"ok":true}'), 500); });
    server.keepAliveTimeout = 10_000;
    const url = await listen(server);
    const sockets = new Set<net.Socket>();
    server.on('connection', (s) => sockets.add(s));
    try {
      for (let i = 0; i < 2; i++) {
        const sent = await sendRequest(post(url), options({ connectTimeoutMs: 200, headersTimeoutMs: 5_000, totalTimeoutMs: 10_000 }));
        assert.equal(await sent.text(), '{"ok":true}');
        sent.done();
      }
      assert.equal(sockets.size, 1, 'the second request reused the kept-alive socket');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
