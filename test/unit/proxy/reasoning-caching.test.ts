/**
 * Reasoning and prompt caching through the OpenAI format: `reasoning_effort` and Anthropic's
 * `thinking` become each provider's own control (Anthropic thinking budget, Gemini
 * thinkingConfig, Ollama think, OpenAI reasoning_effort); reasoning comes back as
 * `reasoning_content` and signed `thinking_blocks`, which a tool turn sends back upstream; and
 * `cache_control` reaches Anthropic (not OpenAI), with cached tokens and their cost reported.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import type { MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { signatureOf, startAnthropicMock, THINKING_TEXT } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { startOllamaMock } from '../mocks/ollama';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('proxy: reasoning and prompt caching through chat completions', () => {
  let mocks: Record<'openai' | 'anthropic' | 'gemini' | 'ollama', MockServer>;
  let proxy: RunningProxy;
  let client: OpenAI;
  const sent = (m: MockServer): Json => m.requests.at(-1)!.body as Json;
  const weather: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };

  before(async () => {
    mocks = { openai: await startOpenAIMock(), anthropic: await startAnthropicMock(), gemini: await startGeminiMock(), ollama: await startOllamaMock() };
    const model_list = [
      { model_name: 'gpt', litellm_params: { model: 'openai/o4-mini', api_base: `${mocks.openai.url}/v1`, api_key: 'test-key' } },
      { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: mocks.anthropic.url, api_key: 'test-key' } },
      { model_name: 'gemini', litellm_params: { model: 'gemini/gemini-2.5-flash', api_base: mocks.gemini.url, api_key: 'test-key' } },
      { model_name: 'local', litellm_params: { model: 'ollama_chat/llama3.2', api_base: mocks.ollama.url } },
      { model_name: 'claude-cached', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: mocks.anthropic.url, api_key: 'test-key', cache_control_injection_points: [{ location: 'message', role: 'system' }, { location: 'message', index: -1 }] } },
      { model_name: 'gpt-cached', litellm_params: { model: 'openai/gpt-4o', api_base: `${mocks.openai.url}/v1`, api_key: 'test-key', cache_control_injection_points: [{ location: 'message', role: 'system' }] } },
    ];
    proxy = await startProxy({ config: buildConfig({ model_list, litellm_settings: { num_retries: 0 } }, {}), port: 0 });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await proxy.close();
    for (const m of Object.values(mocks)) await m.close();
  });

  const ask = (model: string, extra: Record<string, unknown>) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'think' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);

  it('translates reasoning_effort and thinking to every provider\'s control', async () => {
    await ask('claude', { reasoning_effort: 'low' });
    assert.deepEqual(sent(mocks.anthropic).thinking, { type: 'enabled', budget_tokens: 1024 });
    assert.equal(sent(mocks.anthropic).max_tokens, 1024 + 4096, 'max_tokens stays above the budget');
    await ask('gemini', { reasoning_effort: 'high' });
    assert.deepEqual(sent(mocks.gemini).generationConfig.thinkingConfig, { thinkingBudget: 4096, includeThoughts: true });
    await ask('gemini', { thinking: { type: 'disabled' } });
    assert.deepEqual(sent(mocks.gemini).generationConfig.thinkingConfig, { thinkingBudget: 0 });
    await ask('local', { reasoning_effort: 'medium' });
    assert.equal(sent(mocks.ollama).think, true);
    await ask('gpt', { thinking: { type: 'enabled', budget_tokens: 2000 } });
    assert.equal(sent(mocks.openai).reasoning_effort, 'medium');
    assert.equal(sent(mocks.openai).thinking, undefined);
  });

  it('returns reasoning_content and signed thinking_blocks, and sends them back on the tool turn', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'claude', messages, tools: [weather], reasoning_effort: 'low' });
    const msg = first.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string; thinking_blocks?: Json[] };
    assert.equal(msg.reasoning_content, THINKING_TEXT);
    assert.deepEqual(msg.thinking_blocks, [{ type: 'thinking', thinking: THINKING_TEXT, signature: signatureOf(THINKING_TEXT) }]);

    const stream = await client.chat.completions.create({ model: 'claude', messages, tools: [weather], reasoning_effort: 'low', stream: true });
    let reasoning = '';
    const signatures: string[] = [];
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta as (Json | undefined);
      reasoning += d?.reasoning_content ?? '';
      for (const b of d?.thinking_blocks ?? []) signatures.push(b.signature);
    }
    assert.equal(reasoning, THINKING_TEXT);
    assert.deepEqual(signatures, [signatureOf(THINKING_TEXT)]);

    // The Anthropic mock, like Anthropic, refuses this turn unless the signed block comes first.
    const second = await client.chat.completions.create({
      model: 'claude', tools: [weather], reasoning_effort: 'low',
      messages: [...messages, msg as OpenAI.ChatCompletionAssistantMessageParam, { role: 'tool', tool_call_id: msg.tool_calls![0]!.id, content: 'sunny' }],
    });
    assert.equal(second.choices[0]!.message.content, 'Tool said: sunny');
    assert.deepEqual(sent(mocks.anthropic).messages[1].content[0], { type: 'thinking', thinking: THINKING_TEXT, signature: signatureOf(THINKING_TEXT) });
  });

  it('passes cache_control to Anthropic only, and reports cached tokens and their cost', async () => {
    const eph = { type: 'ephemeral' };
    const messages = [
      { role: 'system', content: [{ type: 'text', text: 'Long instructions.', cache_control: eph }] },
      { role: 'user', content: [{ type: 'text', text: 'Question', cache_control: eph }] },
    ];
    const tools = [{ ...weather, cache_control: eph }];
    const raw = await client.chat.completions.create({ model: 'claude', messages, tools, tool_choice: 'none' } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
    const body = sent(mocks.anthropic);
    assert.deepEqual(body.system, [{ type: 'text', text: 'Long instructions.', cache_control: eph }]);
    assert.deepEqual(body.messages[0].content[0].cache_control, eph);
    assert.deepEqual(body.tools[0].cache_control, eph);
    const usage = raw.data.usage as OpenAI.CompletionUsage & Json;
    assert.equal(usage.prompt_tokens, 11);
    assert.equal(usage.prompt_tokens_details?.cached_tokens, 3);
    assert.equal(usage.cache_read_input_tokens, 3);
    assert.equal(usage.cache_creation_input_tokens, 0);
    // claude-sonnet-4-5: $3/M input, $0.30/M cache reads, $15/M output → 8·3 + 3·0.3 + 7·15 = 129.9 µ$.
    assert.equal(Number(raw.response.headers.get('x-anymodel-response-cost')), 0.0001299);

    await client.chat.completions.create({ model: 'gpt', messages, tools } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assert.ok(!JSON.stringify(sent(mocks.openai)).includes('cache_control'), 'OpenAI caches by itself and gets no Anthropic markers');
  });

  it('injects cache_control at a deployment\'s cache_control_injection_points for Anthropic only', async () => {
    const eph = { type: 'ephemeral' };
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Long instructions.' },
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'First answer' },
      { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'text', text: 'Second question' }] },
    ];
    await client.chat.completions.create({ model: 'claude-cached', messages });
    const body = sent(mocks.anthropic);
    assert.deepEqual(body.system, [{ type: 'text', text: 'Long instructions.', cache_control: eph }], 'role: system marks the system block');
    assert.ok(!JSON.stringify(body.messages.slice(0, 2)).includes('cache_control'), 'messages no point names get no marker');
    assert.deepEqual(body.messages[2].content, [{ type: 'text', text: 'Look:' }, { type: 'text', text: 'Second question', cache_control: eph }], 'index: -1 marks the last part of the last message');

    await client.chat.completions.create({ model: 'gpt-cached', messages });
    const toOpenAI = sent(mocks.openai);
    assert.ok(!JSON.stringify(toOpenAI).includes('cache_control'), 'OpenAI gets no markers');
    assert.deepEqual(toOpenAI.messages[0], { role: 'system', content: 'Long instructions.' }, 'nor a changed system message');
  });
});
