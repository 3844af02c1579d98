/**
 * Where the shared state lives, read as LiteLLM names it (docs/architecture.md#shared-state):
 * router_settings.redis_*, litellm_settings.cache_params with type: redis, REDIS_URL / REDIS_HOST.
 */
import assert from 'node:assert/strict';
import { buildConfig, ConfigError } from '../../../src/core/config/load';
import { openSharedState } from '../../../src/core/state/open';

const model_list = [{ model_name: 'a', litellm_params: { model: 'openai/x' } }];

describe('config: the shared Redis', () => {
  it('is none by default: the state stays in memory', async () => {
    const c = buildConfig({ model_list }, {});
    assert.equal(c.settings.redis, undefined);
    const state = await openSharedState(c);
    assert.equal(state.backend, 'memory');
    assert.deepEqual(state.health(), { backend: 'memory' });
  });

  it('reads router_settings.redis_host, redis_port and redis_password', () => {
    const c = buildConfig({ model_list, router_settings: { redis_host: 'redis.internal', redis_port: '6380', redis_password: 'os.environ/RP' } }, { RP: 'secret-pw' });
    assert.deepEqual(c.settings.redis, { host: 'redis.internal', port: 6380, password: 'secret-pw', namespace: 'anymodel', source: 'router_settings.redis_host' });
  });

  it('reads litellm_settings.cache_params with type: redis, host, port, password and namespace', () => {
    const c = buildConfig({ model_list, litellm_settings: { cache: true, cache_params: { type: 'redis', host: '10.0.0.5', port: 6379, password: 'pw', namespace: 'team-a', ttl: 60 } } }, {});
    assert.deepEqual(c.settings.redis, { host: '10.0.0.5', port: 6379, password: 'pw', namespace: 'team-a', source: 'litellm_settings.cache_params.host' });
    assert.equal(c.settings.cache.ttlSeconds, 60);
    assert.deepEqual(c.warnings, [], 'type: redis is acted on now');
  });

  it('reads REDIS_URL (and REDIS_HOST) from the environment, router_settings first', () => {
    assert.deepEqual(buildConfig({ model_list }, { REDIS_URL: 'redis://user:pw@cache.internal:6390/2' }).settings.redis,
      { url: 'redis://user:pw@cache.internal:6390/2', host: 'cache.internal', port: 6390, namespace: 'anymodel', source: 'REDIS_URL' });
    assert.deepEqual(buildConfig({ model_list }, { REDIS_HOST: 'h', REDIS_PORT: '7000', REDIS_PASSWORD: 'p' }).settings.redis,
      { host: 'h', port: 7000, password: 'p', namespace: 'anymodel', source: 'REDIS_HOST' });
    assert.equal(buildConfig({ model_list, router_settings: { redis_host: 'mine' } }, { REDIS_URL: 'redis://other:1' }).settings.redis?.host, 'mine');
  });

  it('says so when cache_params and router_settings name two Redis servers (one holds everything), never with a password', () => {
    const c = buildConfig({ model_list, router_settings: { redis_host: 'a', redis_password: 'pw-one' }, litellm_settings: { cache: true, cache_params: { type: 'redis', host: 'b', password: 'pw-two' } } }, {});
    assert.equal(c.settings.redis?.host, 'a');
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0]!, /cache_params: names another Redis \(b:6379\) than router_settings \(a:6379\)/);
    assert.doesNotMatch(c.warnings.join(' '), /pw-/);
  });

  it('warns when type: redis names no Redis, or the cache is not turned on', () => {
    assert.match(buildConfig({ model_list, litellm_settings: { cache: true, cache_params: { type: 'redis' } } }, {}).warnings.join('\n'), /no Redis is named .*: the cache is in memory/);
    assert.match(buildConfig({ model_list, litellm_settings: { cache_params: { type: 'redis', host: 'h' } } }, {}).warnings.join('\n'), /litellm_settings.cache is not true: no answers are cached/);
  });

  it('refuses a bad port or URL, naming the field', () => {
    assert.throws(() => buildConfig({ model_list, router_settings: { redis_host: 'h', redis_port: 70000 } }, {}), (e: unknown) => e instanceof ConfigError && /router_settings\.redis_port: must be a port from 1 to 65535/.test(e.message));
    assert.throws(() => buildConfig({ model_list, litellm_settings: { cache_params: { type: 'redis', url: 'http://h:1' } } }, {}), (e: unknown) => e instanceof ConfigError && /litellm_settings\.cache_params\.url: must be a URL such as redis:\/\//.test(e.message));
    assert.throws(() => buildConfig({ model_list }, { REDIS_URL: 'localhost:6379' }), (e: unknown) => e instanceof ConfigError && /REDIS_URL: must be a URL such as redis:\/\//.test(e.message));
    assert.throws(() => buildConfig({ model_list }, { REDIS_HOST: 'h', REDIS_PORT: 'x' }), (e: unknown) => e instanceof ConfigError && /REDIS_PORT: must be a port/.test(e.message));
  });
});
