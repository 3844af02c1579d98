import assert from 'node:assert/strict';
import { OfflineSwitch, isOutage, probeOrigin } from '../../../src/extension/offline';
import { startMockServer } from '../helpers/mock-server';
import type { OfflineNotice } from '../../../src/shared/protocol';

describe('offline switch', () => {
  it('calls connection failures, timeouts and 5xx outages, not refusals', () => {
    for (const kind of ['APIConnection', 'Timeout', 'ServiceUnavailable', 'BadGateway', 'InternalServer']) assert.ok(isOutage({ kind }), kind);
    for (const kind of ['Authentication', 'RateLimit', 'BadRequest', 'NotFound', 'ContextWindowExceeded']) assert.ok(!isOutage({ kind }), kind);
  });

  it('routes only the unreachable model to the local one, then switches back when the probe succeeds', async () => {
    const notices: OfflineNotice[] = [];
    let up = false;
    let probes = 0;
    const sw = new OfflineSwitch({ probe: async () => { probes++; return up; }, recheckSeconds: () => 0.02, onChange: (n) => notices.push(n) });
    assert.deepEqual(sw.route('cloud'), { model: 'cloud' });
    sw.activate('cloud', 'ollama_chat/llama3.2', 'connect ECONNREFUSED');
    assert.deepEqual(sw.route('cloud'), { model: 'ollama_chat/llama3.2', fallback: { requestedModel: 'cloud', reason: 'offline: connect ECONNREFUSED' } });
    assert.deepEqual(sw.route('other'), { model: 'other' }, 'another model is not assumed down');
    assert.equal(notices[0]?.active, true);
    assert.match(notices[0]!.message, /cloud is unreachable \(connect ECONNREFUSED\)\. Answering with ollama_chat\/llama3\.2/);
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(probes >= 2, 'it keeps checking while down');
    assert.equal(sw.notice()?.active, true);
    up = true;
    for (let i = 0; i < 50 && sw.notice(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sw.notice(), null);
    assert.equal(notices.at(-1)?.active, false);
    const count = probes;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(probes, count, 'no more checks once back');
    sw.dispose();
  });

  it('a successful answer from the cloud model ends the offline state at once', () => {
    const notices: OfflineNotice[] = [];
    const sw = new OfflineSwitch({ probe: async () => false, recheckSeconds: () => 60, onChange: (n) => notices.push(n) });
    sw.activate('cloud', 'local', 'down');
    sw.cloudAnswered('other');
    assert.ok(sw.notice());
    sw.cloudAnswered('cloud');
    assert.equal(sw.notice(), null);
    assert.deepEqual(notices.map((n) => n.active), [true, false]);
  });

  it('probes an origin: any answer below 500 is up, 5xx and refused connections are down', async () => {
    let status = 404;
    const server = await startMockServer(() => ({ kind: 'json', status, body: {} }));
    assert.equal(await probeOrigin(`${server.url}/v1`), true);
    status = 503;
    assert.equal(await probeOrigin(`${server.url}/v1`), false);
    const url = server.url;
    await server.close();
    assert.equal(await probeOrigin(url, 500), false);
    assert.equal(await probeOrigin('not a url'), false);
  });
});
