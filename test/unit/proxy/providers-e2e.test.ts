/**
 * Every seed provider, end to end as a user meets it: the official openai client → `anymodel
 * proxy` → the adapter → a mock speaking that provider's documented wire format. Each mock follows
 * the same script (see test/unit/mocks/*): a greeting that echoes the prompt, a tool call to the
 * first tool with {"location":"Paris"}, "Tool said: …" after a tool result, an image count, and
 * embeddings [len, 0.5, -0.25].
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { buildConfig } from '../../../src/core/config/load';
import { startProxy, type RunningProxy } from '../../../src/proxy/start';
import type { MockServer } from '../helpers/mock-server';
import { startOpenAIMock } from '../mocks/openai';
import { startAzureMock } from '../mocks/azure';
import { startAnthropicMock } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { startOllamaMock } from '../mocks/ollama';

interface ProviderCase {
  name: string;
  start(): Promise<MockServer>;
  chat(url: string): Record<string, unknown>;
  /** The path (without query) the provider's chat endpoint lives at. */
  chatPath: RegExp;
  vision: boolean;
  embed?(url: string): Record<string, unknown>;
  /** Where the provider's API wants the system prompt, read from the body the mock received, and whether it also stayed among the turns. */
  system(body: Body): { system: unknown; inTurns: boolean };
}

type Body = Record<string, unknown> & { messages?: { role: string; content: unknown }[]; contents?: { role?: string }[] };
/** OpenAI's wire format (OpenAI, Azure, TGI, vLLM) and Ollama's /api/chat: a system message first among the messages. */
const systemMessage = (b: Body) => ({ system: b.messages?.[0]?.role === 'system' ? b.messages[0].content : undefined, inTurns: false });
/** Anthropic: the top-level `system`; the Messages API refuses a system role in `messages`. */
const anthropicSystem = (b: Body) => ({ system: b.system, inTurns: (b.messages ?? []).some((m) => m.role === 'system') });
/** Gemini: `systemInstruction.parts[].text`; `contents` hold only user and model turns. */
const geminiSystem = (b: Body) => ({
  system: (b.systemInstruction as { parts?: { text?: string }[] } | undefined)?.parts?.map((p) => p.text).join(''),
  inTurns: (b.contents ?? []).some((c) => c.role !== 'user' && c.role !== 'model'),
});

const CASES: ProviderCase[] = [
  { name: 'OpenAI', start: () => startOpenAIMock(), chat: (u) => ({ model: 'openai/gpt-4o', api_base: `${u}/v1`, api_key: 'test-key' }), chatPath: /^\/v1\/chat\/completions$/, vision: true, system: systemMessage, embed: (u) => ({ model: 'openai/text-embedding-3-small', api_base: `${u}/v1`, api_key: 'test-key' }) },
  { name: 'Azure OpenAI', start: () => startAzureMock(), chat: (u) => ({ model: 'azure/my-gpt-4o', api_base: u, api_key: 'test-key', api_version: '2024-10-21' }), chatPath: /^\/openai\/deployments\/my-gpt-4o\/chat\/completions$/, vision: true, system: systemMessage, embed: (u) => ({ model: 'azure/my-embedding', api_base: u, api_key: 'test-key', api_version: '2024-10-21' }) },
  { name: 'Anthropic', start: () => startAnthropicMock(), chat: (u) => ({ model: 'anthropic/claude-sonnet-4-5', api_base: u, api_key: 'test-key' }), chatPath: /^\/v1\/messages$/, vision: true, system: anthropicSystem },
  { name: 'Gemini', start: () => startGeminiMock(), chat: (u) => ({ model: 'gemini/gemini-2.5-flash', api_base: u, api_key: 'test-key' }), chatPath: /^\/v1beta\/models\/gemini-2\.5-flash:(generateContent|streamGenerateContent)$/, vision: true, system: geminiSystem, embed: (u) => ({ model: 'gemini/gemini-embedding-001', api_base: u, api_key: 'test-key' }) },
  { name: 'Hugging Face (TGI endpoint)', start: () => startOpenAIMock({ flavour: 'tgi' }), chat: (u) => ({ model: 'huggingface/meta-llama/Llama-3.1-8B-Instruct', api_base: `${u}/v1`, api_key: 'test-key' }), chatPath: /^\/v1\/chat\/completions$/, vision: true, system: systemMessage, embed: (u) => ({ model: 'huggingface/BAAI/bge-small-en-v1.5', api_base: `${u}/v1`, api_key: 'test-key' }) },
  { name: 'Ollama', start: () => startOllamaMock(), chat: (u) => ({ model: 'ollama_chat/llama3.2', api_base: u }), chatPath: /^\/api\/chat$/, vision: true, system: systemMessage, embed: (u) => ({ model: 'ollama/nomic-embed-text', api_base: u }) },
  { name: 'vLLM', start: () => startOpenAIMock({ flavour: 'vllm' }), chat: (u) => ({ model: 'hosted_vllm/Qwen/Qwen2.5-7B-Instruct', api_base: `${u}/v1` }), chatPath: /^\/v1\/chat\/completions$/, vision: true, system: systemMessage, embed: (u) => ({ model: 'hosted_vllm/intfloat/e5-small', api_base: `${u}/v1` }) },
];

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
};
const PNG_1x1 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

