/**
 * `POST /v1/messages` as a user of the official @anthropic-ai/sdk meets it: any configured model
 * (OpenAI-, Anthropic-, Gemini- and Ollama-backed, each behind its mock speaking the provider's
 * wire format) answers Anthropic Messages requests, streamed and not, with tool use, images,
 * thinking and Anthropic's errors. Each test asserts what the client got and what the mock received.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import { startMockServer, type MockServer, type RecordedRequest } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { anthropicError, anthropicSse, mockTokenCount, startAnthropicMock } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { startOllamaMock } from '../mocks/ollama';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Backend {
  name: string;
  start(): Promise<MockServer>;
  params(url: string): Record<string, unknown>;
  /** The user text of the last request the mock received, in its own wire format. */
  systemOf(body: Json): string;
}

const BACKENDS: Backend[] = [
  { name: 'OpenAI', start: () => startOpenAIMock(), params: (u) => ({ model: 'openai/gpt-4o', api_base: `${u}/v1`, api_key: 'test-key' }), systemOf: (b) => b.messages[0].role === 'system' ? b.messages[0].content.map?.((p: Json) => p.text).join('') ?? b.messages[0].content : '' },
  { name: 'Anthropic', start: () => startAnthropicMock(), params: (u) => ({ model: 'anthropic/claude-sonnet-4-5', api_base: u, api_key: 'test-key' }), systemOf: (b) => typeof b.system === 'string' ? b.system : b.system.map((x: Json) => x.text).join('') },
  { name: 'Gemini', start: () => startGeminiMock(), params: (u) => ({ model: 'gemini/gemini-2.5-flash', api_base: u, api_key: 'test-key' }), systemOf: (b) => b.systemInstruction.parts.map((p: Json) => p.text).join('') },
  { name: 'Ollama', start: () => startOllamaMock(), params: (u) => ({ model: 'ollama_chat/llama3.2', api_base: u }), systemOf: (b) => b.messages[0].role === 'system' ? b.messages[0].content : '' },
];

const weather: Anthropic.Tool = { name: 'get_weather', description: 'Current weather for a city', input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } };
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

