/**
 * A mock Ollama server (https://github.com/ollama/ollama/blob/main/docs/api.md): /api/chat and
 * /api/generate that stream NDJSON unless `stream: false` is sent (Ollama's default is to stream),
 * tool calls whole with object arguments, the final `done: true` line with counts, /api/embed and
 * /api/tags. An unknown model answers Ollama's 404 "model … not found, try pulling it first".
 */
import { ndjson, splitBytes, startMockServer, type MockServer, type RecordedRequest, type Reply } from '../helpers/mock-server';
import { decide, embeddingOf, pieces, sniffImage, USAGE, type Conversation } from './script';

interface Msg { role: string; content?: string; images?: string[]; tool_calls?: unknown[]; tool_name?: string }
interface Body { options?: Record<string, unknown>; model?: string; messages?: Msg[]; tools?: { function: { name: string } }[]; stream?: boolean; prompt?: string; input?: string | string[] }

export const OLLAMA_MODELS = ['llama3.2:latest', 'nomic-embed-text:latest'];

/** What /api/show reports for the llama models: Llama 3.2's 131,072-token context, and that it takes images. */
export const OLLAMA_CONTEXT_LENGTH = 131_072;

export function startOllamaMock(opts: { models?: string[]; contextLength?: number } = {}): Promise<MockServer> {
  const models = opts.models ?? OLLAMA_MODELS;
  return startMockServer((req) => {
    if (req.method === 'GET' && req.url === '/api/tags') return { kind: 'json', body: { models: models.map(tag) } };
    const body = req.body as Body;
    const known = (name = '') => models.includes(name.includes(':') ? name : `${name}:latest`);
    // https://github.com/ollama/ollama/blob/main/docs/api.md#show-model-information (abridged: no template or license)
    if (req.method === 'POST' && req.url === '/api/show') {
      if (!known(body.model)) return { kind: 'json', status: 404, body: { error: `model '${body.model}' not found` } };
      return { kind: 'json', body: {
        parameters: 'stop "<|eot_id|>"', details: tag(body.model!).details,
        model_info: { 'general.architecture': 'llama', 'general.parameter_count': 3_212_749_888, 'llama.context_length': opts.contextLength ?? OLLAMA_CONTEXT_LENGTH, 'llama.embedding_length': 3072 },
        capabilities: ['completion', 'tools', 'vision'],
      } };
    }
    if (req.method !== 'POST' || !['/api/chat', '/api/generate', '/api/embed'].includes(req.url)) return { kind: 'text', status: 404, body: '404 page not found' };
    if (!known(body.model)) return { kind: 'json', status: 404, body: { error: `model "${body.model}" not found, try pulling it first` } };
    if (req.url === '/api/embed') {
      const inputs = typeof body.input === 'string' ? [body.input] : body.input ?? [];
      return { kind: 'json', body: { model: body.model, embeddings: inputs.map(embeddingOf), total_duration: 1000, load_duration: 10, prompt_eval_count: 5 } };
    }
    return answer(req, req.url === '/api/generate');
  });
}

function tag(name: string) {
  return { name, model: name, modified_at: '2025-01-01T00:00:00Z', size: 2_019_393_189, digest: 'a80c4f17acd5', details: { format: 'gguf', family: name.startsWith('llama') ? 'llama' : 'nomic-bert', parameter_size: name.startsWith('llama') ? '3.2B' : '137M', quantization_level: 'Q4_K_M' } };
}

function readConversation(body: Body): Conversation {
  const msgs = body.messages ?? [];
  const lastUser = [...msgs].reverse().find((m) => m.role === 'user');
  const tool = [...msgs].reverse().find((m) => m.role === 'tool');
  return {
    lastUserText: body.prompt ?? lastUser?.content ?? '',
    imageTypes: (lastUser?.images ?? []).map(sniffImage),
    tools: (body.tools ?? []).map((t) => t.function.name),
    toolResult: tool?.content,
  };
}

function answer(req: RecordedRequest, generate: boolean): Reply {
  const body = req.body as Body;
  const a = decide('ollama', readConversation(body));
  const base = { model: body.model, created_at: '2025-06-01T12:00:00.000000Z' };
  const counts = { total_duration: 5_000_000, load_duration: 100_000, prompt_eval_count: USAGE.input, prompt_eval_duration: 1_000_000, eval_count: USAGE.output, eval_duration: 3_000_000 };
  const text = a.kind === 'text' ? a.text : '';
  const toolCalls = a.kind === 'tool' ? [{ function: { name: a.name, arguments: a.args } }] : undefined;
  const piece = (content: string, extra: object = {}) => (generate ? { ...base, response: content, ...extra } : { ...base, message: { role: 'assistant', content, ...(extra as { message?: object }).message }, ...withoutMessage(extra) });
  if (body.stream === false) {
    return { kind: 'json', body: { ...piece(text, toolCalls ? { message: { tool_calls: toolCalls } } : {}), done: true, done_reason: 'stop', ...counts } };
  }
  const lines: unknown[] = [];
  if (toolCalls) lines.push(piece('', { message: { tool_calls: toolCalls }, done: false }));
  else for (const p of pieces(text)) lines.push(piece(p, { done: false }));
  lines.push({ ...piece(''), done: true, done_reason: 'stop', ...counts });
  return { kind: 'raw', contentType: 'application/x-ndjson', pieces: splitBytes(ndjson(lines), 9) };
}

function withoutMessage(extra: object): object {
  const { message: _message, ...rest } = extra as { message?: unknown };
  return rest;
}
