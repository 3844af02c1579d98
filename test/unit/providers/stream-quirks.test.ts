/**
 * What streams and answers carry besides content: a tool call whose name arrives after its
 * arguments, the provider's raw finish reason next to the unified one (every adapter), and the
 * parameters `drop_params` removed, said as warnings instead of silently.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockServer, splitBytes, type MockServer } from '../helpers/mock-server';
import { startAnthropicMock } from '../mocks/anthropic';
import { startGeminiMock } from '../mocks/gemini';
import { startOllamaMock } from '../mocks/ollama';
import { startOpenAIMock } from '../mocks/openai';
import type { StreamPart } from '../../../src/core/types/result';
import { clientFor, errorOf, streamParts, user } from './helpers';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/openai', name), 'utf8');
const finishOf = (parts: StreamPart[]) => parts.find((p): p is Extract<StreamPart, { type: 'finish' }> => p.type === 'finish');

describe('openai-compatible stream: a tool call whose name comes after its arguments', () => {
  let mock: MockServer;
  let body: string;
  before(async () => { mock = await startMockServer(() => ({ kind: 'raw', contentType: 'text/event-stream', pieces: splitBytes(body, 37) })); });
  after(() => mock.close());
  const client = () => clientFor({ model: 'hosted_vllm/qwen2.5', api_base: `${mock.url}/v1` });

  it('holds the arguments until the name arrives, then streams the call as if the name came first', async () => {
    body = fixture('stream-tool-name-late.sse');
    const parts = await streamParts(client(), { ...user('Weather in Paris?'), tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] });
    assert.equal(errorOf(parts), undefined, String(errorOf(parts)?.message));
    const start = parts.find((p) => p.type === 'tool-call-start');
    assert.deepEqual(start, { type: 'tool-call-start', index: 0, id: 'call_late_1', name: 'get_weather' });
    const args = parts.map((p) => (p.type === 'tool-call-delta' ? p.argumentsDelta : '')).join('');
    assert.deepEqual(JSON.parse(args), { location: 'Paris' });
    assert.ok(parts.indexOf(start!) < parts.findIndex((p) => p.type === 'tool-call-delta'), 'the start comes before any arguments');
    assert.deepEqual([finishOf(parts)?.finishReason, finishOf(parts)?.rawFinishReason], ['tool_calls', 'tool_calls']);
  });

  it('fails clearly when the name never arrives', async () => {
    body = fixture('stream-tool-name-late.sse').split('\n\n').filter((e) => !e.includes('get_weather')).join('\n\n');
    const parts = await streamParts(client(), user('x'));
    assert.equal(errorOf(parts)?.kind, 'BadGateway');
    assert.match(errorOf(parts)!.message, /tool call 0 without ever sending its function name/);
  });
});

describe('the raw finish reason beside the unified one, for every adapter', () => {
  const cases: { name: string; start: () => Promise<MockServer>; params: (url: string) => Record<string, unknown>; raw: string }[] = [
    { name: 'OpenAI', start: () => startOpenAIMock(), params: (u) => ({ model: 'openai/gpt-4o', api_base: `${u}/v1`, api_key: 'test-key' }), raw: 'stop' },
    { name: 'Anthropic', start: () => startAnthropicMock(), params: (u) => ({ model: 'anthropic/claude-sonnet-4-5', api_base: u, api_key: 'test-key' }), raw: 'end_turn' },
    { name: 'Gemini', start: () => startGeminiMock(), params: (u) => ({ model: 'gemini/gemini-2.5-flash', api_base: u, api_key: 'test-key' }), raw: 'STOP' },
    { name: 'Ollama', start: () => startOllamaMock(), params: (u) => ({ model: 'ollama_chat/llama3.2', api_base: u }), raw: 'stop' },
  ];
  for (const c of cases) {
    it(`${c.name}: whole and streamed`, async () => {
      const mock = await c.start();
      try {
        const client = clientFor(c.params(mock.url));
        const whole = await client.chat(user('hi'));
        assert.deepEqual([whole.value.finishReason, whole.value.rawFinishReason], ['stop', c.raw]);
        const finish = finishOf(await streamParts(client, user('hi')));
        assert.deepEqual([finish?.finishReason, finish?.rawFinishReason], ['stop', c.raw]);
      } finally {
        await mock.close();
      }
    });
  }
});

describe('drop_params: what was dropped is said', () => {
  let mock: MockServer;
  before(async () => { mock = await startOllamaMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });
  const client = () => clientFor({ model: 'ollama_chat/llama3.2', api_base: mock.url, drop_params: true });
  const req = { ...user('hi'), user: 'user-1234', parallel_tool_calls: false };

  it('as warning parts before the content of a stream', async () => {
    const parts = await streamParts(client(), req);
    const warnings = parts.filter((p): p is Extract<StreamPart, { type: 'warning' }> => p.type === 'warning');
    assert.deepEqual(warnings.map((w) => w.warning.setting), ['parallel_tool_calls', 'user']);
    assert.match(warnings[1]!.warning.message, /drop_params: ollama_chat does not support user for llama3\.2; it was dropped/);
    assert.ok(parts.lastIndexOf(warnings[1]!) < parts.findIndex((p) => p.type === 'text-delta'), 'warnings come before the text');
    assert.equal(finishOf(parts)?.finishReason, 'stop', 'the answer still succeeds');
    const sent = JSON.stringify(mock.requests[0]!.body);
    assert.ok(!sent.includes('user-1234') && !sent.includes('parallel_tool_calls'), sent);
  });

  it('as warnings on a whole answer', async () => {
    const r = await client().chat(req);
    assert.deepEqual(r.value.warnings?.map((w) => [w.type, w.setting]), [['unsupported-setting', 'parallel_tool_calls'], ['unsupported-setting', 'user']]);
    assert.equal(r.value.content, 'Hello from ollama: hi');
  });

  it('says nothing when nothing was dropped', async () => {
    const r = await client().chat(user('hi'));
    assert.equal(r.value.warnings, undefined);
    assert.ok(!(await streamParts(client(), user('hi'))).some((p) => p.type === 'warning'));
  });
});
