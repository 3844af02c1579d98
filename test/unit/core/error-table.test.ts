/**
 * The error table is the one place an error kind is classified: the proxy's status and OpenAI
 * body, the router's retries, the offline switch and the chat's actions all follow it. Driven
 * through the parts that read it, against mock providers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { AnyModelClient } from '../../../src/core/client';
import { Router } from '../../../src/core/router/router';
import { ERROR_TABLE, anthropicType, type ErrorKind } from '../../../src/core/types/error-table';
import { AnyModelError } from '../../../src/core/types/errors';
import { isOutage } from '../../../src/extension/offline';
import { chatError } from '../../../src/extension/chat/chatError';
import { toErrorBody } from '../../../src/proxy/openai-format';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import type { MockServer } from '../helpers/mock-server';
import { startAnthropicMock } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { startOpenAIMock } from '../mocks/openai';

const KINDS = Object.keys(ERROR_TABLE) as ErrorKind[];
const LONG = 'lorem ipsum '.repeat(200); // ≈ 600 tokens at 4 characters a token

describe('error table: a context window error reaches OpenAI clients as OpenAI sends it', () => {
  const mocks: MockServer[] = [];
  let proxy: RunningProxy;
  let client: OpenAI;

  before(async () => {
    const anthropic = await startAnthropicMock({ contextTokens: 100 });
    const gemini = await startGeminiMock({ contextTokens: 100 });
    mocks.push(anthropic, gemini);
    const config = buildConfig({
      model_list: [
        { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'test-key' } },
        { model_name: 'gemini', litellm_params: { model: 'gemini/gemini-2.5-flash', api_base: gemini.url, api_key: 'test-key' } },
      ],
      litellm_settings: { num_retries: 0 },
    }, {});
    proxy = await startProxy({ config, port: 0 });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused-without-master-key', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    for (const m of mocks) await m.close();
  });

  for (const model of ['claude', 'gemini']) {
    for (const stream of [false, true]) {
      it(`${model}${stream ? ', streamed' : ''}: 400 invalid_request_error with code context_length_exceeded`, async () => {
        const err = await client.chat.completions.create({ model, messages: [{ role: 'user', content: LONG }], stream }).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof OpenAI.BadRequestError, `got ${String(err)}`);
        assert.equal(err.status, 400);
        assert.equal(err.code, 'context_length_exceeded');
        assert.equal(err.type, 'invalid_request_error');
        assert.match(err.message, model === 'claude' ? /prompt is too long: \d+ tokens > 100 maximum/ : /input token count \(\d+\) exceeds the maximum/);
      });
    }
  }

  it('short prompts still answer (the mock refuses only what is over its window)', async () => {
    const r = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]!.message.content, 'Hello from anthropic: hi');
  });
});

describe('error table: x-should-retry overrides the kind, as openai-node obeys it', () => {
  let mock: MockServer;
  let reply: { status: number; shouldRetry?: string };

  before(async () => {
    mock = await startOpenAIMock();
    mock.handle(() => ({
      kind: 'json', status: reply.status,
      headers: reply.shouldRetry === undefined ? {} : { 'x-should-retry': reply.shouldRetry } as Record<string, string>,
      body: { error: { message: `status ${reply.status}`, type: reply.status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } },
    }));
  });
  after(() => mock.close());
  const client = () => new AnyModelClient(buildConfig({
    model_list: [{ model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${mock.url}/v1`, api_key: 'test-key' } }],
    litellm_settings: { num_retries: 2 },
  }, {}), { router: { sleep: async () => undefined } });
  const attempts = async (status: number, shouldRetry?: string) => {
    reply = { status, shouldRetry };
    mock.requests.length = 0;
    const err = await client().chat({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AnyModelError);
    return { sent: mock.requests.length, err };
  };

  it('a 500 is retried; with x-should-retry: false it is sent once', async () => {
    assert.equal((await attempts(500)).sent, 3);
    const { sent, err } = await attempts(500, 'false');
    assert.equal(sent, 1);
    assert.equal(err.retryable, false);
    assert.equal(err.kind, 'InternalServer');
  });

  it('a 400 is sent once; with x-should-retry: true it is retried', async () => {
    assert.equal((await attempts(400)).sent, 1);
    const { sent, err } = await attempts(400, 'true');
    assert.equal(sent, 3);
    assert.equal(err.retryable, true);
  });

  it('only the exact strings count: "TRUE" or "1" leave the status to decide', async () => {
    assert.equal((await attempts(400, 'TRUE')).sent, 1);
    assert.equal((await attempts(500, '0')).sent, 3);
  });
});

describe('error table: everything else reads it', () => {
  it('the router retries exactly the kinds the table calls retryable, and "elsewhere" ones only on another deployment', async () => {
    for (const kind of KINDS) {
      const config = buildConfig({
        model_list: [{ model_name: 'g', litellm_params: { model: 'openai/a', api_base: 'http://127.0.0.1:1/a' } }],
        litellm_settings: { num_retries: 2 },
      }, {});
      const router = new Router(config, { sleep: async () => undefined, random: () => 0 });
      let calls = 0;
      await router.run('g', async () => { calls++; throw new AnyModelError({ kind, message: kind }); }).catch(() => undefined);
      const expected = ERROR_TABLE[kind].retry === 'same' ? 3 : 1;
      assert.equal(calls, expected, `${kind}: ${calls} calls on one deployment`);
      assert.equal(new AnyModelError({ kind, message: kind }).retryable, expected === 3, kind);
    }
    const two = buildConfig({
      model_list: ['a', 'b'].map((m) => ({ model_name: 'g', litellm_params: { model: `openai/${m}`, api_base: `http://127.0.0.1:1/${m}` } })),
      litellm_settings: { num_retries: 2 },
    }, {});
    const seen: string[] = [];
    const answered = await new Router(two, { sleep: async () => undefined, random: () => 0 }).run('g', async (d) => {
      seen.push(d.model);
      if (d.model === 'a') throw new AnyModelError({ kind: 'Authentication', message: 'bad key' });
      return d.model;
    });
    assert.deepEqual([answered.value, seen], ['b', ['a', 'b']]);
  });

  it('the proxy answers with the row\'s status and OpenAI type, and the provider\'s code only when it has OpenAI\'s shape', () => {
    const body = (kind: ErrorKind, code?: string) => (toErrorBody(new AnyModelError({ kind, message: 'm', code })) as { error: { type: string; code: string | null } }).error;
    assert.deepEqual(body('ContextWindowExceeded', 'invalid_request_error'), { message: 'm', type: 'invalid_request_error', param: null, code: 'context_length_exceeded' });
    assert.deepEqual([body('RateLimit', 'RESOURCE_EXHAUSTED').type, body('RateLimit', 'RESOURCE_EXHAUSTED').code], ['requests', 'rate_limit_exceeded']);
    assert.equal(body('RateLimit', 'insufficient_quota').code, 'insufficient_quota');
    assert.equal(body('ServiceUnavailable', 'overloaded_error').code, null);
    assert.equal(body('BadRequest', 'BadRequestError').code, null, "vLLM's class name is not an OpenAI code");
    assert.equal(body('BadRequest', 'unsupported_capability').code, 'unsupported_capability');
    assert.equal(body('Authentication').code, 'invalid_api_key');
    assert.equal(new AnyModelError({ kind: 'ServiceUnavailable', message: 'm' }).httpStatus, 503);
    assert.equal(anthropicType('ServiceUnavailable', undefined), 'overloaded_error');
    assert.equal(anthropicType('BadRequest', 'request_too_large'), 'request_too_large');
  });

  it('the offline switch and the chat actions follow the outage and retry columns', () => {
    for (const kind of KINDS) {
      assert.equal(isOutage({ kind }), ERROR_TABLE[kind].outage, kind);
      const actions = chatError(new AnyModelError({ kind, message: kind }), 'm').actions;
      const expected = kind === 'Authentication' ? ['setKey', 'pickModel'] : ERROR_TABLE[kind].retry === 'same' ? ['retry', 'pickModel'] : ['pickModel'];
      assert.deepEqual(actions, expected, kind);
    }
    assert.equal(isOutage({ kind: 'toString' }), false, 'a property of every object is not a kind');
    assert.deepEqual(chatError(new AnyModelError({ kind: 'BadRequest', message: 'x', shouldRetry: true }), 'm').actions, ['retry', 'pickModel']);
  });
});
