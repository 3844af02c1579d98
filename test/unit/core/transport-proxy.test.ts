/**
 * Proxies: VS Code's extension host patches `http.request` so requests follow `http.proxy` and
 * `http.noProxy` (docs/architecture.md "Proxies"). Here a stand-in patch does what a proxy setting
 * makes it do, sending every request it sees to a recording "proxy" on 127.0.0.1, so the tests see
 * which requests the host can route: remote ones must be, loopback ones (local models) never.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { isLoopbackHost, requestJson, type SendOptions } from '../../../src/core/transport/http';
import { upstreamError } from '../../../src/core/providers/shared';
import { startMockServer, type MockServer } from '../helpers/mock-server';

const dep = { id: 't', modelName: 't', provider: 'openai', model: 'gpt-4o-mini' };
const options: SendOptions = { provider: 'openai', secrets: [], parseError: (input) => upstreamError(input, dep) };
const post = (url: string) => ({ url, method: 'POST' as const, headers: {}, body: { model: 'gpt-4o-mini', messages: [] } });

describe('transport and a host proxy', () => {
  let model: MockServer;
  let proxy: MockServer;
  const original = http.request;

  beforeEach(async () => {
    model = await startMockServer(() => ({ kind: 'json', body: { from: 'model' } }));
    proxy = await startMockServer(() => ({ kind: 'json', body: { from: 'proxy' } }));
    const proxyPort = Number(new URL(proxy.url).port);
    // What VS Code's patch does with a proxy set: the request goes to the proxy with the target's
    // absolute URL as its path (a forward proxy's request line), the caller's agent replaced.
    http.request = ((opts: http.RequestOptions, cb?: (res: http.IncomingMessage) => void) => {
      const absolute = `http://${opts.hostname ?? opts.host}:${opts.port ?? 80}${opts.path ?? '/'}`;
      return original({ ...opts, hostname: '127.0.0.1', host: undefined, port: proxyPort, path: absolute, agent: undefined }, cb);
    }) as typeof http.request;
  });

  afterEach(async () => {
    http.request = original;
    await Promise.all([model.close(), proxy.close()]);
  });

  it('sends a request for 127.0.0.1 or localhost straight to the model, never to the proxy', async () => {
    const port = new URL(model.url).port;
    for (const host of ['127.0.0.1', 'localhost']) {
      assert.deepEqual(await requestJson(post(`http://${host}:${port}/v1/chat/completions`), options), { from: 'model' }, host);
    }
    assert.equal(model.requests.length, 2);
    assert.deepEqual(proxy.requests, [], 'the proxy saw no loopback request');
  });

  it('leaves a remote request to the host, so its proxy setting carries it', async () => {
    assert.deepEqual(await requestJson(post('http://api.example.test/v1/chat/completions'), options), { from: 'proxy' });
    assert.equal(proxy.requests.length, 1);
    assert.equal(proxy.requests[0]?.url, 'http://api.example.test:80/v1/chat/completions');
    assert.deepEqual(model.requests, []);
  });
});

describe('isLoopbackHost', () => {
  it('knows this machine by name and address, and nothing else', () => {
    for (const h of ['localhost', 'LOCALHOST', 'ollama.localhost', 'localhost.', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '[::ffff:7f00:1]', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(h), true, h);
    }
    for (const h of ['', undefined, 'api.openai.com', 'localhost.example.com', 'mylocalhost', '10.0.0.1', '128.0.0.1', '0.0.0.0', '::', '[::ffff:a00:1]']) {
      assert.equal(isLoopbackHost(h), false, String(h));
    }
  });
});
