import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { OfflineSwitch, isOutage, probeOrigin, resolveOfflineModel, type LocalCandidate } from '../../../src/extension/offline';
import { AnyModelError } from '../../../src/core/types/errors';
import { sendRequest } from '../../../src/core/transport/http';
import { upstreamError } from '../../../src/core/providers/shared';
import { startMockServer } from '../helpers/mock-server';
import type { OfflineNotice } from '../../../src/shared/protocol';
import { waitFor } from '../helpers/wait';

describe('offline switch', () => {
  it('calls connection failures, timeouts and 5xx outages, not refusals', () => {
    for (const kind of ['APIConnection', 'Timeout', 'ServiceUnavailable', 'BadGateway', 'InternalServer']) assert.ok(isOutage({ kind }), kind);
    for (const kind of ['Authentication', 'RateLimit', 'BadRequest', 'NotFound', 'ContextWindowExceeded']) assert.ok(!isOutage({ kind }), kind);
  });

  it('routes only the unreachable model to the local one, then switches back when the probe succeeds', async () => {
    const notices: OfflineNotice[] = [];
    let up = false;
    let probes = 0;
    // A clock stepped by hand: each recheck runs when the test says so, and "no check pending" is a state.
    const pending: { run: () => void; ms: number }[] = [];
    const tick = () => { const next = pending.shift(); assert.ok(next, 'a recheck is scheduled'); next.run(); };
    const probed = (n: number) => waitFor(() => probes >= n, `${n} probes`);
    const sw = new OfflineSwitch({
      probe: async () => { probes++; return up; }, recheckSeconds: () => 7, onChange: (n) => notices.push(n),
      setTimer: (run, ms) => { const entry = { run, ms }; pending.push(entry); return () => { const i = pending.indexOf(entry); if (i >= 0) pending.splice(i, 1); }; },
    });
    assert.deepEqual(sw.route('cloud'), { model: 'cloud' });
    sw.activate('cloud', 'ollama_chat/llama3.2', 'connect ECONNREFUSED');
    assert.deepEqual(sw.route('cloud'), { model: 'ollama_chat/llama3.2', fallback: { requestedModel: 'cloud', reason: 'offline: connect ECONNREFUSED' } });
    assert.deepEqual(sw.route('other'), { model: 'other' }, 'another model is not assumed down');
    assert.equal(notices[0]?.active, true);
    assert.match(notices[0]!.message, /cloud is unreachable \(connect ECONNREFUSED\)\. Answering with ollama_chat\/llama3\.2/);
    assert.deepEqual(pending.map((p) => p.ms), [7000], 'the first recheck waits offlineRecheckSeconds');
    tick();
    await probed(1);
    await waitFor(() => pending.length === 1, 'the next recheck');
    tick();
    await probed(2);
    await waitFor(() => pending.length === 1, 'the next recheck');
    assert.equal(sw.notice()?.active, true, 'it keeps checking while down');
    up = true;
    tick();
    await waitFor(() => sw.notice() === null, 'back online');
    assert.equal(notices.at(-1)?.active, false);
    assert.match(notices.at(-1)!.message, /^cloud is reachable again/);
    assert.equal(pending.length, 0, 'no more checks once back');
    assert.equal(probes, 3);
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

  it('counts DNS failures and the connect and first-byte timeouts as outages', () => {
    // As the transport reports them: a failed lookup is a connection error, the timeouts are Timeouts.
    const dns = (code: string) => new AnyModelError({ kind: 'APIConnection', message: `Could not reach openai at https://api.openai.com: getaddrinfo ${code} api.openai.com`, cause: Object.assign(new Error(code), { code }) });
    assert.ok(isOutage(dns('ENOTFOUND')));
    assert.ok(isOutage(dns('EAI_AGAIN')));
    assert.ok(isOutage(new AnyModelError({ kind: 'Timeout', message: 'openai (https://api.openai.com) did not accept a connection within 4000 ms' })));
    assert.ok(isOutage(new AnyModelError({ kind: 'Timeout', message: 'openai (https://api.openai.com) did not answer within 180000 ms' })));
  });
});

describe('offline model name', () => {
  const BASE = 'http://127.0.0.1:11434';
  const tags = ['llama3.2:latest', 'qwen2.5-coder:7b', 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M'];
  const local: LocalCandidate[] = [...tags.map((t) => ({ id: `ollama_chat/${t}`, ollamaTag: t })), { id: 'vllm-box' }];
  const ids = ['cloud', ...local.map((c) => c.id)];
  /** As services.ts calls it: the local candidates are what Ollama listed (`known`), plus the configured ones. */
  /** `known` null: Ollama did not answer. */
  const resolve = (setting: string, known: readonly string[] | null = tags) => {
    const listed = local.filter((c) => !c.ollamaTag || known?.includes(c.ollamaTag));
    return resolveOfflineModel(setting, ids.filter((id) => listed.some((c) => c.id === id) || !id.startsWith('ollama_chat/')), listed, known ?? undefined, BASE);
  };

  it('finds the pulled tag for every spelling a user types after `ollama list`', () => {
    for (const spelling of ['llama3.2', 'llama3.2:latest', 'ollama/llama3.2', 'ollama/llama3.2:latest', 'ollama_chat/llama3.2', 'ollama_chat/llama3.2:latest', ' Llama3.2 ']) {
      assert.deepEqual(resolve(spelling), { model: 'ollama_chat/llama3.2:latest' }, spelling);
    }
    assert.deepEqual(resolve('qwen2.5-coder:7b'), { model: 'ollama_chat/qwen2.5-coder:7b' });
    assert.deepEqual(resolve('hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M'), { model: 'ollama_chat/hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M' }, 'a tag with slashes is not a provider prefix');
  });

  it('a tag is not guessed: qwen2.5-coder without :7b is qwen2.5-coder:latest, which is not pulled', () => {
    const choice = resolve('qwen2.5-coder');
    assert.equal(choice.model, 'ollama_chat/qwen2.5-coder');
    assert.equal(choice.problem, `anymodel.offlineModel "qwen2.5-coder" is not a model the local Ollama (${BASE}) has pulled: it has ${tags.join(', ')}. Pull it (ollama pull qwen2.5-coder) or set one of those.`);
  });

  it('names the tags that exist when the setting matches none, and says when Ollama has none', () => {
    assert.match(resolve('llama3.3').problem ?? '', /"llama3\.3" is not a model the local Ollama \(http:\/\/127\.0\.0\.1:11434\) has pulled: it has llama3\.2:latest, qwen2\.5-coder:7b, hf\.co/);
    assert.match(resolve('ollama_chat/llama3.3').problem ?? '', /ollama pull llama3\.3/);
    assert.match(resolve('llama3.2', []).problem ?? '', /has pulled: it has no models pulled\./);
  });

  it('uses configured models and other providers\' ids as they are, and the first pulled model when empty', () => {
    assert.deepEqual(resolve('vllm-box'), { model: 'vllm-box' });
    assert.deepEqual(resolve('hosted_vllm/meta-llama/Llama-3.1-8B'), { model: 'hosted_vllm/meta-llama/Llama-3.1-8B' });
    assert.deepEqual(resolve(''), { model: 'ollama_chat/llama3.2:latest' });
    assert.deepEqual(resolveOfflineModel('', [], [], undefined, BASE), { model: undefined });
  });

  it('when Ollama did not answer, a name is still made an Ollama id, with nothing to warn about yet', () => {
    assert.deepEqual(resolve('llama3.2', null), { model: 'ollama_chat/llama3.2' });
    assert.deepEqual(resolve('ollama/mistral:7b', null), { model: 'ollama_chat/mistral:7b' });
  });
});

describe('offline switch on a silent network', function () {
  this.timeout(20_000);
  const switchWith = (probe: () => Promise<boolean>, checkMs = 50) => new OfflineSwitch({ probe, recheckSeconds: () => 60, onChange: () => undefined, outageCheckMs: () => checkMs });
  const deferred = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };

  it('passes a request through that answers before the check, and never probes', async () => {
    let probes = 0;
    const sw = switchWith(async () => { probes++; return false; });
    assert.equal(await sw.guard('cloud', Promise.resolve('handle'), () => assert.fail('no abort')), 'handle');
    await assert.rejects(sw.guard('cloud', Promise.reject(new Error('refused')), () => assert.fail('no abort')), /refused/);
    assert.equal(probes, 0);
  });

  it('a silent request whose server does not answer the check is aborted as an outage', async () => {
    const opening = deferred<string>();
    let aborted = false;
    const sw = switchWith(async () => false);
    const t0 = performance.now();
    const err = await sw.guard('cloud', opening.promise, () => { aborted = true; opening.reject(new AnyModelError({ kind: 'Aborted', message: 'aborted' })); }).then(() => assert.fail('expected an outage'), (e: unknown) => e);
    assert.ok(err instanceof AnyModelError);
    assert.equal(err.kind, 'Timeout');
    assert.equal(err.message, 'no response within 0.05 s, and its server does not answer');
    assert.ok(isOutage(err));
    assert.ok(aborted, 'the silent request is aborted');
    assert.ok(performance.now() - t0 >= 45);
  });

  it('a silent request whose server answers the check is only slow: it is waited for', async () => {
    const opening = deferred<string>();
    const sw = switchWith(async () => { setImmediate(() => opening.resolve('late handle')); return true; });
    assert.equal(await sw.guard('cloud', opening.promise, () => assert.fail('a slow model is not aborted')), 'late handle');
  });

  it('against a server that accepts and never answers, the real request is cut after the check', async () => {
    // The cloud as a blackholed route looks from here: the connection is accepted, nothing ever comes back.
    const server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const abort = new AbortController();
    const dep = { id: 'c', modelName: 'cloud', provider: 'openai', model: 'gpt-4o-mini' };
    const opening = sendRequest({ url: `${url}/v1/chat/completions`, method: 'POST', headers: {}, body: {} }, {
      provider: 'openai', secrets: [], connectTimeoutMs: 300, headersTimeoutMs: 60_000, totalTimeoutMs: 60_000, signal: abort.signal,
      parseError: (input) => upstreamError(input, dep),
    });
    const sw = switchWith(() => probeOrigin(url, 300), 300);
    const t0 = performance.now();
    try {
      await assert.rejects(sw.guard('cloud', opening, () => abort.abort()), (e: unknown) => e instanceof AnyModelError && e.kind === 'Timeout' && /its server does not answer/.test(e.message));
      const ms = performance.now() - t0;
      assert.ok(ms >= 590 && ms < 5_000, `an outage after the check and the probe (300 + 300 ms), not the 60 s first-byte timeout: ${Math.round(ms)} ms`);
      assert.ok(abort.signal.aborted);
    } finally {
      server.close();
    }
  });
});

