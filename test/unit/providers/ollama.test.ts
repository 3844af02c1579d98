import assert from 'node:assert/strict';
import { startOllamaMock } from '../mocks/ollama';
import { ndjson, startMockServer, type MockServer } from '../helpers/mock-server';
import { clientFor, errorOf, streamParts, textOf, user } from './helpers';
import { discoverOllamaModels } from '../../../src/core/providers/ollama/discovery';
import { collect } from '../helpers/mock-server';

describe('ollama adapter', () => {
  let mock: MockServer;
  before(async () => { mock = await startOllamaMock(); });
  after(() => mock.close());
  beforeEach(() => { mock.requests.length = 0; });
  const client = (extra: Record<string, unknown> = {}) => clientFor({ model: 'ollama_chat/llama3.2', api_base: mock.url, ...extra });
  /** The requests after the client's /api/show look-up (ollama-num-ctx.test.ts). */
  const sent = () => mock.requests.filter((r) => r.url !== '/api/show');

  it('says stream: false explicitly (Ollama streams by default) and maps options', async () => {
    const { value } = await client({ keep_alive: '10m' }).chat({ ...user('hi'), temperature: 0.1, max_tokens: 20, stop: 'END', seed: 1, response_format: { type: 'json_object' } });
    assert.equal(value.content, 'Hello from ollama: hi');
    assert.deepEqual(value.usage.inputTokens, 11);
    const body = sent()[0]!.body as Record<string, unknown>;
    assert.equal(sent()[0]!.url, '/api/chat');
    assert.equal(body.stream, false);
    assert.deepEqual(body.options, { temperature: 0.1, seed: 1, num_predict: 20, stop: ['END'], num_ctx: 4096 });
    assert.equal(body.format, 'json');
    assert.equal(body.keep_alive, '10m');
    assert.equal(sent()[0]!.headers.authorization, undefined);
  });

  it('sends images as bare base64 and tool calls with object arguments', async () => {
    await client().chat({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: 'sunny' },
      ],
    });
    assert.deepEqual((sent()[0]!.body as { messages: unknown[] }).messages, [
      { role: 'user', content: 'look', images: ['iVBORw0KGgo='] },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }] },
      { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
    ]);
  });

  it('explains a missing model with the command that fixes it', async () => {
    await assert.rejects(clientFor({ model: 'ollama_chat/mistral', api_base: mock.url }).chat(user('x')), (e: { kind: string; message: string }) => e.kind === 'NotFound' && /ollama pull mistral/.test(e.message));
  });

  it('turns an error line mid-stream into an error part, and a stream without done into an error', async () => {
    const line = (content: string) => ({ model: 'llama3.2', message: { role: 'assistant', content }, done: false });
    const server = await startMockServer((req) => ({ kind: 'raw', contentType: 'application/x-ndjson', pieces: [JSON.stringify(req.body).includes('"cut"') ? ndjson([line('Hel')]) : ndjson([line('Hel'), { error: 'an error was encountered while running the model: unexpected EOF' }])] }));
    try {
      const c = clientFor({ model: 'ollama_chat/llama3.2', api_base: server.url });
      const parts = await streamParts(c, user('x'));
      assert.equal(textOf(parts), 'Hel');
      assert.match(errorOf(parts)?.message ?? '', /unexpected EOF/);
      assert.match(errorOf(await streamParts(c, user('cut')))?.message ?? '', /ended before done: true/);
    } finally {
      await server.close();
    }
  });

  it('completes text through /api/generate, streamed', async () => {
    const handle = await client().streamComplete({ model: 'm', prompt: 'def fib(' });
    const parts = await collect(handle.parts);
    assert.equal(textOf(parts), 'Hello from ollama: def fib(');
    assert.equal(mock.requests[0]!.url, '/api/generate');
    assert.equal((mock.requests[0]!.body as { stream: boolean }).stream, true);
  });

  it('discovers pulled models from /api/tags', async () => {
    const models = await discoverOllamaModels(mock.url);
    assert.deepEqual(models.map((m) => [m.name, m.details?.parameter_size]), [['llama3.2:latest', '3.2B'], ['nomic-embed-text:latest', '137M']]);
  });

  it('reports an unreachable Ollama clearly', async () => {
    const gone = await startMockServer(() => ({ kind: 'drop' }));
    await gone.close();
    await assert.rejects(discoverOllamaModels(gone.url), (e: { kind: string; message: string }) => e.kind === 'APIConnection' && e.message.includes(gone.url));
  });
});
