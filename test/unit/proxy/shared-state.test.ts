/**
 * Three proxy replicas sharing their state in a real redis-server (docs/architecture.md#shared-state),
 * each its own process running the bundled CLI, in front of mock OpenAI servers on 127.0.0.1, called
 * with the official openai client: a cached answer is served by another replica, an rpm limit holds
 * across all three, a cooldown is seen by all, a budget is shared, stored responses reach every
 * replica, and Redis killed (then hung) mid-run fails no request while /health says so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { buildBundles, startReplica, type Bundles, type Replica } from '../helpers/proxy-replicas';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';
import { error, startOpenAIMock } from '../mocks/openai';
import { USAGE } from '../mocks/script';

const RPM = 5;
/** USAGE at $0.001 per token in and out. */
const COST = (USAGE.input + USAGE.output) * 0.001;
const BUDGET = 2.5 * COST;

function config(redisPort: number, ok: MockServer, failing: MockServer): string {
  // A model of its own per group: a deployment's id (provider, model, api_base) keys its rpm and cooldown.
  const dep = (name: string, base: string, extra = '') => `  - model_name: ${name}\n    litellm_params: { model: openai/${name}-model, api_base: "${base}/v1", api_key: test-key, input_cost_per_token: 0.001, output_cost_per_token: 0.001${extra} }`;
  return [
    'model_list:',
    dep('plain', ok.url),
    dep('limited', ok.url, `, rpm: ${RPM}`),
    dep('cooling', failing.url, ', order: 1'),
    dep('cooling', ok.url, ', order: 2'),
    dep('budgeted', ok.url),
    'router_settings:',
    '  routing_strategy: usage-based-routing-v2',
    '  redis_host: 127.0.0.1',
    `  redis_port: ${redisPort}`,
    '  cooldown_time: 120',
    'litellm_settings:',
    '  num_retries: 1',
    '  cache: true',
    '  cache_params: { type: redis, ttl: 600 }',
    `  model_max_budget: { budgeted: { budget_limit: ${BUDGET}, time_period: 1d } }`,
    '',
  ].join('\n');
}

/** Today's spend in Redis over every replica and group. */
async function spent(redis: RedisServer): Promise<number> {
  return Object.values(await redis.client.hgetall(`anymodel:spend:${new Date().toISOString().slice(0, 10)}`)).reduce((a, v) => a + Number(v), 0);
}

const asked = (mock: MockServer, text: string) => mock.requests.filter((r) => JSON.stringify(r.body).includes(text)).length;

async function health(r: Replica): Promise<{ status: string; shared_state?: { backend: string; redis: string; since?: string } }> {
  return (await fetch(`${r.url}/health`)).json() as Promise<{ status: string; shared_state?: { backend: string; redis: string } }>;
}

async function allHealth(replicas: Replica[], redis: string): Promise<boolean> {
  const seen = await Promise.all(replicas.map((r) => health(r).then((h) => h.shared_state?.redis, () => undefined)));
  return seen.every((s) => s === redis);
}