for (const c of CASES) {
  describe(`${c.name} through anymodel proxy with the openai client`, () => {
    let mock: MockServer;
    let proxy: RunningProxy;
    let client: OpenAI;

    before(async () => {
      mock = await c.start();
      const model_list = [{ model_name: 'chat', litellm_params: c.chat(mock.url) }];
      if (c.embed) model_list.push({ model_name: 'embed', litellm_params: c.embed(mock.url) });
      proxy = await startProxy({ config: buildConfig({ model_list, litellm_settings: { num_retries: 0 } }, {}), port: 0 });
      client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused-without-master-key', maxRetries: 0 });
    });
    after(async () => {
      await proxy.close();
      await mock.close();
    });
    beforeEach(() => { mock.requests.length = 0; });

    const lastPath = () => mock.requests.at(-1)!.url.split('?')[0];

    it('answers a chat completion', async () => {
      const r = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'ping' }] });
      assert.match(r.choices[0]!.message.content ?? '', /^Hello from [\w-]+: ping$/);
      assert.equal(r.choices[0]!.finish_reason, 'stop');
      assert.equal(r.usage?.prompt_tokens, 11);
      assert.equal(r.usage?.completion_tokens, 7);
      assert.match(lastPath()!, c.chatPath);
      assert.deepEqual(c.system(mock.requests.at(-1)!.body as Body), { system: 'Be brief.', inTurns: false }, 'the system prompt is where this provider reads it');
    });

    it('streams a chat completion with a usage chunk', async () => {
      const stream = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'stream ünïcødé 🚀' }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let deltas = 0;
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        const d = chunk.choices[0]?.delta.content;
        if (d) { text += d; deltas++; }
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage ?? usage;
      }
      assert.match(text, /^Hello from [\w-]+: stream ünïcødé 🚀$/);
      assert.ok(deltas >= 3, `streamed in ${deltas} deltas`);
      assert.equal(finish, 'stop');
      assert.equal(usage?.completion_tokens, 7);
      assert.match(lastPath()!, c.chatPath);
    });

    it('round-trips a tool call, streamed and not', async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool] });
      const call = first.choices[0]!.message.tool_calls?.[0];
      assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
      assert.ok(call && call.type === 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { location: 'Paris' });

      const stream = await client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool], stream: true });
      let args = '';
      let name = '';
      let id = '';
      for await (const chunk of stream) {
        for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
          name += tc.function?.name ?? '';
          id ||= tc.id ?? '';
          args += tc.function?.arguments ?? '';
        }
      }
      assert.equal(name, 'get_weather');
      assert.ok(id, 'a streamed tool call carries an id');
      assert.deepEqual(JSON.parse(args), { location: 'Paris' });

      const second = await client.chat.completions.create({
        model: 'chat',
        tools: [weatherTool],
        messages: [...messages, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '18°C and sunny' }],
      });
      assert.equal(second.choices[0]!.message.content, 'Tool said: 18°C and sunny');
    });

    if (c.vision) {
      it('sends an image', async () => {
        const r = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: PNG_1x1 } }] }] });
        assert.equal(r.choices[0]!.message.content, 'I see 1 image(s): image/png');
      });
    }

    if (c.embed) {
      it('embeds', async () => {
        const r = await client.embeddings.create({ model: 'embed', input: ['abc', 'hello'] });
        assert.deepEqual(r.data.map((d) => d.embedding), [[3, 0.5, -0.25], [5, 0.5, -0.25]]);
      });
    }
  });
}
