/** The router with a fake clock, fake randomness and fake calls: every choice is deterministic. */
import assert from 'node:assert/strict';
import { buildConfig, ConfigError } from '../../../src/core/config/load';
import { Router } from '../../../src/core/router/router';
import { AnyModelError, type ErrorKind } from '../../../src/core/types/errors';
import type { Deployment } from '../../../src/core/types/deployment';

type Entry = { model_name: string; litellm_params: Record<string, unknown>; model_info?: Record<string, unknown> };
const entry = (group: string, name: string, extra: Record<string, unknown> = {}): Entry => ({ model_name: group, litellm_params: { model: `openai/${name}`, api_base: `http://127.0.0.1:1/${name}`, ...extra } });

function setup(model_list: Entry[], extra: Record<string, unknown> = {}, randoms: number[] = [0]) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const config = buildConfig({ model_list, ...extra }, {});
  let i = 0;
  const router = new Router(config, {
    now: () => now,
    random: () => randoms[i++ % randoms.length]!,
    sleep: async (ms) => { sleeps.push(ms); now += ms; },
    priceOf: (d) => Number(d.modelInfo?.input_cost_per_token ?? 1),
    contextWindowOf: (d) => Number(d.modelInfo?.max_input_tokens ?? 1_000_000),
  });
  return { router, sleeps, advance: (ms: number) => { now += ms; } };
}

const fail = (kind: ErrorKind, retryAfterMs?: number) => new AnyModelError({ kind, message: kind, retryAfterMs });
/** A call that answers with the deployment's model name, or fails for the models in `failing`. */
const calls = (failing: Record<string, ErrorKind | AnyModelError> = {}, log: string[] = []) => async (d: Deployment) => {
  log.push(d.model);
  const f = failing[d.model];
  if (f) throw typeof f === 'string' ? fail(f) : f;
  return d.model;
};

describe('router: strategies', () => {
  it('simple-shuffle weighs by weight', async () => {
    const list = [entry('g', 'a', { weight: 1 }), entry('g', 'b', { weight: 3 })];
    assert.equal((await setup(list, {}, [0.2]).router.run('g', calls())).value, 'a');
    assert.equal((await setup(list, {}, [0.3]).router.run('g', calls())).value, 'b');
  });

  it('simple-shuffle falls back to rpm as the weight', async () => {
    const list = [entry('g', 'a', { rpm: 10 }), entry('g', 'b', { rpm: 90 })];
    assert.equal((await setup(list, {}, [0.05]).router.run('g', calls())).value, 'a');
    assert.equal((await setup(list, {}, [0.5]).router.run('g', calls())).value, 'b');
  });

  it('least-busy picks the deployment with fewer requests in flight', async () => {
    const { router } = setup([entry('g', 'a'), entry('g', 'b')], { router_settings: { routing_strategy: 'least-busy' } });
    let release!: () => void;
    const pending = router.run('g', (d) => new Promise<string>((r) => { release = () => r(d.model); }));
    const second = await router.run('g', calls());
    release();
    assert.notEqual((await pending).value, second.value);
  });

  it('latency-based-routing measures each deployment, then prefers the faster', async () => {
    const { router, advance } = setup([entry('g', 'slow'), entry('g', 'fast')], { router_settings: { routing_strategy: 'latency-based-routing' } });
    const timed = async (d: Deployment) => { advance(d.model === 'slow' ? 500 : 50); return d.model; };
    const first = (await router.run('g', timed)).value;
    const second = (await router.run('g', timed)).value;
    assert.notEqual(first, second, 'both measured once');
    for (let i = 0; i < 3; i++) assert.equal((await router.run('g', timed)).value, 'fast');
  });

  it('cost-based-routing picks the cheapest', async () => {
    const list = [
      { ...entry('g', 'dear'), model_info: { input_cost_per_token: 0.00001 } },
      { ...entry('g', 'cheap'), model_info: { input_cost_per_token: 0.000001 } },
    ];
    assert.equal((await setup(list, { router_settings: { routing_strategy: 'cost-based-routing' } }).router.run('g', calls())).value, 'cheap');
  });

  it('usage-based-routing skips a deployment at its rpm limit', async () => {
    const { router } = setup([entry('g', 'a', { rpm: 1 }), entry('g', 'b', { rpm: 1 })], { router_settings: { routing_strategy: 'usage-based-routing' } });
    const picked = [(await router.run('g', calls())).value, (await router.run('g', calls())).value];
    assert.deepEqual(picked.sort(), ['a', 'b']);
    await assert.rejects(router.run('g', calls()), /cooling down or at its rate limit/);
  });

  it('order is a priority: higher orders only when lower ones are out', async () => {
    const { router } = setup([entry('g', 'backup', { order: 2 }), entry('g', 'primary', { order: 1 })], { litellm_settings: { num_retries: 1 } });
    assert.equal((await router.run('g', calls())).value, 'primary');
    const log: string[] = [];
    assert.equal((await router.run('g', calls({ primary: 'RateLimit' }), {})).value, 'backup');
    assert.equal((await router.run('g', calls({}, log))).value, 'backup', 'primary is cooling down');
  });
});