for (const b of BACKENDS) {
  describe(`POST /v1/messages with the Anthropic SDK, backed by ${b.name}`, () => {
    let mock: MockServer;
    let proxy: RunningProxy;
    let client: Anthropic;
    const last = (): RecordedRequest => mock.requests.at(-1)!;

    before(async () => {
      mock = await b.start();
      proxy = await startProxy({ config: buildConfig({ model_list: [{ model_name: 'chat', litellm_params: b.params(mock.url) }], litellm_settings: { num_retries: 0 } }, {}), port: 0 });
      client = new Anthropic({ baseURL: proxy.url, apiKey: 'unused-without-master-key', maxRetries: 0 });
    });
    after(async () => {
      await proxy.close();
      await mock.close();
    });

    it('answers a message with system text and stop sequences', async () => {
      const m = await client.messages.create({ model: 'chat', max_tokens: 256, system: 'Be brief.', stop_sequences: ['###'], messages: [{ role: 'user', content: 'ping' }] });
      assert.equal(m.type, 'message');
      assert.equal(m.role, 'assistant');
      assert.equal(m.model, 'chat');
      assert.match(m.id, /^msg_/);
      assert.equal(m.stop_reason, 'end_turn');
      assert.equal(m.content.length, 1);
      assert.equal(m.content[0]!.type, 'text');
      assert.match((m.content[0] as Anthropic.TextBlock).text, /^Hello from [\w-]+: ping$/);
      // The mocks report 11 prompt tokens of which 3 are cached (where the provider says so).
      assert.equal(m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0) + (m.usage.cache_creation_input_tokens ?? 0), 11);
      assert.equal(m.usage.output_tokens, 7);
      assert.equal(b.systemOf(last().body as Json), 'Be brief.');
    });

    it('streams the documented event sequence', async () => {
      const stream = client.messages.stream({ model: 'chat', max_tokens: 256, messages: [{ role: 'user', content: 'stream ünïcødé 🚀' }] });
      const types: string[] = [];
      let text = '';
      for await (const e of stream) {
        types.push(e.type);
        if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
      }
      const final = await stream.finalMessage();
      assert.match(text, /^Hello from [\w-]+: stream ünïcødé 🚀$/);
      assert.equal((final.content[0] as Anthropic.TextBlock).text, text);
      assert.equal(types[0], 'message_start');
      assert.equal(types.at(-1), 'message_stop');
      assert.equal(types.at(-2), 'message_delta');
      assert.ok(types.includes('content_block_start') && types.includes('content_block_stop'));
      assert.ok(types.filter((t) => t === 'content_block_delta').length >= 2, types.join(','));
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(final.usage.output_tokens, 7);
    });

    it('round-trips a tool use, streamed and not', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.messages.create({ model: 'chat', max_tokens: 256, messages, tools: [weather], tool_choice: { type: 'auto' } });
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((c): c is Anthropic.ToolUseBlock => c.type === 'tool_use');
      assert.ok(use, JSON.stringify(first.content));
      assert.equal(use.name, 'get_weather');
      assert.deepEqual(use.input, { location: 'Paris' });

      const stream = client.messages.stream({ model: 'chat', max_tokens: 256, messages, tools: [weather] });
      let json = '';
      for await (const e of stream) if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') json += e.delta.partial_json;
      const streamed = await stream.finalMessage();
      assert.deepEqual(JSON.parse(json), { location: 'Paris' });
      assert.deepEqual(streamed.content.find((c) => c.type === 'tool_use')?.input, { location: 'Paris' });
      assert.equal(streamed.stop_reason, 'tool_use');

      const second = await client.messages.create({
        model: 'chat', max_tokens: 256, tools: [weather],
        messages: [...messages, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18°C and sunny' }] }],
      });
      assert.equal((second.content[0] as Anthropic.TextBlock).text, 'Tool said: 18°C and sunny');
      assert.equal(second.stop_reason, 'end_turn');
    });

    it('sends an image block', async () => {
      const m = await client.messages.create({ model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] }] });
      assert.equal((m.content[0] as Anthropic.TextBlock).text, 'I see 1 image(s): image/png');
    });

    it(b.name === 'Anthropic' ? 'counts tokens with Anthropic\'s count_tokens' : 'estimates the tokens a request counts', async () => {
      const before = mock.requests.length;
      const short = await client.messages.countTokens({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      const long = await client.messages.countTokens({ model: 'chat', system: 'x'.repeat(4000), messages: [{ role: 'user', content: 'hi' }], tools: [weather] });
      assert.ok(short.input_tokens >= 1 && short.input_tokens < 30, String(short.input_tokens));
      assert.ok(long.input_tokens > 1000, String(long.input_tokens));
      const sent = mock.requests.slice(before);
      if (b.name !== 'Anthropic') return assert.equal(sent.length, 0, 'an estimate calls no model');
      assert.deepEqual(sent.map((r) => r.url), ['/v1/messages/count_tokens', '/v1/messages/count_tokens']);
      const body = sent[1]!.body as Json;
      assert.equal(body.model, 'claude-sonnet-4-5');
      assert.equal(body.max_tokens, undefined, 'count_tokens takes no max_tokens');
      assert.equal(body.tools[0].name, 'get_weather');
      assert.equal(long.input_tokens, mockTokenCount(body), 'the provider\'s own count, not an estimate');
    });
  });
}

