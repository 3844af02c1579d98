/**
 * A mock OpenAI Chat Completions server (https://platform.openai.com/docs/api-reference/chat),
 * also standing in for vLLM's and Hugging Face TGI's OpenAI-compatible servers (`flavour`).
 * Awkward parts it sends, as the real servers do: SSE written in small byte pieces that cut through
 * multi-byte characters, a `: keep-alive` comment, tool-call arguments in several deltas after a
 * first delta with id and name, usage in a last chunk with empty `choices` (OpenAI, vLLM) or on the
 * finishing chunk (TGI), and vLLM's `{"object":"error",...}` error body.
 */
import { startMockServer, sse, splitBytes, type MockServer, type RecordedRequest, type Reply } from '../helpers/mock-server';
import { cutAtStop, decide, embeddingOf, pieces, sniffImage, USAGE, type Conversation } from './script';

export type Flavour = 'openai' | 'vllm' | 'tgi' | 'azure';

interface OAIMessage { role: string; content?: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }
interface OAIBody { model?: string; stop?: unknown; n?: number; messages?: OAIMessage[]; tools?: { function: { name: string } }[]; stream?: boolean; stream_options?: { include_usage?: boolean }; input?: string | string[]; prompt?: string }

export function startOpenAIMock(opts: { apiKey?: string; flavour?: Flavour } = {}): Promise<MockServer> {
  const flavour = opts.flavour ?? 'openai';
  const apiKey = opts.apiKey ?? (flavour === 'openai' ? 'test-key' : undefined);
  return startMockServer((req) => {
    if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) return error(flavour, 401, 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_api_key');
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/v1/chat/completions') return chatReply(req, flavour);
    if (req.method === 'POST' && path === '/v1/embeddings') return embeddingsReply(req);
    return error(flavour, 404, `Unknown route ${req.method} ${path}`, 'unknown_url');
  });
}

export function error(flavour: Flavour, status: number, message: string, code: string | null = null): Reply {
  if (flavour === 'vllm') return { kind: 'json', status, body: { object: 'error', message, type: status === 401 ? 'Unauthorized' : 'BadRequestError', param: null, code: status } };
  if (flavour === 'tgi') return { kind: 'json', status, body: { error: message, error_type: 'validation' } };
  return { kind: 'json', status, body: { error: { message, type: status === 401 ? 'invalid_request_error' : 'invalid_request_error', param: null, code } } };
}

/** Reads an OpenAI-format conversation into the script's view. */
export function readConversation(body: OAIBody): Conversation {
  const messages = body.messages ?? [];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const parts = Array.isArray(lastUser?.content) ? (lastUser!.content as { type: string; text?: string; image_url?: { url: string } }[]) : [];
  const text = typeof lastUser?.content === 'string' ? lastUser.content : parts.filter((p) => p.type === 'text').map((p) => p.text).join('');
  const imageTypes = parts.filter((p) => p.type === 'image_url').map((p) => sniffImage(p.image_url!.url.split(',')[1] ?? ''));
  const tool = [...messages].reverse().find((m) => m.role === 'tool');
  return { lastUserText: text, imageTypes, tools: (body.tools ?? []).map((t) => t.function.name), toolResult: tool ? String(tool.content) : undefined };
}

export function chatReply(req: RecordedRequest, flavour: Flavour): Reply {
  const body = req.body as OAIBody;
  if (!Array.isArray(body?.messages) || body.messages.length === 0) return error(flavour, 400, "Missing required parameter: 'messages'.", 'missing_required_parameter');
  const scripted = decide(flavour === 'tgi' ? 'huggingface' : flavour, readConversation(body));
  const cut = scripted.kind === 'text' ? cutAtStop(scripted.text, body.stop) : { text: '' };
  const answer = scripted.kind === 'text' ? { kind: 'text' as const, text: cut.text } : scripted;
  // vLLM adds the stop string that matched as `stop_reason` on the choice; OpenAI only says "stop".
  const stopReason = flavour === 'vllm' && cut.matched !== undefined ? { stop_reason: cut.matched } : {};
  if (flavour === 'azure' && /forbidden/i.test(readConversation(body).lastUserText)) return azureContentFilter();
  const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output, prompt_tokens_details: { cached_tokens: USAGE.cached } };
  const base = { id: 'chatcmpl-mock1', created: 1_700_000_000, model: body.model, system_fingerprint: 'fp_mock' };
  const toolCall = answer.kind === 'tool' ? { id: 'call_mock_1', type: 'function', function: { name: answer.name, arguments: JSON.stringify(answer.args) } } : undefined;
  const finish = answer.kind === 'tool' ? 'tool_calls' : 'stop';
  if (!body.stream) {
    const message = { role: 'assistant', content: answer.kind === 'text' ? answer.text : null, refusal: null, ...(toolCall ? { tool_calls: [toolCall] } : {}) };
    // `n` choices (not TGI's, which answers one): each a little different, the prompt billed once.
    const n = flavour === 'tgi' ? 1 : body.n ?? 1;
    const choices = Array.from({ length: n }, (_, index) => ({ index, message: index && answer.kind === 'text' ? { ...message, content: `${answer.text} (choice ${index + 1})` } : message, logprobs: null, finish_reason: finish, ...stopReason }));
    const billed = { ...usage, completion_tokens: USAGE.output * n, total_tokens: USAGE.input + USAGE.output * n };
    return { kind: 'json', body: { ...base, object: 'chat.completion', choices, usage: billed } };
  }
  const chunk = (delta: unknown, finish_reason: string | null = null, extra: object = {}) => ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason, ...(finish_reason ? stopReason : {}) }], ...extra });
  const events: unknown[] = [chunk({ role: 'assistant', content: '' })];
  // Azure opens with a chunk that has no choices, only the prompt's content filter results.
  if (flavour === 'azure') events.unshift({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] });
  if (answer.kind === 'text') for (const p of pieces(answer.text)) events.push(chunk({ content: p }));
  else {
    const args = JSON.stringify(answer.args);
    events.push(chunk({ tool_calls: [{ index: 0, id: toolCall!.id, type: 'function', function: { name: answer.name, arguments: '' } }] }));
    for (const p of pieces(args, 3)) events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }));
  }
  const wantsUsage = body.stream_options?.include_usage === true;
  if (flavour === 'tgi') events.push(chunk({}, finish, { usage }));
  else {
    events.push(chunk({}, finish));
    if (wantsUsage) events.push({ ...base, object: 'chat.completion.chunk', choices: [], usage });
  }
  const text = ': keep-alive\n\n' + sse(events, { done: true });
  return { kind: 'raw', contentType: 'text/event-stream', pieces: splitBytes(text, 7) };
}

export function embeddingsReply(req: RecordedRequest): Reply {
  const body = req.body as OAIBody;
  const inputs = typeof body.input === 'string' ? [body.input] : body.input ?? [];
  return {
    kind: 'json',
    body: { object: 'list', model: body.model, data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: embeddingOf(s) })), usage: { prompt_tokens: 5, total_tokens: 5 } },
  };
}

/** Azure's content filter refusal: https://learn.microsoft.com/azure/ai-services/openai/concepts/content-filter */
function azureContentFilter(): Reply {
  return {
    kind: 'json', status: 400,
    body: { error: { message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", type: null, param: 'prompt', code: 'content_filter', status: 400, innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { violence: { filtered: true, severity: 'high' } } } } },
  };
}