describe('router: retries and cooldowns', () => {
  it('cools a rate-limited deployment down at once and brings it back after cooldown_time', async () => {
    const { router, advance } = setup([entry('g', 'a', { order: 1 }), entry('g', 'b', { order: 2 })], { litellm_settings: { num_retries: 1 }, router_settings: { cooldown_time: 30 } });
    const r = await router.run('g', calls({ a: 'RateLimit' }));
    assert.deepEqual([r.value, r.attempts, r.fallback], ['b', 2, false]);
    assert.equal((await router.run('g', calls())).value, 'b');
    advance(30_001);
    assert.equal((await router.run('g', calls())).value, 'a');
  });

  it('cools down after more than allowed_fails failures in a minute', async () => {
    const { router } = setup([entry('g', 'a', { order: 1 }), entry('g', 'b', { order: 2 })], { litellm_settings: { num_retries: 0 }, router_settings: { allowed_fails: 1 } });
    await assert.rejects(router.run('g', calls({ a: 'InternalServer' })));
    await assert.rejects(router.run('g', calls({ a: 'InternalServer' })));
    assert.equal((await router.run('g', calls())).value, 'b', 'a is cooling down after its second failure');
  });

  it('waits out a short Retry-After on a single deployment', async () => {
    const { router, sleeps } = setup([entry('g', 'a')], { litellm_settings: { num_retries: 2 } });
    let n = 0;
    const r = await router.run('g', async () => { if (n++ === 0) throw fail('RateLimit', 1500); return 'ok'; });
    assert.deepEqual([r.value, r.attempts, sleeps], ['ok', 2, [1500]]);
  });

  it('does not sleep through a long Retry-After: it moves on to a fallback', async () => {
    const { router, sleeps } = setup([entry('g', 'a'), entry('other', 'z')], { litellm_settings: { num_retries: 3, fallbacks: [{ g: ['other'] }] } });
    const r = await router.run('g', calls({ a: fail('RateLimit', 120_000) }));
    assert.deepEqual([r.value, r.fallback, r.modelGroup, sleeps], ['z', true, 'other', []]);
  });

  it('tries another deployment, not the same one, after an authentication error', async () => {
    const log: string[] = [];
    const { router } = setup([entry('g', 'a', { order: 1 }), entry('g', 'b', { order: 1 })], { litellm_settings: { num_retries: 3 } }, [0]);
    const r = await router.run('g', calls({ a: 'Authentication' }, log));
    assert.deepEqual([r.value, log], ['b', ['a', 'b']]);
  });

  it('never retries a bad request', async () => {
    const log: string[] = [];
    const { router } = setup([entry('g', 'a'), entry('h', 'b')], { litellm_settings: { num_retries: 3, fallbacks: [{ g: ['h'] }] } });
    await assert.rejects(router.run('g', calls({ a: 'BadRequest' }, log)), { kind: 'BadRequest' });
    assert.deepEqual(log, ['a']);
  });
});

describe('router: fallbacks', () => {
  const list = [entry('main', 'm'), entry('big', 'big'), entry('safe', 's'), entry('any', 'x'), entry('spare', 'y')];
  const settings = { num_retries: 0, fallbacks: [{ main: ['any', 'spare'] }], context_window_fallbacks: [{ main: ['big'] }], content_policy_fallbacks: [{ main: ['safe'] }] };

  it('walks the group\'s fallback list in order', async () => {
    const r = await setup(list, { litellm_settings: settings }).router.run('main', calls({ m: 'ServiceUnavailable', x: 'InternalServer' }));
    assert.deepEqual([r.value, r.modelGroup, r.fallback, r.attempts], ['y', 'spare', true, 3]);
  });

  it('uses context_window_fallbacks on ContextWindowExceeded', async () => {
    const r = await setup(list, { litellm_settings: settings }).router.run('main', calls({ m: 'ContextWindowExceeded' }));
    assert.deepEqual([r.value, r.fallback], ['big', true]);
  });

  it('goes to the context window fallback before calling when the prompt is estimated too long', async () => {
    const withWindow = [{ ...entry('main', 'm'), model_info: { max_input_tokens: 100 } }, ...list.slice(1)];
    const log: string[] = [];
    const r = await setup(withWindow, { litellm_settings: settings }).router.run('main', calls({}, log), { promptTokens: 500 });
    assert.deepEqual([r.value, log], ['big', ['big']]);
  });

  it('uses content_policy_fallbacks on ContentPolicyViolation', async () => {
    assert.equal((await setup(list, { litellm_settings: settings }).router.run('main', calls({ m: 'ContentPolicyViolation' }))).value, 's');
  });

  it('uses default_fallbacks for a group without its own', async () => {
    const r = await setup(list, { litellm_settings: { num_retries: 0, default_fallbacks: ['spare'] } }).router.run('any', calls({ x: 'Timeout' }));
    assert.deepEqual([r.value, r.fallback], ['y', true]);
  });

  it('rejects fallback cycles and unknown groups when the config loads', () => {
    assert.throws(() => buildConfig({ model_list: [entry('a', 'a'), entry('b', 'b')], litellm_settings: { fallbacks: [{ a: ['b'] }, { b: ['a'] }] } }, {}), (e: Error) => e instanceof ConfigError && /cycle: a → b → a/.test(e.message));
    assert.throws(() => buildConfig({ model_list: [entry('a', 'a')], litellm_settings: { fallbacks: [{ a: ['nope'] }] } }, {}), /"nope" is not a model_name/);
  });
});
