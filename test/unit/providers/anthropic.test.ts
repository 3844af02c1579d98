import assert from 'node:assert/strict';
import { startAnthropicMock, anthropicError } from '../mocks/anthropic';
import { startMockServer, sse, type MockServer } from '../helpers/mock-server';
import { clientFor, errorOf, streamParts, textOf, user } from './helpers';

describe('anthropic adapter', () => {
  let mock: MockServer;
  before(async () => { mock = await startAnthropicMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });
  const client = () => clientFor({ model: 'anthropic/claude-sonnet-4-5', api_base: mock.url, api_key: 'test-key' });

  it('translates system, defaults, tools and tool results the way the Messages API wants', async () => {
    await client().chat({
      model: 'm',
      temperature: 1.5,
      stop: 'END',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
      tool_choice: 'required',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }, { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'rain' },
        { role: 'developer', content: 'Answer in French.' },
      ],
    });
    const sent = mock.requests[0]!;
    assert.equal(sent.headers['x-api-key'], 'test-key');
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.headers.authorization, undefined);
    const body = sent.body as Record<string, unknown>;
    assert.equal(body.system, 'Be brief.\n\nAnswer in French.');
    assert.equal(body.max_tokens, 4096);
    assert.equal(body.temperature, 1, 'clamped to Anthropic\'s 0..1');
    assert.deepEqual(body.stop_sequences, ['END']);
    assert.deepEqual(body.tool_choice, { type: 'any' });
    assert.deepEqual(body.tools, [{ name: 'get_weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }]);
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } }, { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Rome' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }, { type: 'tool_result', tool_use_id: 'toolu_2', content: 'rain' }] },
    ]);
  });

  it('sends images as base64 and URL sources', async () => {
    await client().chat({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] });
    const content = (mock.requests[0]!.body as { messages: { content: unknown[] }[] }).messages[0]!.content;
    assert.deepEqual(content, [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }]);
  });

  it('counts cached prompt tokens in the input, as OpenAI does', async () => {
    const { value } = await client().chat(user('hi'));
    assert.deepEqual({ input: value.usage.inputTokens, cached: value.usage.cachedInputTokens, output: value.usage.outputTokens }, { input: 11, cached: 3, output: 7 });
    const parts = await streamParts(client(), user('hi'));
    const finish = parts.at(-1);
    assert.ok(finish?.type === 'finish');
    assert.deepEqual({ input: finish.usage?.inputTokens, cached: finish.usage?.cachedInputTokens, output: finish.usage?.outputTokens }, { input: 11, cached: 3, output: 7 });
  });

  it('maps Anthropic errors: auth, overload (retryable), prompt too long', async () => {
    await assert.rejects(clientFor({ model: 'anthropic/claude-sonnet-4-5', api_base: mock.url, api_key: 'sk-ant-wrong-key-123456789' }).chat(user('x')), (e: { kind: string; message: string }) => e.kind === 'Authentication' && !e.message.includes('sk-ant-wrong'));
    const failing = await startMockServer(() => anthropicError(529, 'overloaded_error', 'Overloaded'));
    const tooLong = await startMockServer(() => anthropicError(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'));
    try {
      const c = clientFor({ model: 'anthropic/claude-sonnet-4-5', api_base: failing.url, api_key: 'k' });
      await assert.rejects(c.chat(user('x')), (e: { kind: string; retryable: boolean }) => e.kind === 'ServiceUnavailable' && e.retryable);
      await assert.rejects(clientFor({ model: 'anthropic/claude-sonnet-4-5', api_base: tooLong.url, api_key: 'k' }).chat(user('x')), { kind: 'ContextWindowExceeded' });
    } finally {
      await failing.close();
      await tooLong.close();
    }
  });

  it('turns an in-band error event into an error part, and a cut stream into an error', async () => {
    const start = { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_1', model: 'c', usage: { input_tokens: 1, output_tokens: 1 } } } };
    const delta = { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hal' } } };
    const blockStart = { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } };
    const overloaded = { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
    const server = await startMockServer((req) => ({ kind: 'raw', contentType: 'text/event-stream', pieces: [sse(JSON.stringify(req.body).includes('"cut"') ? [start, blockStart, delta] : [start, blockStart, delta, overloaded])] }));
    try {
      const c = clientFor({ model: 'anthropic/claude-sonnet-4-5', api_base: server.url, api_key: 'k' });
      const parts = await streamParts(c, user('x'));
      assert.equal(textOf(parts), 'Hal');
      assert.equal(errorOf(parts)?.kind, 'ServiceUnavailable');
      assert.match(errorOf(parts)!.message, /overloaded_error/);
      const cut = await streamParts(c, user('cut'));
      assert.match(errorOf(cut)?.message ?? '', /ended before message_stop/);
    } finally {
      await server.close();
    }
  });

  it('declares what it lacks instead of pretending', async () => {
    await assert.rejects(client().embed({ model: 'm', input: 'x' }), /does not support embeddings/);
    await assert.rejects(client().chat({ ...user('x'), seed: 1 }), (e: { kind: string; message: string }) => e.kind === 'UnsupportedParams' && /seed/.test(e.message) && /drop_params/.test(e.message));
    const dropping = clientFor({ model: 'anthropic/claude-sonnet-4-5', api_base: mock.url, api_key: 'test-key' }, { num_retries: 0, drop_params: true });
    await dropping.chat({ ...user('x'), seed: 1 });
    assert.equal((mock.requests.at(-1)!.body as Record<string, unknown>).seed, undefined);
  });
});
