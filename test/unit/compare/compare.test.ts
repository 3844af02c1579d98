/**
 * The comparison runner against OpenAI mocks on 127.0.0.1: the concurrency bound, one column
 * stopped or failing while the others finish, the figures and the cost of each column (from its
 * usage record), fallbacks labelled, and the budget refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { AnyModelClient, buildConfig, formatCompareTable, startComparison, type CompareEvent, type UsageRecord } from '../../../src/core';
import { isAnyModelError } from '../../../src/core';
import { startMockServer, type MockServer, type RecordedRequest, type Reply } from '../helpers/mock-server';
import { error as openaiError } from '../mocks/openai';
import { openAIStreamOf } from '../../ui/streams';
import { waitFor } from '../helpers/wait';

const KEY = 'compare-unit-key';
const ask = { messages: [{ role: 'user' as const, content: 'Which sort is stable?' }] };

function entry(name: string, model: string, apiBase: string, extra: Record<string, unknown> = {}) {
  return { model_name: name, litellm_params: { model: `openai/${model}`, api_base: `${apiBase}/v1`, api_key: KEY }, ...extra };
}

const modelOf = (req: RecordedRequest) => (req.body as { model: string }).model;
const lastUser = (req: RecordedRequest) => ((req.body as { messages: { role: string; content: string }[] }).messages.at(-1)!.content);

describe('compare: one request to several models', function () {
  this.timeout(30_000);
  let mock: MockServer;
  before(async () => { mock = await startMockServer(() => openAIStreamOf('unused')); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });

  it('never has more requests in flight than the bound, and starts a waiting one as soon as a slot frees', async () => {
    let active = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    mock.handle(async (req) => {
      active++;
      most = Math.max(most, active);
      await new Promise<void>((resolve) => gates.push(resolve));
      active--;
      return openAIStreamOf(`answer of ${modelOf(req)}`, { size: 50, delayMs: 0 });
    });
    const client = new AnyModelClient(buildConfig({ model_list: ['m1', 'm2', 'm3', 'm4'].map((m) => entry(m, m, mock.url)) }, {}));
    const run = startComparison(client, { models: ['m1', 'm2', 'm3', 'm4'], request: ask, concurrency: 2 });
    await waitFor(() => mock.requests.length === 2, 'two requests at the mock');
    assert.deepEqual(run.columns.map((c) => c.status), ['running', 'running', 'queued', 'queued']);
    gates.shift()!();
    await waitFor(() => mock.requests.length === 3, 'the third request once a slot freed');
    assert.equal(active, 2);
    await waitFor(() => {
      gates.splice(0).forEach((g) => g());
      return run.columns.every((c) => c.status === 'done');
    }, 'every column done');
    const columns = await run.done;
    assert.equal(most, 2, 'at most two at once');
    assert.deepEqual(columns.map((c) => c.text), ['answer of m1', 'answer of m2', 'answer of m3', 'answer of m4']);
  });

  it('stopping one column aborts its request only; a failing column does not disturb the others', async () => {
    mock.handle((req) => {
      const model = modelOf(req);
      if (model === 'slow') return { ...(openAIStreamOf('a very long answer that keeps coming', { size: 2, delayMs: 200 }) as Extract<Reply, { kind: 'raw' }>), hang: true };
      if (model === 'broken') return openaiError('openai', 400, 'This model does not like the question.', 'invalid_request');
      return openAIStreamOf('A merge sort is stable.', { size: 5, delayMs: 150 });
    });
    const client = new AnyModelClient(buildConfig({ model_list: [entry('fast', 'fast', mock.url), entry('slow', 'slow', mock.url), entry('broken', 'broken', mock.url)] }, {}));
    const events: CompareEvent[] = [];
    const run = startComparison(client, { models: ['fast', 'slow', 'broken'], request: ask, onEvent: (e) => events.push(e) });
    await waitFor(() => run.columns[1]!.text.length > 0, 'the slow column streaming');
    const aborted = mock.nextClientAbort();
    run.stop(1);
    await aborted;
    const [fast, slow, broken] = await run.done;
    assert.equal(slow!.status, 'stopped');
    assert.equal(slow!.finishReason, 'stopped');
    assert.ok(slow!.text.length > 0 && slow!.text.length < 'a very long answer that keeps coming'.length, `kept what arrived: ${slow!.text}`);
    assert.equal(fast!.status, 'done');
    assert.equal(fast!.text, 'A merge sort is stable.');
    assert.equal(broken!.status, 'error');
    assert.equal(broken!.error?.kind, 'BadRequest');
    assert.match(broken!.error!.message, /does not like the question/);
    // Parts are tagged with their column, and every column ends once.
    const texts = events.filter((e): e is Extract<CompareEvent, { type: 'column-part' }> => e.type === 'column-part' && e.part.type === 'text-delta');
    assert.equal(texts.filter((e) => e.column === 0).map((e) => (e.part as { text: string }).text).join(''), 'A merge sort is stable.');
    assert.deepEqual(events.filter((e) => e.type === 'column-end').map((e) => e.column).sort(), [0, 1, 2]);
    assert.deepEqual(mock.requests.map(lastUser), ['Which sort is stable?', 'Which sort is stable?', 'Which sort is stable?']);
  });

  it('measures each column and prices it from its usage record; the table lists the models in the order asked', async () => {
    mock.handle((req) => {
      const model = modelOf(req);
      const delayMs = model === 'gpt-4o-mini' ? 150 : 10;
      return openAIStreamOf(`${model} says hi`, { size: 4, delayMs, usage: model === 'gpt-4o-mini' ? { prompt_tokens: 1000, completion_tokens: 2000 } : { prompt_tokens: 10, completion_tokens: 20 } });
    });
    const client = new AnyModelClient(buildConfig({
      model_list: [
        // Catalog price: $0.15 / $0.60 per million tokens.
        entry('mini', 'gpt-4o-mini', mock.url),
        // Config price wins: LiteLLM's input/output_cost_per_token.
        entry('priced', 'house-model', mock.url, { model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }),
        entry('mystery', 'no-such-model-in-any-catalog', mock.url),
      ],
    }, {}));
    const run = startComparison(client, { models: ['mini', 'priced', 'mystery'], request: ask });
    const [mini, priced, mystery] = await run.done;
    assert.deepEqual(mini!.usage, { inputTokens: 1000, outputTokens: 2000, totalTokens: 3000 });
    assert.ok(Math.abs(mini!.costUsd! - (1000 * 0.15 + 2000 * 0.6) / 1e6) < 1e-12, String(mini!.costUsd));
    assert.ok(Math.abs(priced!.costUsd! - (10 * 0.001 + 20 * 0.002)) < 1e-12, String(priced!.costUsd));
    assert.equal(mystery!.costUsd, null, 'unknown price is unknown, not $0');
    for (const c of [mini!, priced!, mystery!]) assert.ok(c.ttftMs! > 0 && c.totalMs! >= c.ttftMs!, JSON.stringify(c));
    // The slow stream's pieces are 150 ms apart: its total is far past the quick ones'.
    assert.ok(mini!.totalMs! > priced!.totalMs! && mini!.totalMs! > 500, `${mini!.totalMs} vs ${priced!.totalMs}`);
    const lines = formatCompareTable([mini!, priced!, mystery!]).split('\n');
    assert.match(lines[0]!, /^model\s+TTFT\s+total\s+tokens in\s+tokens out\s+cost$/);
    assert.deepEqual(lines.slice(2).map((l) => l.split(/\s{2,}/).filter((cell, i) => i !== 1 && i !== 2)), [
      ['mini', '1000', '2000', '$0.00135'],
      ['priced', '10', '20', '$0.0500'],
      ['mystery', '10', '20', 'unknown'],
    ]);
    assert.match(lines[2]!, /^mini\s+\d+\.\d\d s\s+\d+\.\d\d s\s/);
  });

  it('labels an answer from a router fallback, and one from the offline switch', async () => {
    mock.handle((req) => modelOf(req) === 'down' ? openaiError('openai', 503, 'overloaded', null) : openAIStreamOf(`${modelOf(req)} here`, { size: 50, delayMs: 0 }));
    const client = new AnyModelClient(buildConfig({
      model_list: [entry('primary', 'down', mock.url), entry('backup', 'backup', mock.url), entry('cloud', 'cloud', 'http://127.0.0.1:9'), entry('local', 'local', mock.url)],
      litellm_settings: { fallbacks: [{ primary: ['backup'] }], num_retries: 0 },
    }, {}), { onUsage: (r) => records.push(r) });
    const records: UsageRecord[] = [];
    const outages: string[] = [];
    const run = startComparison(client, {
      models: ['primary', 'cloud'],
      request: ask,
      usage: { source: 'compare' },
      onOutage: (model, err) => { outages.push(`${model}: ${err.kind}`); return model === 'cloud' ? 'local' : undefined; },
    });
    const [primary, cloud] = await run.done;
    assert.equal(primary!.answeredBy, 'backup');
    assert.equal(primary!.text, 'backup here');
    assert.deepEqual(primary!.fallback, { kind: 'router', requestedModel: 'primary', reason: 'the router fell back to backup' });
    assert.equal(cloud!.answeredBy, 'local');
    assert.equal(cloud!.text, 'local here');
    assert.equal(cloud!.fallback?.kind, 'offline');
    assert.deepEqual(outages, ['cloud: APIConnection']);
    assert.match(formatCompareTable([primary!, cloud!]), /primary .*fallback: answered by backup\ncloud .*offline: answered by local$/);
    // Each answered column's record says it came from a comparison; the local stand-in's says offline.
    const answered = records.filter((r) => r.outcome === 'success').map((r) => [r.modelGroup, r.source, r.offline ?? false]).sort();
    assert.deepEqual(answered, [['backup', 'compare', false], ['local', 'compare', true]]);
  });

  it('refuses a comparison that would pass the daily budget, before sending anything', async () => {
    const client = new AnyModelClient(buildConfig({
      model_list: [entry('a', 'a', mock.url, { model_info: { input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 } }), entry('b', 'b', mock.url, { model_info: { input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 } })],
      litellm_settings: { max_budget: 0.15 },
    }, {}));
    // Each answer is assumed 1,000 tokens at $0.0001: $0.10 a model, $0.20 together, past $0.15.
    assert.throws(() => startComparison(client, { models: ['a', 'b'], request: ask }), (e: unknown) => isAnyModelError(e) && e.kind === 'BudgetExceeded' && /all models: spent \$0\.0000 today, these requests are estimated at \$0\.20\d\d, and \$0\.1500 is allowed/.test(e.message));
    assert.equal(mock.requests.length, 0, 'nothing was sent');
    // A shorter answer fits.
    mock.handle(() => openAIStreamOf('fits', { size: 50, delayMs: 0 }));
    const columns = await startComparison(client, { models: ['a', 'b'], request: { ...ask, max_tokens: 100 } }).done;
    assert.deepEqual(columns.map((c) => c.text), ['fits', 'fits']);
  });

  it('says which models are unknown, and how many models compare takes', () => {
    const client = new AnyModelClient(buildConfig({ model_list: [entry('a', 'a', mock.url)] }, {}));
    assert.throws(() => startComparison(client, { models: ['a', 'nope', 'gone'], request: ask }), /Unknown models: nope, gone\./);
    assert.throws(() => startComparison(client, { models: ['a'], request: ask }), /Compare takes 2 to 4 different models; got 1 \(a\)\./);
    assert.throws(() => startComparison(client, { models: ['a', 'a'], request: ask }), /got 1/);
    assert.equal(mock.requests.length, 0);
  });
});
