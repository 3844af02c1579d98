/**
 * The Anthropic adapter through AnyModelClient: what the Messages API receives (URL, headers,
 * body), what comes back (results, stream parts, errors), against the mock in ../mocks/anthropic
 * and against recorded-style fixtures in test/fixtures/anthropic replayed byte by byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAnthropicMock, anthropicError, REQUEST_ID } from '../mocks/anthropic';
import { startMockServer, splitBytes, type MockServer, type Reply } from '../helpers/mock-server';
import { clientFor, errorOf, streamParts, textOf, user } from './helpers';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import type { AnyModelError } from '../../../src/core/types/errors';
import type { ChatRequest } from '../../../src/core/types/request';
import type { StreamPart } from '../../../src/core/types/result';

const FIXTURES = path.join(__dirname, '../../fixtures/anthropic');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const ERRORS = JSON.parse(fixture('errors.json')) as Record<string, { status: number; headers?: Record<string, string>; body: unknown }>;
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } };
const sse = (text: string, split?: number): Reply => ({ kind: 'raw', contentType: 'text/event-stream', pieces: split ? splitBytes(text, split) : [text] });
type Body = Record<string, unknown> & { messages: { role: string; content: unknown }[] };

describe('anthropic adapter', () => {
  let mock: MockServer;
  let replay: MockServer;
  before(async () => { [mock, replay] = await Promise.all([startAnthropicMock(), startMockServer(() => ({ kind: 'drop' }))]); });
  after(() => Promise.all([mock.close(), replay.close()]));
  beforeEach(() => { mock.requests.length = 0; replay.requests.length = 0; });
  const client = (model = 'anthropic/claude-sonnet-4-5', extra: Record<string, unknown> = {}) => clientFor({ model, api_base: mock.url, api_key: 'test-key', ...extra });
  const replayClient = (model = 'anthropic/claude-sonnet-4-5') => clientFor({ model, api_base: replay.url, api_key: 'replay-test-key' });
  const sent = () => mock.requests.at(-1)!.body as Body;
  const replayParts = (reply: Reply, req: ChatRequest = user('x')) => { replay.handle(() => reply); return streamParts(replayClient(), req); };
  const rejectsWith = (p: Promise<unknown>, check: (e: AnyModelError) => void) => assert.rejects(p, (e: AnyModelError) => { check(e); return true; });

  it('chat: POST /v1/messages with x-api-key and anthropic-version, answer and usage read back', async () => {
    const { value } = await client().chat(user('ping'));
    const req = mock.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/messages');
    assert.equal(req.headers['x-api-key'], 'test-key');
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.headers.authorization, undefined, 'the key travels in x-api-key only');
    assert.deepEqual(req.body, { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'ping' }] }] });
    assert.equal(value.content, 'Hello from anthropic: ping');
    assert.equal(value.finishReason, 'stop');
    assert.equal(value.id, 'msg_01MockAnthropic');
    assert.equal(value.model, 'claude-sonnet-4-5');
    const { raw, ...usage } = value.usage;
    assert.deepEqual(usage, { inputTokens: 11, outputTokens: 7, totalTokens: 18, cachedInputTokens: 3, cacheWriteInputTokens: 0 }, 'input includes the cached tokens Anthropic counts apart');
    assert.equal((raw as { input_tokens: number }).input_tokens, 8);
  });

  it('streams text in several deltas through pings, CRLF, padded data lines and cut writes', async () => {
    const parts = await streamParts(client(), user('stream ünïcødé 🚀'));
    assert.equal(sent().stream, true);
    assert.deepEqual(parts[0], { type: 'response-metadata', id: 'msg_01MockAnthropic', model: 'claude-sonnet-4-5' });
    assert.equal(textOf(parts), 'Hello from anthropic: stream ünïcødé 🚀');
    assert.ok(parts.filter((p) => p.type === 'text-delta').length >= 3);
    const finish = parts.at(-1)!;
    assert.ok(finish.type === 'finish');
    assert.equal(finish.finishReason, 'stop');
    assert.deepEqual([finish.usage?.inputTokens, finish.usage?.cachedInputTokens, finish.usage?.outputTokens], [11, 3, 7], 'input from message_start, output (cumulative) from message_delta');
  });

  it('moves system and developer messages to `system` and merges turns so roles alternate', async () => {
    await client().chat({
      model: 'm',
      temperature: 1.5,
      top_p: 0.9,
      max_tokens: 300,
      stop: ['END', 'STOP'],
      user: 'user-7f3a',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'user', content: [{ type: 'text', text: 'Second part' }, { type: 'text', text: '' }] },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'assistant', content: [{ type: 'text', text: 'Encore ?' }] },
        { role: 'user', content: 'Oui' },
        { role: 'assistant', content: 'Alors   ' },
      ],
    });
    assert.deepEqual(sent(), {
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Answer in French.' }],
      temperature: 1, // OpenAI's 0..2 clamped to Anthropic's 0..1
      top_p: 0.9,
      stop_sequences: ['END', 'STOP'],
      metadata: { user_id: 'user-7f3a' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'Second part' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Bonjour' }, { type: 'text', text: 'Encore ?' }] },
        { role: 'user', content: [{ type: 'text', text: 'Oui' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Alors' }] }, // a prefill may not end in whitespace
      ],
    });
    await client().chat({ ...user('x'), messages: [{ role: 'system', content: 'Only one.' }, { role: 'user', content: 'x' }], user: 'someone@example.com', stop: 'END' });
    assert.equal(sent().system, 'Only one.');
    assert.equal(sent().metadata, undefined, 'an email is not an opaque user id (Anthropic rejects it; LiteLLM leaves it out)');
    assert.deepEqual(sent().stop_sequences, ['END']);
  });

  it('maps tool_choice and parallel_tool_calls', async () => {
    const cases: [Partial<ChatRequest>, unknown][] = [
      [{}, undefined],
      [{ tool_choice: 'auto' }, { type: 'auto' }],
      [{ tool_choice: 'required' }, { type: 'any' }],
      [{ tool_choice: 'none' }, { type: 'none' }],
      [{ tool_choice: { type: 'function', function: { name: 'get_weather' } } }, { type: 'tool', name: 'get_weather' }],
      [{ parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
      [{ tool_choice: 'required', parallel_tool_calls: false }, { type: 'any', disable_parallel_tool_use: true }],
      [{ tool_choice: 'none', parallel_tool_calls: false }, { type: 'none' }],
    ];
    for (const [extra, expected] of cases) {
      await client().chat({ ...user('Weather?'), tools: [weather], ...extra });
      assert.deepEqual(sent().tool_choice, expected, JSON.stringify(extra));
      assert.deepEqual(sent().tools, [{ name: 'get_weather', description: 'Current weather', input_schema: weather.function.parameters }]);
    }
  });

  it('round-trips a tool call, streamed and not', async () => {
    const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'Weather in Paris?' }], tools: [weather, { type: 'function' as const, function: { name: 'noop' } }] };
    const { value } = await client().chat(ask);
    assert.equal(value.finishReason, 'tool_calls');
    assert.equal(value.content, 'Let me check.');
    assert.deepEqual(value.toolCalls, [{ id: 'toolu_01MockWeather', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }]);
    assert.deepEqual((sent().tools as unknown[])[1], { name: 'noop', input_schema: { type: 'object', properties: {} } });

    const parts = await streamParts(client(), ask);
    const starts = parts.filter((p) => p.type === 'tool-call-start');
    const deltas = parts.filter((p): p is Extract<StreamPart, { type: 'tool-call-delta' }> => p.type === 'tool-call-delta');
    assert.deepEqual(starts, [{ type: 'tool-call-start', index: 0, id: 'toolu_01MockWeather', name: 'get_weather' }]);
    assert.ok(deltas.length >= 2, 'arguments arrive in pieces');
    assert.ok(parts.indexOf(starts[0]!) < parts.indexOf(deltas[0]!));
    assert.deepEqual(JSON.parse(deltas.map((d) => d.argumentsDelta).join('')), { location: 'Paris' });
    assert.equal((parts.at(-1) as { finishReason: string }).finishReason, 'tool_calls');

    const call = value.toolCalls[0]!;
    const second = await client().chat({
      ...ask,
      messages: [...ask.messages, { role: 'assistant', content: null, tool_calls: [call, { id: 'toolu_2', type: 'function', function: { name: 'noop', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'toolu_2', content: '' }, { role: 'user', content: 'Also, hurry.' }, { role: 'tool', tool_call_id: call.id, content: '18°C and sunny' }],
    });
    assert.equal(second.value.content, 'Tool said: 18°C and sunny');
    assert.deepEqual(sent().messages.slice(1), [
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01MockWeather', name: 'get_weather', input: { location: 'Paris' } }, { type: 'tool_use', id: 'toolu_2', name: 'noop', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2' }, { type: 'tool_result', tool_use_id: call.id, content: '18°C and sunny' }, { type: 'text', text: 'Also, hurry.' }] },
    ], 'one user turn, tool results first, arguments as objects');
    await rejectsWith(client().chat({ ...ask, messages: [...ask.messages, { role: 'assistant', tool_calls: [{ ...call, function: { ...call.function, arguments: '{"location":' } }] }] }), (e) => {
      assert.equal(e.kind, 'BadRequest');
      assert.match(e.message, /get_weather.*not valid JSON/);
    });
  });

  it('sends images as base64 and URL sources, and refuses forms Anthropic cannot read', async () => {
    const { value } = await client().chat({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'What are these?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1x1}`, detail: 'high' } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }] });
    assert.equal(value.content, 'I see 2 image(s): image/png, image/jpeg');
    assert.deepEqual(sent().messages[0]!.content, [
      { type: 'text', text: 'What are these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1x1 } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
    const count = mock.requests.length;
    for (const [url, pattern] of [['data:image/bmp;base64,Qk0=', /JPEG, PNG, GIF and WebP.*image\/bmp/], ['file:///home/me/cat.png', /base64 data URLs .* or https URLs/], ['data:image/png,%89PNG', /base64 data URLs/]] as const) {
      await rejectsWith(client().chat({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] }), (e) => {
        assert.equal(e.kind, 'BadRequest');
        assert.match(e.message, pattern);
      });
    }
    assert.equal(mock.requests.length, count, 'refused before sending');
  });

  it('sends response_format json_schema as output_config.format where the model has structured outputs', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const strictTool = { type: 'function' as const, function: { ...weather.function, strict: true } };
    await client().chat({ ...user('x'), response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } }, tools: [strictTool] });
    assert.deepEqual(sent().output_config, { format: { type: 'json_schema', schema } });
    assert.equal((sent().tools as { strict?: boolean }[])[0]!.strict, true);
    await client().chat({ ...user('x'), response_format: { type: 'text' } });
    assert.equal(sent().output_config, undefined);

    await rejectsWith(client().chat({ ...user('x'), response_format: { type: 'json_object' } }), (e) => { assert.equal(e.kind, 'UnsupportedParams'); assert.match(e.message, /json_schema/); });
    const older = client('anthropic/claude-3-5-sonnet-20241022');
    await rejectsWith(older.chat({ ...user('x'), response_format: { type: 'json_schema', json_schema: { name: 'c', schema } } }), (e) => { assert.equal(e.kind, 'UnsupportedParams'); assert.equal(e.param, 'response_format'); });
    await client('anthropic/claude-sonnet-4-20250514').chat({ ...user('x'), tools: [strictTool] });
    assert.equal((sent().tools as { strict?: boolean }[])[0]!.strict, undefined, 'no strict tools before 4.5');
    await client('anthropic/claude-opus-4-1', { drop_params: true }).chat({ ...user('x'), response_format: { type: 'json_schema', json_schema: { name: 'c', schema } }, stop: ['  ', 'END'] });
    assert.equal(sent().output_config, undefined, 'dropped with drop_params');
    assert.deepEqual(sent().stop_sequences, ['END'], 'whitespace-only stop sequences dropped with drop_params');
  });

  it('declares what Anthropic lacks instead of pretending', async () => {
    await assert.rejects(client().embed({ model: 'm', input: 'x' }), /does not support embeddings/);
    await assert.rejects(client().complete({ model: 'm', prompt: 'x' }), /does not support the text completion endpoint/);
    for (const param of [{ seed: 1 }, { presence_penalty: 0.5 }]) {
      await rejectsWith(client().chat({ ...user('x'), ...param }), (e) => { assert.equal(e.kind, 'UnsupportedParams'); assert.match(e.message, new RegExp(Object.keys(param)[0]!)); });
    }
    assert.equal(mock.requests.length, 0);
    await client('anthropic/claude-sonnet-4-5', { drop_params: true }).chat({ ...user('x'), seed: 1 });
    assert.equal(sent().seed, undefined);
  });

  it('reads a whole message: thinking, redacted thinking, server tool blocks, tool calls, cache usage', async () => {
    replay.handle(() => ({ kind: 'json', body: JSON.parse(fixture('message-thinking-tool.json')) }));
    const { value } = await replayClient().chat(user('x'));
    assert.equal(value.content, 'Let me look that up.');
    assert.equal(value.reasoning, 'The user asks for the weather; I will call the tool.');
    assert.deepEqual(value.thinkingBlocks, [
      { type: 'thinking', thinking: 'The user asks for the weather; I will call the tool.', signature: 'RXhhbXBsZVNpZ25hdHVyZQ==' },
      { type: 'redacted_thinking', data: 'RW5jcnlwdGVkVGhpbmtpbmc=' },
    ]);
    assert.deepEqual(value.toolCalls.map((t) => [t.id, t.function.name, JSON.parse(t.function.arguments)]), [['toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'get_weather', { location: 'Paris', unit: 'celsius' }], ['toolu_01NoInput', 'get_time', {}]]);
    assert.equal(value.finishReason, 'tool_calls');
    const { raw, ...usage } = value.usage;
    assert.deepEqual(usage, { inputTokens: 1070, outputTokens: 120, totalTokens: 1190, cachedInputTokens: 1000, cacheWriteInputTokens: 20, reasoningTokens: 80 });
    assert.deepEqual((raw as { server_tool_use: unknown }).server_tool_use, { web_search_requests: 1 });
  });

  it('maps every documented stop reason', async () => {
    const base = JSON.parse(fixture('message-thinking-tool.json')) as Record<string, unknown>;
    const table = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', model_context_window_exceeded: 'length', tool_use: 'tool_calls', refusal: 'content_filter', pause_turn: 'stop' };
    for (const [reason, expected] of Object.entries(table)) {
      replay.handle(() => ({ kind: 'json', body: { ...base, stop_reason: reason } }));
      const { value } = await replayClient().chat(user('x'));
      assert.deepEqual([value.finishReason, value.rawFinishReason], [expected, reason], reason);
    }
    const refusal = await replayParts(sse(fixture('stream-refusal.sse')));
    assert.equal(textOf(refusal), "I can't help with that.");
    assert.deepEqual(refusal.at(-1), { type: 'finish', finishReason: 'content_filter', rawFinishReason: 'refusal', usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42, raw: { input_tokens: 30, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 12 } } });
  });

  it('decodes thinking, signatures, empty partial_json, a tool without arguments and an unknown event type', async () => {
    const parts = await replayParts(sse(fixture('stream-thinking-tool.sse')));
    const finish = parts.at(-1) as Extract<StreamPart, { type: 'finish' }>;
    assert.deepEqual(parts.slice(0, -1), [
      { type: 'response-metadata', id: 'msg_01XkThinkTool', model: 'claude-sonnet-4-5-20250929' },
      { type: 'reasoning-delta', text: 'The user wants the weather in Zürich; ' },
      { type: 'reasoning-delta', text: 'I should call get_weather.' },
      { type: 'reasoning-signature', signature: 'RXhhbXBsZVNpZ25hdHVyZUZvclRlc3RzT25seQ==' },
      { type: 'text-delta', text: 'Checking Zürich ' },
      { type: 'text-delta', text: '— one moment ☀️' },
      { type: 'tool-call-start', index: 0, id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"locat' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ion": "Zürich", "unit"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ': "celsius"}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_01NoArgs', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
    ]);
    assert.equal(finish.finishReason, 'tool_calls');
    const { raw, ...usage } = finish.usage!;
    assert.deepEqual(usage, { inputTokens: 1912, outputTokens: 96, totalTokens: 2008, cachedInputTokens: 0, cacheWriteInputTokens: 1500, reasoningTokens: 41 });
    assert.equal((raw as { output_tokens: number }).output_tokens, 96);
  });

  it('gives identical parts for every byte split, and for CRLF line ends', async () => {
    const text = fixture('stream-thinking-tool.sse');
    const reference = await replayParts(sse(text));
    const variants: Reply[] = [sse(text.replace(/\n/g, '\r\n')), sse(text.replace(/\n/g, '\r\n'), 3)];
    for (let size = 1; size <= 48; size++) variants.push(sse(text, size));
    for (const size of [97, 256, 1021]) variants.push(sse(text, size));
    for (const v of variants) assert.deepEqual(await replayParts(v), reference, `pieces of ${v.kind === 'raw' ? v.pieces[0]!.length : 0} bytes`);
  });

  it('turns an in-band error event into an error part after the text that came first', async () => {
    const parts = await replayParts(sse(fixture('stream-overloaded.sse'), 16));
    assert.equal(textOf(parts), 'Half an ans');
    assert.equal(parts.at(-1)!.type, 'error');
    const e = errorOf(parts)!;
    assert.equal(e.kind, 'ServiceUnavailable');
    assert.equal(e.code, 'overloaded_error');
    assert.equal(e.retryable, true);
    assert.match(e.message, /overloaded_error: Overloaded \(request-id req_011CStreamOverload\)/);
    assert.ok(!parts.some((p) => p.type === 'finish'));

    const start = fixture('stream-cut.sse').split('\n\n')[0]!;
    const untyped = await replayParts(sse(`${start}\n\nevent: error\ndata: {"error":{"type":"rate_limit_error","message":"Slow down"}}\n\n`));
    assert.deepEqual([errorOf(untyped)?.kind, errorOf(untyped)?.code], ['RateLimit', 'rate_limit_error'], 'the event name stands in for a missing type');
    const nameless = await replayParts(sse(`${start}\n\ndata: {"text":"?"}\n\n`));
    assert.match(errorOf(nameless)?.message ?? '', /an event without a type/);
  });

  it('fails a stream that is cut short, that holds a line that is not JSON, or that is out of order', async () => {
    const cut = await replayParts(sse(fixture('stream-cut.sse')));
    assert.equal(textOf(cut), 'The connection dro');
    assert.equal(errorOf(cut)?.kind, 'APIConnection');
    assert.match(errorOf(cut)!.message, /ended before message_stop/);

    const garbled = await replayParts(sse(fixture('stream-not-json.sse')));
    assert.equal(errorOf(garbled)?.kind, 'BadGateway');
    assert.match(errorOf(garbled)!.message, /not JSON: \{"type":"content_block_delta"/);
    assert.ok(!garbled.some((p) => p.type === 'finish'), 'message_stop after a bad line does not make it a success');

    const start = fixture('stream-cut.sse').split('\n\n')[0]!;
    const orphan = await replayParts(sse(`${start}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":4,"delta":{"type":"text_delta","text":"?"}}\n\n`));
    assert.match(errorOf(orphan)?.message ?? '', /content block 4, which was never started/);
    const badShape = await replayParts(sse(`${start}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","name":"x"}}\n\n`));
    assert.equal(errorOf(badShape)?.kind, 'BadGateway');
  });

  it('maps each documented error type, with the request id and Retry-After', async () => {
    const expected: Record<string, [string, boolean]> = {
      promptTooLong: ['ContextWindowExceeded', false], contentFiltering: ['ContentPolicyViolation', false], badRequest: ['BadRequest', false],
      permission: ['PermissionDenied', false], notFound: ['NotFound', false], rateLimit: ['RateLimit', true], apiError: ['InternalServer', true],
      timeout: ['Timeout', true], overloaded: ['ServiceUnavailable', true],
    };
    for (const [name, [kind, retryable]] of Object.entries(expected)) {
      const f = ERRORS[name]!;
      replay.handle(() => ({ kind: 'json', status: f.status, headers: { 'request-id': `req_hdr_${name}`, ...f.headers }, body: f.body }));
      await rejectsWith(replayClient().chat(user('x')), (e) => {
        assert.equal(e.kind, kind, name);
        assert.equal(e.retryable, retryable, name);
        assert.equal(e.status, f.status);
        assert.equal(e.code, (f.body as { error: { type: string } }).error.type);
        assert.ok(e.message.includes((f.body as { error: { message: string } }).error.message), e.message);
        assert.match(e.message, new RegExp(`request-id req_hdr_${name}`));
      });
    }
    replay.handle(() => ({ kind: 'json', status: 429, headers: { 'retry-after': '7' }, body: ERRORS.rateLimit!.body }));
    await rejectsWith(replayClient().chat(user('x')), (e) => assert.equal(e.retryAfterMs, 7000));
    replay.handle(() => ({ kind: 'text', status: 529, body: '' }));
    await rejectsWith(replayClient().chat(user('x')), (e) => assert.equal(e.kind, 'ServiceUnavailable'));
    replay.handle(() => ({ kind: 'text', status: 413, headers: { 'content-type': 'text/html' }, body: '<html><head><title>413 Request Entity Too Large</title></head></html>' }));
    await rejectsWith(replayClient().chat(user('x')), (e) => { assert.equal(e.kind, 'BadRequest'); assert.equal(e.code, 'request_too_large'); assert.doesNotMatch(e.message, /<html>/); });
    replay.handle(() => ({ kind: 'json', body: ERRORS.overloaded!.body }));
    await rejectsWith(replayClient().chat(user('x')), (e) => assert.equal(e.kind, 'ServiceUnavailable'));
    replay.handle(() => ({ kind: 'json', body: { id: 'msg_1', model: 'c', content: [{ type: 'text' }], usage: {} } }));
    await rejectsWith(replayClient().chat(user('x')), (e) => { assert.equal(e.kind, 'BadGateway'); assert.match(e.message, /content\.0/); });
  });

  it('never puts the key in an error message', async () => {
    const key = 'anthropic-fixture-key-1234';
    await rejectsWith(client('anthropic/claude-sonnet-4-5', { api_key: key }).chat(user('x')), (e) => {
      assert.equal(e.kind, 'Authentication');
      assert.match(e.message, /authentication_error: invalid x-api-key/);
      assert.ok(!e.message.includes(key));
    });
    const echoed = await startMockServer((req) => anthropicError(401, 'authentication_error', `invalid x-api-key: ${String(req.headers['x-api-key'])} (plain ${String(req.headers['x-api-key']).slice(0, 4)})`));
    try {
      await rejectsWith(clientFor({ model: 'anthropic/claude-haiku-4-5', api_base: echoed.url, api_key: 'plainkey-without-a-known-shape' }).chat(user('x')), (e) => assert.ok(!e.message.includes('plainkey-without-a-known-shape'), e.message));
    } finally {
      await echoed.close();
    }
    const count = mock.requests.length;
    await rejectsWith(new AnyModelClient(buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'anthropic/claude-haiku-4-5', api_base: mock.url } }], litellm_settings: { num_retries: 0 } }, {})).chat(user('x')), (e) => {
      assert.equal(e.kind, 'Authentication');
      assert.match(e.message, /ANTHROPIC_API_KEY/);
    });
    assert.equal(mock.requests.length, count, 'no request without a key');
  });

  it('reads the key and api_base from the environment; an api_base may already end in /v1/messages', async () => {
    const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: mock.url };
    const fromEnv = new AnyModelClient(buildConfig({ model_list: [{ model_name: 'm', litellm_params: { model: 'anthropic/claude-haiku-4-5' } }], litellm_settings: { num_retries: 0 } }, env));
    assert.equal((await fromEnv.chat(user('env'))).value.content, 'Hello from anthropic: env');
    await client('anthropic/claude-haiku-4-5', { api_base: `${mock.url}/v1/messages` }).chat(user('x'));
    assert.equal(mock.requests.at(-1)!.url, '/v1/messages');
  });

  it('mock: answers like the real API to missing auth and missing fields', async () => {
    const post = async (headers: Record<string, string>, body: unknown) => {
      const res = await fetch(`${mock.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return { status: res.status, requestId: res.headers.get('request-id'), body: await res.json() as { type: string; error: { type: string; message: string } } };
    };
    const ok = { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' };
    const noKey = await post({ 'anthropic-version': '2023-06-01' }, {});
    assert.deepEqual([noKey.status, noKey.body.type, noKey.body.error.type, noKey.requestId], [401, 'error', 'authentication_error', REQUEST_ID]);
    for (const [body, message] of [
      [{ model: 'c', messages: [{ role: 'user', content: 'x' }] }, /max_tokens: Field required/],
      [{ model: 'c', max_tokens: 5, messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'x' }] }, /top-level `system` parameter/],
      [{ model: 'c', max_tokens: 5, seed: 1, messages: [{ role: 'user', content: 'x' }] }, /seed: Extra inputs are not permitted/],
      [{ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, /roles must alternate/],
    ] as const) {
      const r = await post(ok, body);
      assert.deepEqual([r.status, r.body.error.type], [400, 'invalid_request_error']);
      assert.match(r.body.error.message, message);
    }
  });
});