describe('POST /v1/messages: errors, auth and what reaches Anthropic', () => {
  let anthropic: MockServer;
  let flaky: MockServer;
  let proxy: RunningProxy;
  let client: Anthropic;
  const KEY = 'sk-master-for-tests-123';
  const sent = (): Json => anthropic.requests.at(-1)!.body as Json;

  before(async () => {
    anthropic = await startAnthropicMock();
    flaky = await startMockServer((req) => {
      const model = (req.body as Json).model;
      if (model === 'claude-limited') return anthropicError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit');
      if (model !== 'claude-midstream') return anthropicError(529, 'overloaded_error', 'Overloaded');
      // A 200 whose stream breaks off with Anthropic's in-band error event.
      const events = [
        { type: 'message_start', message: { id: 'msg_cut', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: 5, output_tokens: 1 } } },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Half an ans' } },
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      ];
      return { kind: 'raw', contentType: 'text/event-stream', pieces: [anthropicSse(events)] };
    });
    const model_list = [
      { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'test-key' } },
      { model_name: 'limited', litellm_params: { model: 'anthropic/claude-limited', api_base: flaky.url, api_key: 'test-key' } },
      { model_name: 'overloaded', litellm_params: { model: 'anthropic/claude-overloaded', api_base: flaky.url, api_key: 'test-key' } },
      { model_name: 'midstream', litellm_params: { model: 'anthropic/claude-midstream', api_base: flaky.url, api_key: 'test-key' } },
    ];
    proxy = await startProxy({ config: buildConfig({ model_list, litellm_settings: { num_retries: 0 } }, {}), port: 0, masterKey: KEY });
    client = new Anthropic({ baseURL: proxy.url, apiKey: KEY, maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await anthropic.close();
    await flaky.close();
  });

  const rejects = async (p: Promise<unknown>, status: number, type: string, message?: RegExp) => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError, String(e));
      assert.equal(e.status, status);
      const body = e.error as Json;
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, type);
      if (message) assert.match(body.error.message, message);
      return true;
    });
  };

  it('answers upstream failures in Anthropic\'s error shape and status', async () => {
    await rejects(client.messages.create({ model: 'limited', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), 429, 'rate_limit_error', /rate limit/);
    const overloaded = client.messages.create({ model: 'overloaded', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    await assert.rejects(overloaded, Anthropic.OverloadedError);
    await rejects(client.messages.create({ model: 'overloaded', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), 529, 'overloaded_error');
    await rejects(client.messages.create({ model: 'nope', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), 404, 'not_found_error', /nope/);
  });

  it('ends a stream that fails midway with Anthropic\'s error event (and the Responses API with its own)', async () => {
    const stream = client.messages.stream({ model: 'midstream', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    stream.on('text', (t) => { text += t; });
    await assert.rejects(stream.finalMessage(), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError, String(e));
      assert.equal((e.error as Json).error.type, 'overloaded_error');
      return true;
    });
    assert.equal(text, 'Half an ans');

    const openai = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const events: string[] = [];
    await assert.rejects((async () => {
      for await (const e of openai.responses.stream({ model: 'midstream', input: 'x' })) events.push(e.type);
    })(), (e: unknown) => e instanceof OpenAI.APIError && /Overloaded/.test(e.message));
    assert.ok(events.includes('response.output_text.delta') && !events.includes('response.completed'), events.join(','));
  });

  it('refuses a field it cannot honour, naming it', async () => {
    const before = anthropic.requests.length;
    const topK = { top_k: 5 }; // not in this SDK's types, still sent by older clients
    await rejects(client.messages.create({ model: 'claude', max_tokens: 10, ...topK, messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error', /top_k/);
    await rejects(client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] }), 400, 'invalid_request_error', /messages\[0\]\.content\[0\]\.type: Invalid discriminator/);
    assert.equal(anthropic.requests.length, before, 'nothing reached the provider');
  });

  it('takes the master key as x-api-key or Authorization: Bearer, and refuses others', async () => {
    const bearer = new Anthropic({ baseURL: proxy.url, authToken: KEY, apiKey: null, maxRetries: 0 });
    const m = await bearer.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'bearer' }] });
    assert.equal((m.content[0] as Anthropic.TextBlock).text, 'Hello from anthropic: bearer');
    const wrong = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-wrong-key-0000', maxRetries: 0 });
    await rejects(wrong.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), 401, 'authentication_error');
    // The proxy's own key never goes upstream: the deployment's does.
    assert.equal(anthropic.requests.at(-1)!.headers['x-api-key'], 'test-key');
  });

  it('passes cache_control on system, text, image and tool blocks to Anthropic and reports cached tokens', async () => {
    const eph = { type: 'ephemeral' as const };
    const m = await client.messages.create({
      model: 'claude', max_tokens: 64,
      system: [{ type: 'text', text: 'A long system prompt.', cache_control: eph }],
      tools: [{ ...weather, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      tool_choice: { type: 'none' },
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG }, cache_control: eph }, { type: 'text', text: 'Describe.', cache_control: eph }] }],
    });
    const body = sent();
    assert.deepEqual(body.system, [{ type: 'text', text: 'A long system prompt.', cache_control: eph }]);
    assert.deepEqual(body.tools[0].cache_control, { type: 'ephemeral', ttl: '1h' });
    assert.deepEqual(body.messages[0].content.map((c: Json) => c.cache_control), [eph, eph]);
    assert.equal(m.usage.cache_read_input_tokens, 3);
    assert.equal(m.usage.input_tokens, 8);
  });

  it('passes thinking through and sends the signed thinking blocks back on the tool turn', async () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 2048 };
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.messages.create({ model: 'claude', max_tokens: 4096, thinking, tools: [weather], messages });
    assert.deepEqual(sent().thinking, thinking);
    assert.equal(first.content[0]!.type, 'thinking');
    const block = first.content[0] as Anthropic.ThinkingBlock;
    assert.match(block.signature, /^sig_/);
    const use = first.content.find((c): c is Anthropic.ToolUseBlock => c.type === 'tool_use')!;

    const stream = client.messages.stream({ model: 'claude', max_tokens: 4096, thinking, tools: [weather], messages });
    const deltas: string[] = [];
    for await (const e of stream) if (e.type === 'content_block_delta') deltas.push(e.delta.type);
    const streamed = await stream.finalMessage();
    assert.ok(deltas.includes('thinking_delta') && deltas.includes('signature_delta'), deltas.join(','));
    assert.deepEqual(streamed.content[0], block);

    // The mock refuses a tool turn whose thinking block lost its signature, as Anthropic does.
    const second = await client.messages.create({
      model: 'claude', max_tokens: 4096, thinking, tools: [weather],
      messages: [...messages, { role: 'assistant', content: streamed.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] }],
    });
    assert.equal((second.content.find((c) => c.type === 'text') as Anthropic.TextBlock).text, 'Tool said: sunny');
    assert.deepEqual(sent().messages[1].content[0], { type: 'thinking', thinking: block.thinking, signature: block.signature });
  });
});

