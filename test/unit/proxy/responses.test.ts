/**
 * `POST /v1/responses` as a user of the official openai client meets it: `responses.create` and
 * `responses.stream` for any configured model (OpenAI-, Anthropic-, Gemini- and Ollama-backed,
 * each behind its mock), a function-call round trip by `previous_response_id` and by input items,
 * and the fields it refuses. Tests assert what the client got and what the mock received.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import type { MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { startAnthropicMock } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { startOllamaMock } from '../mocks/ollama';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BACKENDS = [
  { name: 'OpenAI', start: () => startOpenAIMock(), params: (u: string) => ({ model: 'openai/gpt-4o', api_base: `${u}/v1`, api_key: 'test-key' }) },
  { name: 'Anthropic', start: () => startAnthropicMock(), params: (u: string) => ({ model: 'anthropic/claude-sonnet-4-5', api_base: u, api_key: 'test-key' }) },
  { name: 'Gemini', start: () => startGeminiMock(), params: (u: string) => ({ model: 'gemini/gemini-2.5-flash', api_base: u, api_key: 'test-key' }) },
  { name: 'Ollama', start: () => startOllamaMock(), params: (u: string) => ({ model: 'ollama_chat/llama3.2', api_base: u }) },
];

const weather: OpenAI.Responses.FunctionTool = { type: 'function', name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] }, strict: false };

for (const b of BACKENDS) {
  describe(`POST /v1/responses with the openai client, backed by ${b.name}`, () => {
    let mock: MockServer;
    let proxy: RunningProxy;
    let client: OpenAI;

    before(async () => {
      mock = await b.start();
      proxy = await startProxy({ config: buildConfig({ model_list: [{ model_name: 'chat', litellm_params: b.params(mock.url) }], litellm_settings: { num_retries: 0 } }, {}), port: 0 });
      client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused-without-master-key', maxRetries: 0 });
    });
    after(async () => {
      await proxy.close();
      await mock.close();
    });

    it('creates a response from a string input with instructions', async () => {
      const r = await client.responses.create({ model: 'chat', instructions: 'Be brief.', input: 'ping', max_output_tokens: 100 });
      assert.equal(r.object, 'response');
      assert.equal(r.status, 'completed');
      assert.match(r.id, /^resp_/);
      assert.match(r.output_text, /^Hello from [\w-]+: ping$/);
      assert.equal(r.output.length, 1);
      assert.equal(r.output[0]!.type, 'message');
      assert.equal(r.usage?.input_tokens, 11);
      assert.equal(r.usage?.output_tokens, 7);
      assert.equal(r.usage?.total_tokens, 18);
      assert.ok(JSON.stringify(mock.requests.at(-1)!.body).includes('Be brief.'), 'the instructions reached the provider');
    });

    it('streams the documented events and a final response', async () => {
      const stream = client.responses.stream({ model: 'chat', input: [{ role: 'user', content: [{ type: 'input_text', text: 'stream ünïcødé 🚀' }] }] });
      const types: string[] = [];
      let text = '';
      for await (const e of stream) {
        types.push(e.type);
        if (e.type === 'response.output_text.delta') text += e.delta;
      }
      const final = await stream.finalResponse();
      assert.match(text, /^Hello from [\w-]+: stream ünïcødé 🚀$/);
      assert.equal(final.output_text, text);
      assert.equal(final.status, 'completed');
      assert.equal(final.usage?.output_tokens, 7);
      assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
      assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
      assert.ok(types.filter((t) => t === 'response.output_text.delta').length >= 2);
    });

    it('round-trips a function call by previous_response_id, streamed, and by input items', async () => {
      const first = await client.responses.create({ model: 'chat', input: 'Weather in Paris?', tools: [weather] });
      const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
      assert.ok(call, JSON.stringify(first.output));
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.arguments), { location: 'Paris' });

      const second = await client.responses.create({ model: 'chat', previous_response_id: first.id, tools: [weather], input: [{ type: 'function_call_output', call_id: call.call_id, output: '18°C and sunny' }] });
      assert.equal(second.output_text, 'Tool said: 18°C and sunny');
      assert.equal(second.previous_response_id, first.id);

      const stream = client.responses.stream({ model: 'chat', input: 'Weather in Paris?', tools: [weather] });
      let args = '';
      for await (const e of stream) if (e.type === 'response.function_call_arguments.delta') args += e.delta;
      const streamed = await stream.finalResponse();
      const streamedCall = streamed.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
      assert.deepEqual(JSON.parse(args), { location: 'Paris' });
      assert.equal(streamedCall.arguments, args);

      // A client that keeps its own history sends the items back instead.
      const third = await client.responses.create({
        model: 'chat', tools: [weather],
        input: [{ role: 'user', content: 'Weather in Paris?' }, ...streamed.output as OpenAI.Responses.ResponseInputItem[], { type: 'function_call_output', call_id: streamedCall.call_id, output: 'rain' }],
      });
      assert.equal(third.output_text, 'Tool said: rain');
    });
  });
}

describe('POST /v1/responses: parameters and refusals', () => {
  let openai: MockServer;
  let anthropic: MockServer;
  let proxy: RunningProxy;
  let client: OpenAI;

  before(async () => {
    openai = await startOpenAIMock();
    anthropic = await startAnthropicMock();
    const model_list = [
      { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o', api_base: `${openai.url}/v1`, api_key: 'test-key' } },
      { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'test-key' } },
    ];
    proxy = await startProxy({ config: buildConfig({ model_list, litellm_settings: { num_retries: 0 } }, {}), port: 0 });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    await openai.close();
    await anthropic.close();
  });

  it('translates text.format, tool_choice and max_output_tokens for the provider', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await client.responses.create({ model: 'gpt', input: 'x', max_output_tokens: 50, temperature: 0.5, text: { format: { type: 'json_schema', name: 'city', schema, strict: true } }, tools: [weather], tool_choice: { type: 'function', name: 'get_weather' } });
    const body = openai.requests.at(-1)!.body as Json;
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } });
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(body.max_tokens, 50);
    assert.equal(body.temperature, 0.5);
  });

  it('gives reasoning.effort to Anthropic as a thinking budget and returns the reasoning', async () => {
    const r = await client.responses.create({ model: 'claude', input: 'think', reasoning: { effort: 'medium' } });
    const body = anthropic.requests.at(-1)!.body as Json;
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(body.max_tokens, 2048 + 4096);
    assert.equal(r.output[0]!.type, 'reasoning');
    assert.deepEqual((r.output[0] as OpenAI.Responses.ResponseReasoningItem).summary, [{ type: 'summary_text', text: 'The user asks; I answer.' }]);
    assert.equal(r.usage?.input_tokens_details.cached_tokens, 3);
  });

  it('refuses unsupported fields and unknown previous responses, naming them', async () => {
    const before = openai.requests.length;
    const refused = async (p: Promise<unknown>, param: string, message: RegExp) => assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      assert.equal((e.error as Json).param, param);
      assert.match(e.message, message);
      return true;
    });
    await refused(client.responses.create({ model: 'gpt', input: 'x', background: true }), 'background', /Unsupported parameter "background"/);
    await refused(client.responses.create({ model: 'gpt', input: 'x', tools: [{ type: 'web_search' }] }), 'tools.0.type', /only function tools/);
    await refused(client.responses.create({ model: 'gpt', input: 'x', previous_response_id: 'resp_unknown' }), 'previous_response_id', /resp_unknown' not found/);
    const unstored = await client.responses.create({ model: 'gpt', input: 'x', store: false });
    await refused(client.responses.create({ model: 'gpt', input: 'y', previous_response_id: unstored.id }), 'previous_response_id', /not found/);
    assert.equal(openai.requests.length, before + 1, 'only the valid request reached the provider');
  });
});
