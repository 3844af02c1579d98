/**
 * Request bodies the proxy refuses, each with a clear error a client does not retry: an upload
 * over the size cap without a length (413, then the connection closes), JSON nested 100,000 deep
 * (400 naming the field), bytes that are not UTF-8 (400), and a body that is not sent as JSON (415).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import { startOpenAIMock } from '../mocks/openai';
import type { MockServer } from '../helpers/mock-server';
import { waitFor } from '../helpers/wait';

/** The cap in these tests: 0.05 MB. */
const CAP = Math.round(0.05 * 1024 * 1024);

interface RawAnswer { status: number; body: string; error?: Error; closed: boolean }

describe('proxy: bodies it refuses cleanly', function () {
  this.timeout(30_000);
  let upstream: MockServer;
  let proxy: RunningProxy;
  const logs: string[] = [];

  before(async () => {
    upstream = await startOpenAIMock({ apiKey: 'upstream-key' });
    const config = buildConfig({
      model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${upstream.url}/v1`, api_key: 'upstream-key' } }],
      litellm_settings: { num_retries: 0 },
      general_settings: { max_request_size_mb: 0.05 },
    }, {});
    proxy = await startProxy({ config, port: 0, log: (l) => logs.push(l) });
  });
  after(async () => {
    await proxy.close(100);
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    logs.length = 0;
  });

  /** Uploads `total` bytes of a JSON body chunked (no content-length), as fast as the socket takes them. */
  function chunkedUpload(total: number): Promise<RawAnswer> {
    return new Promise((resolve) => {
      const answer: RawAnswer = { status: 0, body: '', closed: false };
      const req = http.request({ host: '127.0.0.1', port: proxy.port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        answer.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (t: string) => { answer.body += t; });
      });
      req.on('error', (err) => { answer.error = err; });
      req.on('close', () => {
        answer.closed = true;
        resolve(answer);
      });
      const piece = Buffer.from(`"${'x'.repeat(16 * 1024 - 2)}"`);
      let sent = 0;
      const write = () => {
        if (sent === 0) req.write('{"model":"gpt","messages":[{"role":"user","content":');
        while (sent < total) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', write);
        }
        req.end('}]}');
      };
      write();
    });
  }

  it('answers a chunked upload over the cap with a 413, then closes the connection (no reset)', async () => {
    const answer = await chunkedUpload(20 * CAP);
    assert.equal(answer.error, undefined, `the client saw ${answer.error?.message}`);
    assert.equal(answer.status, 413);
    const body = JSON.parse(answer.body) as { error: { message: string; code: string } };
    assert.match(body.error.message, new RegExp(`over the limit of ${CAP} bytes`));
    assert.equal(body.error.code, 'request_too_large');
    assert.ok(answer.closed);
    assert.equal(upstream.requests.length, 0);
  });

  it('gives the openai client a 413 it does not retry, with a length or streamed without one', async () => {
    const big = { model: 'gpt', messages: [{ role: 'user' as const, content: 'x'.repeat(2 * CAP) }] };
    const withLength = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 2 });
    // A client that streams its upload (no content-length): the body arrives chunked.
    const streamed = new OpenAI({
      baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 2,
      fetch: (url, init) => fetch(url, { ...init, body: chunkedBody(String(init?.body)), duplex: 'half' } as RequestInit),
    });
    for (const client of [withLength, streamed]) {
      logs.length = 0;
      await assert.rejects(client.chat.completions.create(big), (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError && e.status === 413, `got ${String(e)}`);
        assert.match(e.message, /over the limit/);
        return true;
      });
      await waitFor(() => logs.length >= 1);
      assert.deepEqual(logs.map((l) => l.split(' ').slice(0, 3).join(' ')), ['POST /v1/chat/completions 413'], 'one request, not retried');
    }
    assert.equal(upstream.requests.length, 0);
  });

  it('refuses JSON nested 100,000 levels deep with a 400 naming the field, not a 500', async () => {
    const depth = 100_000;
    const schema = `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
    const text = `{"model":"gpt","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`;
    const big = await startProxyWithCap(10);
    try {
      const res = await fetch(`${big.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      const body = (await res.json()) as { error: { message: string; param: string } };
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 300));
      assert.match(body.error.message, /nested more than 128 levels deep at tools\[0\]\.function\.parameters\.properties\.a…/);
      assert.equal(body.error.param, 'tools[0].function.parameters.properties.a');
      assert.equal(upstream.requests.length, 0);
    } finally {
      await big.close(100);
    }
  });

  it('refuses a body that is not valid UTF-8 instead of sending U+FFFD upstream', async () => {
    const bytes = Buffer.concat([Buffer.from('{"model":"gpt","messages":[{"role":"user","content":"caf'), Buffer.from([0xe9]), Buffer.from('"}]}')]);
    const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /not valid UTF-8/);
    assert.equal(upstream.requests.length, 0);
  });

  it('requires a JSON content type (415 naming application/json) and accepts its variants', async () => {
    const body = JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'typed' }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', undefined]) {
      const res = await rawPost(body, type);
      assert.equal(res.status, 415, `${type}: ${res.body}`);
      const error = (JSON.parse(res.body) as { error: { message: string; param: string } }).error;
      assert.match(error.message, /must be sent as Content-Type: application\/json/);
      assert.match(error.message, type ? new RegExp(`not "${type}"`) : /without a Content-Type/);
      assert.equal(error.param, 'content-type');
    }
    assert.equal(upstream.requests.length, 0);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/vnd.example+json']) {
      const res = await rawPost(body, type);
      assert.equal(res.status, 200, `${type}: ${res.body}`);
    }
    assert.equal(upstream.requests.length, 4);
  });

  async function startProxyWithCap(mb: number): Promise<RunningProxy> {
    const config = buildConfig({ model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${upstream.url}/v1`, api_key: 'upstream-key' } }], general_settings: { max_request_size_mb: mb } }, {});
    return startProxy({ config, port: 0 });
  }

  /** A POST with exactly this content type (or none): fetch would add text/plain to a string body. */
  function rawPost(body: string, type: string | undefined): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
      if (type) headers['content-type'] = type;
      const req = http.request({ host: '127.0.0.1', port: proxy.port, path: '/v1/chat/completions', method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (t: string) => { text += t; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
});

/** The text as a stream of 16 KB pieces, so fetch sends it chunked. */
function chunkedBody(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 16 * 1024));
      at += 16 * 1024;
    },
  });
}

