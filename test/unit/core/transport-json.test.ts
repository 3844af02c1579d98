/**
 * `requestJson`, the one-promise exchange of a whole answer: what it sends, what it gives back,
 * and the error for each way a 2xx body can go wrong (not JSON, cut short, aborted by the caller
 * while it arrives), against loopback servers that answer exactly so.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestJson, type SendOptions } from '../../../src/core/transport/http';
import { AnyModelError } from '../../../src/core/types/errors';
import { upstreamError } from '../../../src/core/providers/shared';

const dep = { id: 't', modelName: 't', provider: 'openai', model: 'gpt-4o-mini' };
const options = (o: Partial<SendOptions> = {}): SendOptions => ({ provider: 'openai', secrets: ['sk-json-test-1f2e'], parseError: (input) => upstreamError(input, dep), ...o });
const spec = (url: string) => ({ url: `${url}/v1/chat/completions`, method: 'POST' as const, headers: { authorization: 'Bearer sk-json-test-1f2e' }, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });

async function rejection(p: Promise<unknown>): Promise<AnyModelError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof AnyModelError, `an AnyModelError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('transport: requestJson', () => {
  let server: http.Server;
  let url: string;
  let handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

  beforeEach(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the JSON body with its length and gives back the parsed answer', async () => {
    let received: { headers: http.IncomingHttpHeaders; body: string } | undefined;
    handler = (req, body, res) => {
      received = { headers: req.headers, body };
      res.writeHead(200, { 'content-type': 'application/json' }).end('\ufeff{"id":"chatcmpl-1","choices":[]}');
    };
    assert.deepEqual(await requestJson(spec(url), options()), { id: 'chatcmpl-1', choices: [] });
    assert.equal(received?.headers['content-type'], 'application/json');
    assert.equal(received?.headers['content-length'], String(Buffer.byteLength(received!.body)));
    assert.deepEqual(JSON.parse(received!.body), spec(url).body);
  });

  it('a 2xx body that is not JSON is a BadGateway naming the provider and quoting the body', async () => {
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Gateway maintenance</html>');
    const error = await rejection(requestJson(spec(url), options()));
    assert.equal(error.kind, 'BadGateway');
    assert.match(error.message, /^openai returned a body that is not JSON: <html>Gateway maintenance/);
  });

  it('a body cut before its declared length is a broken connection, not a parse error', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":"chatcmpl-2",', () => res.socket?.destroy());
    };
    const error = await rejection(requestJson(spec(url), options()));
    assert.equal(error.kind, 'APIConnection');
    assert.match(error.message, /broke while reading the response/);
    assert.ok(!error.message.includes('sk-json-test-1f2e'));
  });

  it('the caller aborting while the body arrives is Aborted, and the connection is closed', async () => {
    const abort = new AbortController();
    let closed: Promise<void> | undefined;
    handler = (_req, _body, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":', () => abort.abort());
    };
    const error = await rejection(requestJson(spec(url), options({ signal: abort.signal })));
    assert.equal(error.kind, 'Aborted');
    await closed;
  });

  it('a status other than 2xx goes to the adapter: its error, with the key redacted from the body', async () => {
    handler = (_req, _body, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided: sk-json-test-1f2e', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    const error = await rejection(requestJson(spec(url), options()));
    assert.equal(error.kind, 'Authentication');
    assert.ok(!error.message.includes('sk-json-test-1f2e'), error.message);
  });
});