describe('POST /v1/messages: which stop sequence ended the answer', () => {
  let anthropic: MockServer;
  let vllm: MockServer;
  let openai: MockServer;
  let proxy: RunningProxy;
  let client: Anthropic;

  before(async () => {
    [anthropic, vllm, openai] = await Promise.all([startAnthropicMock(), startOpenAIMock({ flavour: 'vllm' }), startOpenAIMock()]);
    proxy = await startProxy({
      config: buildConfig({
        model_list: [
          { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'test-key' } },
          { model_name: 'local', litellm_params: { model: 'hosted_vllm/qwen3', api_base: `${vllm.url}/v1` } },
          { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } },
        ],
        litellm_settings: { num_retries: 0 },
      }, {}),
      port: 0,
    });
    client = new Anthropic({ baseURL: proxy.url, apiKey: 'unused-without-master-key', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([anthropic.close(), vllm.close(), openai.close()]);
  });

  const ask = { max_tokens: 64, stop_sequences: ['END', '###'], messages: [{ role: 'user' as const, content: 'one ### two END three' }] };

  for (const [model, family] of [['claude', 'anthropic'], ['local', 'vllm']] as const) {
    it(`reports stop_sequence and the sequence the ${family} backend matched, streamed and not`, async () => {
      const m = await client.messages.create({ model, ...ask });
      assert.equal((m.content[0] as Anthropic.TextBlock).text, `Hello from ${family}: one `);
      assert.equal(m.stop_reason, 'stop_sequence');
      assert.equal(m.stop_sequence, '###');

      const streamed = await client.messages.stream({ model, ...ask }).finalMessage();
      assert.equal(streamed.stop_reason, 'stop_sequence');
      assert.equal(streamed.stop_sequence, '###');
    });
  }

  it('says end_turn when the backend does not say which sequence matched (OpenAI)', async () => {
    const m = await client.messages.create({ model: 'gpt', ...ask });
    assert.equal((m.content[0] as Anthropic.TextBlock).text, 'Hello from openai: one ');
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.stop_sequence, null);
    assert.deepEqual((openai.requests.at(-1)!.body as Json).stop, ['END', '###']);
  });
});