/** Polls an async check (the replicas' /health, the shared hash) until it holds. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  let ok = false;
  let running = false;
  await waitFor(() => {
    if (!running) {
      running = true;
      void check().then((v) => { ok = v; }, () => { ok = false; }).finally(() => { running = false; });
    }
    return ok;
  }, what, timeoutMs);
}

describe('proxy: three replicas sharing state in Redis', function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let ok: MockServer;
  let failing: MockServer;
  let bundles: Bundles;
  let dir: string;
  let replicas: Replica[] = [];
  let clients: OpenAI[] = [];

  before(async () => {
    [redis, ok, failing, bundles] = await Promise.all([
      startRedisServer(),
      startOpenAIMock(),
      startMockServer(() => error('openai', 429, 'Rate limit reached for requests', 'rate_limit_exceeded')),
      buildBundles(),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'anymodel-replicas-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, config(redis.port, ok, failing));
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(bundles.cli, file)));
    clients = replicas.map((r) => new OpenAI({ baseURL: `${r.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 30_000 }));
    await until(() => allHealth(replicas, 'connected'), 'every replica to report Redis connected');
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([redis?.stop(), ok?.close(), failing?.close()]);
    bundles?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the Redis client out of the editor\'s bundle and loads it apart, only when configured', () => {
    const services = readFileSync(join(bundles.dir, 'services.js'), 'utf8');
    const cli = readFileSync(bundles.cli, 'utf8');
    assert.ok(!services.includes('node_modules/ioredis'), 'services.js (the editor\'s core) bundles ioredis');
    assert.ok(!cli.includes('node_modules/ioredis'), 'cli.js bundles ioredis');
    assert.ok(/import\("\.\/redis-state\.js"\)/.test(cli), 'cli.js loads ./redis-state.js with a dynamic import');
    assert.ok(readFileSync(join(bundles.dir, 'redis-state.js'), 'utf8').includes('node_modules/ioredis'), 'redis-state.js holds the client');
  });

  it('serves an answer cached by one replica from the others, whole and streamed; the mock sees one request', async () => {
    const ask = { model: 'plain', messages: [{ role: 'user' as const, content: 'cache me once' }] };
    const first = await clients[0]!.chat.completions.create(ask).withResponse();
    assert.equal(first.response.headers.get('x-anymodel-cache-hit'), 'false');
    const second = await clients[1]!.chat.completions.create(ask).withResponse();
    assert.equal(second.response.headers.get('x-anymodel-cache-hit'), 'true', 'replica 2 answered from the shared cache');
    assert.equal(second.data.choices[0]!.message.content, first.data.choices[0]!.message.content);
    let streamed = '';
    for await (const chunk of await clients[2]!.chat.completions.create({ ...ask, stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
    assert.equal(streamed, first.data.choices[0]!.message.content, 'replica 3 replayed it as a stream');
    assert.equal(asked(ok, 'cache me once'), 1, 'the provider was asked once');
  });

  it(`holds an rpm limit of ${RPM} across the three: ${RPM} + 3 requests → exactly 3 refused with a 429`, async () => {
    // One minute's window: start the burst where it cannot run into the next minute.
    await waitFor(() => new Date().getSeconds() < 45, 'a minute with room for the burst', 20_000);
    const results = await Promise.allSettled(Array.from({ length: RPM + 3 }, (_, i) =>
      clients[i % 3]!.chat.completions.create({ model: 'limited', messages: [{ role: 'user', content: `limited ${i}` }] })));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(results.length - refused.length, RPM, 'as many answered as the limit');
    assert.equal(refused.length, 3);
    for (const { reason } of refused) {
      assert.ok(reason instanceof OpenAI.RateLimitError, `a 429, not ${String(reason)}`);
      assert.equal(reason.code, 'rate_limit_exceeded');
      assert.equal(reason.type, 'requests');
      assert.match(reason.message, /at its rate limit \(rpm\/tpm\) for this minute; try again in \d+ s/);
      assert.ok(Number(reason.headers?.get('retry-after')) > 0, 'with Retry-After');
    }
    assert.equal(asked(ok, 'limited '), RPM, 'the provider saw only the requests within the limit');
  });

  it('skips on every replica a deployment that one replica cooled down', async () => {
    const first = await clients[0]!.chat.completions.create({ model: 'cooling', messages: [{ role: 'user', content: 'cool 0' }] }).withResponse();
    assert.equal(first.response.headers.get('x-anymodel-attempts'), '2', 'the 429 was retried on the backup');
    assert.equal(failing.requests.length, 1);
    await until(async () => (await redis.client.keys('anymodel:cd:*')).length === 1, 'the cooldown in Redis');
    for (const [i, c] of clients.entries()) {
      const r = await c.chat.completions.create({ model: 'cooling', messages: [{ role: 'user', content: `cool ${i + 1}` }] }).withResponse();
      assert.equal(r.response.headers.get('x-anymodel-attempts'), '1', `replica ${i + 1} went to the backup at once`);
    }
    assert.equal(failing.requests.length, 1, 'no replica sent another request to the cooled deployment');
  });

  it('shares a daily budget: the replicas together spend it, then each refuses', async () => {
    const before = await spent(redis);
    for (const [i, c] of clients.entries()) await c.chat.completions.create({ model: 'budgeted', messages: [{ role: 'user', content: `spend ${i}` }] });
    await until(async () => (await spent(redis)) - before >= 3 * COST - 1e-9, 'the three replicas\' spend in Redis');
    for (const c of clients) {
      await assert.rejects(c.chat.completions.create({ model: 'budgeted', messages: [{ role: 'user', content: 'one too many' }] }), (e: unknown) =>
        e instanceof OpenAI.BadRequestError && e.code === 'budget_exceeded' && /Budget exceeded for model budgeted/.test(e.message));
    }
    assert.equal(asked(ok, 'one too many'), 0, 'nothing over budget reached the provider');
    // Any replica's /spend counts today as the budgets do: all three replicas' spend, not its own.
    for (const r of replicas) {
      const { byModel, today } = await (await fetch(`${r.url}/spend`)).json() as { byModel: Record<string, { usd: number }>; today: { byModel: Record<string, number>; sharedBy: string } };
      assert.equal(today.sharedBy, 'every replica');
      assert.ok(today.byModel.budgeted! >= 3 * COST - 1e-9, `${r.url}: ${today.byModel.budgeted} for the three requests`);
      assert.ok(Math.abs(byModel.budgeted!.usd - COST) < 1e-9, 'its own totals stay its own: the one request it answered');
    }
  });

  it('stores a response on one replica and answers GET, previous_response_id and DELETE on the others', async () => {
    const created = await clients[0]!.responses.create({ model: 'plain', input: 'remember the word tangerine' });
    const got = await clients[1]!.responses.retrieve(created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.object, 'response');
    assert.deepEqual(got.output, created.output);
    assert.deepEqual(got.usage, created.usage);
    const next = await clients[2]!.responses.create({ model: 'plain', input: 'which word?', previous_response_id: created.id });
    const sent = ok.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
    assert.deepEqual(sent.messages.map((m) => m.role), ['user', 'assistant', 'user'], 'replica 3 sent the stored conversation');
    assert.match(JSON.stringify(sent.messages[0]), /tangerine/);
    assert.ok(next.id);
    await clients[2]!.responses.delete(created.id);
    await assert.rejects(clients[0]!.responses.retrieve(created.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });

  it('keeps answering while Redis is killed and restarted; /health says so; the shared state is written back', async () => {
    const kept = await clients[0]!.responses.create({ model: 'plain', input: 'kept through the outage' });
    let stop = false;
    let answered = 0;
    const failures: unknown[] = [];
    // When each request answered while Redis was down (killed, until all three are connected again) started.
    let down = false;
    const startedDown: number[] = [];
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          const at = Date.now();
          const wasDown = down;
          await clients[i % 3]!.chat.completions.create({ model: 'plain', messages: [{ role: 'user', content: `outage ${i}` }] });
          if (wasDown && down) startedDown.push(at);
          answered++;
        } catch (err) {
          failures.push(err);
        }
      }
    })();
    try {
      await waitFor(() => answered >= 3, 'traffic before the outage');
      down = true;
      await redis.kill();
      await until(() => allHealth(replicas, 'unreachable'), 'every replica to report Redis unreachable');
      const during = answered;
      await waitFor(() => answered >= during + 6, 'answers while Redis is down');
      await redis.start(); // empty: nothing was saved
      await until(() => allHealth(replicas, 'connected'), 'every replica to report Redis connected again');
      down = false;
      const after = answered;
      await waitFor(() => answered >= after + 3, 'answers after the restart');
    } finally {
      stop = true;
      await traffic;
    }
    assert.deepEqual(failures, [], 'no request failed');
    for (const r of replicas) {
      assert.equal(r.stderr().match(/Redis at .* is unreachable/g)?.length, 1, 'the outage is said once per replica');
      assert.equal(r.stderr().match(/is reachable again/g)?.length, 1, 'and its end once');
    }
    // The restarted Redis was empty: what the replicas wrote back makes the budget hold again.
    await until(async () => (await spent(redis)) >= 3 * COST - 1e-9, 'the replicas\' spend written back');
    await until(async () => (await redis.client.exists(`anymodel:responses:${kept.id}`)) === 1, 'the stored response written back');
    // The requests each replica counted alone this minute are in the shared rpm (a minute that
    // began during the outage holds only those started since; 200 ms of clock skew allowed).
    await until(async () => {
      const minute = Math.floor(Date.now() / 60_000);
      const expected = startedDown.filter((at) => Math.floor(at / 60_000) === minute && at % 60_000 > 200).length;
      const keys = await redis.client.keys(`anymodel:rpm:*plain-model*:${minute}`);
      const counted = (await Promise.all(keys.map((k) => redis.client.get(k)))).reduce((a, v) => a + Number(v ?? 0), 0);
      return counted >= expected && (expected > 0 || !startedDown.some((at) => Math.floor(at / 60_000) === minute));
    }, 'this minute\'s requests during the outage counted in the shared rpm');
    await assert.rejects(clients[1]!.chat.completions.create({ model: 'budgeted', messages: [{ role: 'user', content: 'after the outage' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'budget_exceeded');
    assert.equal((await clients[2]!.responses.retrieve(kept.id)).id, kept.id, 'the stored response is back in Redis');
  });

  it('answers at once while Redis hangs (accepts, never replies): bounded by the command timeout', async () => {
    redis.pause();
    try {
      for (const [i, c] of clients.entries()) {
        const started = Date.now();
        await c.chat.completions.create({ model: 'cooling', messages: [{ role: 'user', content: `hung ${i}` }] });
        assert.ok(Date.now() - started < 5000, `replica ${i + 1} answered in ${Date.now() - started} ms`);
      }
      await until(() => allHealth(replicas, 'unreachable'), 'every replica to report the hung Redis');
    } finally {
      redis.resume();
    }
    await until(() => allHealth(replicas, 'connected'), 'every replica to find Redis again');
  });
});
