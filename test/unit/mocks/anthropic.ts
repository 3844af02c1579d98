/**
 * A mock Anthropic Messages API (https://docs.anthropic.com/en/api/messages) on 127.0.0.1. It
 * checks what the real API checks — `x-api-key` and `anthropic-version`, required `model`,
 * `max_tokens` and `messages`, no unknown top-level fields ("Extra inputs are not permitted"),
 * user/assistant roles only and alternating, non-empty text, tool_result blocks first and matching
 * the previous turn's tool_use ids, images whose bytes match their media type, tools with an object
 * input schema, temperature within 0..1 — and answers with Anthropic's own error bodies. Streams
 * carry the documented events with what the real API does on the wire: `ping`s, CRLF line ends,
 * spaces after the JSON, an empty first `partial_json`, cumulative usage in `message_delta`, and
 * writes that cut through events and multi-byte characters.
 */
import { startMockServer, type MockServer, type Reply } from '../helpers/mock-server';
import { cutAtStop, decide, pieces, sniffImage, USAGE, type Answer, type Conversation } from './script';

type Json = Record<string, unknown>;
interface Block { type: string; thinking?: unknown; signature?: unknown; data?: unknown; cache_control?: unknown; input_schema?: unknown; text?: unknown; id?: unknown; name?: unknown; input?: unknown; tool_use_id?: unknown; content?: unknown; source?: { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown } }
interface Msg { role: unknown; content: unknown }

export const REQUEST_ID = 'req_011CMockAnthropic';

/** An Anthropic error reply: `{type:"error", error:{type, message}, request_id}` and a `request-id` header. */
export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): Reply {
  return { kind: 'json', status, headers: { 'request-id': REQUEST_ID, ...headers }, body: { type: 'error', error: { type, message }, request_id: REQUEST_ID } };
}

const TOP_LEVEL = new Set(['model', 'messages', 'max_tokens', 'system', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'metadata', 'tools', 'tool_choice', 'thinking', 'output_config', 'service_tier', 'container', 'mcp_servers', 'context_management']);
const VERSIONS = new Set(['2023-06-01', '2023-01-01']);
const MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * `contextTokens`: the model's context window; a longer prompt (text at ~4 characters a token) gets
 * the real API's 400 "prompt is too long: N tokens > M maximum".
 */
export function startAnthropicMock(opts: { apiKey?: string; contextTokens?: number } = {}): Promise<MockServer> {
  const apiKey = opts.apiKey ?? 'test-key';
  return startMockServer((req) => {
    const key = req.headers['x-api-key'];
    if (key === undefined) return anthropicError(401, 'authentication_error', 'x-api-key header is required');
    if (key !== apiKey) return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    const version = req.headers['anthropic-version'];
    if (version === undefined) return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (typeof version !== 'string' || !VERSIONS.has(version)) return anthropicError(400, 'invalid_request_error', `anthropic-version: invalid version ${String(version)}`);
    if (req.method === 'POST' && req.url === '/v1/messages/count_tokens') return countTokens(req.body as Json);
    if (req.method !== 'POST' || req.url !== '/v1/messages') return anthropicError(404, 'not_found_error', 'Not Found');
    if (!String(req.headers['content-type']).startsWith('application/json')) return anthropicError(400, 'invalid_request_error', 'Content-Type must be application/json');
    if (!req.body || typeof req.body !== 'object') return anthropicError(400, 'invalid_request_error', 'The request body is not valid JSON.');
    const body = req.body as Json;
    const problem = validate(body);
    if (problem) return anthropicError(400, 'invalid_request_error', problem);
    const tokens = Math.ceil(JSON.stringify([body.system ?? '', body.messages]).length / 4);
    if (opts.contextTokens !== undefined && tokens > opts.contextTokens) return anthropicError(400, 'invalid_request_error', `prompt is too long: ${tokens} tokens > ${opts.contextTokens} maximum`);
    return answer(body, decide('anthropic', readConversation(body)));
  });
}

const COUNT_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers']);

/** What the mock's tokenizer makes of a request: about three characters a token, so it differs from the proxy's estimate. */
export const mockTokenCount = (body: Json): number => Math.ceil(JSON.stringify([body.system ?? '', body.messages, body.tools ?? []]).length / 3);

/** https://docs.anthropic.com/en/api/messages-count-tokens: the Messages fields that shape the prompt, nothing else. */
function countTokens(body: Json): Reply {
  for (const k of Object.keys(body)) if (!COUNT_FIELDS.has(k)) return anthropicError(400, 'invalid_request_error', `${k}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || !Array.isArray(body.messages)) return anthropicError(400, 'invalid_request_error', 'model, messages: Field required');
  return { kind: 'json', headers: { 'request-id': REQUEST_ID }, body: { input_tokens: mockTokenCount(body) } };
}

function validate(body: Json): string | undefined {
  for (const k of Object.keys(body)) if (!TOP_LEVEL.has(k)) return `${k}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) return 'temperature: Input should be less than or equal to 1';
  if (body.system !== undefined && typeof body.system !== 'string' && !(Array.isArray(body.system) && body.system.every((b: Block) => b.type === 'text' && typeof b.text === 'string' && b.text))) return 'system: Input should be a valid string or a list of text blocks';
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string')) return 'stop_sequences: Input should be a valid list of strings';
    if (body.stop_sequences.some((s: string) => !s.trim())) return 'stop_sequences: each stop sequence must contain non-whitespace';
  }
  const meta = body.metadata as Json | undefined;
  if (meta !== undefined && (typeof meta !== 'object' || Object.keys(meta).some((k) => k !== 'user_id') || typeof meta.user_id !== 'string')) return 'metadata: only user_id (a string) is allowed';
  return validateTools(body) ?? validateOutput(body) ?? validateThinking(body) ?? validateMessages(body.messages);
}

/** The signature the mock gives a thinking text (the real one is opaque; it only has to round-trip). */
export const signatureOf = (thinking: string) => `sig_${Buffer.from(thinking).toString('base64')}`;
export const THINKING_TEXT = 'The user asks; I answer.';

/**
 * Extended thinking (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking):
 * budget_tokens ≥ 1024 and below max_tokens; with thinking on, a final assistant turn that uses a
 * tool must start with its thinking block, signature unchanged.
 */
function validateThinking(body: Json): string | undefined {
  const t = body.thinking as Json | undefined;
  if (t === undefined || t.type === 'disabled') return undefined;
  if (t.type !== 'enabled' || typeof t.budget_tokens !== 'number') return 'thinking: Input should be {type: "enabled", budget_tokens} or {type: "disabled"}';
  if (t.budget_tokens < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
  if (t.budget_tokens >= (body.max_tokens as number)) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  const msgs = (Array.isArray(body.messages) ? body.messages : []) as Msg[];
  const lastAssistant = [...msgs.entries()].reverse().find(([, m]) => m.role === 'assistant');
  if (lastAssistant && Array.isArray(lastAssistant[1].content) && (lastAssistant[1].content as Block[]).some((b) => b.type === 'tool_use')) {
    const first = (lastAssistant[1].content as Block[])[0]!;
    if (first.type !== 'thinking' && first.type !== 'redacted_thinking') return `messages.${lastAssistant[0]}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`;
  }
  return undefined;
}

function validateTools(body: Json): string | undefined {
  const tools = body.tools as Block[] | undefined;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
    for (const [i, t] of tools.entries()) {
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      const schema = t.input_schema as Json | undefined;
      if (!schema || schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    }
  }
  const choice = body.tool_choice as Json | undefined;
  if (choice !== undefined) {
    if (!['auto', 'any', 'tool', 'none'].includes(choice.type as string)) return `tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'`;
    if (choice.type === 'none' && 'disable_parallel_tool_use' in choice) return 'tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted';
    if (choice.type === 'tool' && !(tools ?? []).some((t) => t.name === choice.name)) return `tool_choice: tool "${String(choice.name)}" not found in tools`;
  }
  return undefined;
}

function validateOutput(body: Json): string | undefined {
  const out = body.output_config as { format?: Json } | undefined;
  if (out === undefined) return undefined;
  const f = out.format;
  if (!f || f.type !== 'json_schema' || !f.schema || typeof f.schema !== 'object') return "output_config.format: Input should be {type: 'json_schema', schema: {...}}";
  return undefined;
}

function validateMessages(raw: unknown): string | undefined {
  if (!Array.isArray(raw)) return 'messages: Field required';
  const msgs = raw as Msg[];
  if (!msgs.length) return 'messages: at least one message is required';
  let pendingToolUse: string[] = [];
  for (const [i, m] of msgs.entries()) {
    if (m.role === 'system') return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== 'user') return 'messages: first message must use the "user" role';
    if (i > 0 && msgs[i - 1]!.role === m.role) return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    const last = i === msgs.length - 1;
    if (typeof m.content === 'string') {
      if (!m.content && !(last && m.role === 'assistant')) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
      if (pendingToolUse.length) return missingResults(i - 1, pendingToolUse);
      continue;
    }
    if (!Array.isArray(m.content) || (!m.content.length && !(last && m.role === 'assistant'))) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    const blocks = m.content as Block[];
    const results = blocks.findIndex((b) => b.type !== 'tool_result');
    const leading = blocks.slice(0, results < 0 ? blocks.length : results);
    if (pendingToolUse.length) {
      const answered = new Set(leading.map((b) => b.tool_use_id));
      const missing = pendingToolUse.filter((id) => !answered.has(id));
      if (missing.length) return missingResults(i - 1, missing);
    }
    const toolUseIds: string[] = [];
    for (const [j, b] of blocks.entries()) {
      const at = `messages.${i}.content.${j}`;
      const problem = validateBlock(b, at, m.role, pendingToolUse, j < leading.length);
      if (problem) return problem;
      if (b.type === 'tool_use') toolUseIds.push(b.id as string);
    }
    if (last && m.role === 'assistant' && blocks.at(-1)?.type === 'text' && /\s$/.test(blocks.at(-1)!.text as string)) return 'messages: final assistant content cannot end with trailing whitespace';
    pendingToolUse = toolUseIds;
  }
  return undefined;
}

function missingResults(i: number, ids: string[]): string {
  return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
}

function validateBlock(b: Block, at: string, role: unknown, previousToolUse: string[], leading: boolean): string | undefined {
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' && b.text ? undefined : 'messages: text content blocks must be non-empty';
    case 'tool_use':
      if (role !== 'assistant') return `${at}: tool_use blocks are only allowed in assistant messages`;
      if (typeof b.id !== 'string' || typeof b.name !== 'string') return `${at}.tool_use: id and name are required`;
      return b.input && typeof b.input === 'object' && !Array.isArray(b.input) ? undefined : `${at}.tool_use.input: Input should be a valid dictionary`;
    case 'tool_result':
      if (role !== 'user') return `${at}: tool_result blocks are only allowed in user messages`;
      if (!leading || !previousToolUse.includes(b.tool_use_id as string)) return `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      if (b.content !== undefined && typeof b.content !== 'string' && !Array.isArray(b.content)) return `${at}.tool_result.content: Input should be a valid string or list`;
      if (b.content === '') return 'messages: text content blocks must be non-empty';
      return undefined;
    case 'thinking':
      if (role !== 'assistant') return `${at}: thinking blocks are only allowed in assistant messages`;
      if (typeof b.thinking !== 'string' || b.signature !== signatureOf(b.thinking)) return `${at}: Invalid \`signature\` in \`thinking\` block`;
      return undefined;
    case 'redacted_thinking':
      return role === 'assistant' && typeof b.data === 'string' ? undefined : `${at}: redacted_thinking blocks need data and are only allowed in assistant messages`;
    case 'image':
      if (role !== 'user') return `${at}: image blocks are only allowed in user messages`;
      return validateImage(b, at);
    default:
      return `${at}: Input tag '${b.type}' found using 'type' does not match any of the expected tags`;
  }
}

function validateImage(b: Block, at: string): string | undefined {
  const s = b.source;
  if (s?.type === 'url') return typeof s.url === 'string' && /^https?:\/\//.test(s.url) ? undefined : `${at}.image.source.url: Input should be a valid URL`;
  if (s?.type !== 'base64') return `${at}.image.source: Input tag '${String(s?.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url'`;
  if (!MEDIA_TYPES.has(s.media_type as string)) return `${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  if (typeof s.data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(s.data)) return `${at}.image.source.base64: invalid base64 data`;
  const actual = sniffImage(s.data);
  if (actual !== 'application/octet-stream' && actual !== s.media_type) return `${at}.image.source.base64: The image was specified using the ${String(s.media_type)} media type, but the image appears to be a ${actual} image`;
  return undefined;
}

function readConversation(body: Json): Conversation {
  const msgs = body.messages as Msg[];
  const blocksOf = (m: Msg): Block[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content as Block[]);
  const lastUser = [...msgs].reverse().find((m) => m.role === 'user' && blocksOf(m).some((b) => b.type === 'text' || b.type === 'image'));
  const blocks = lastUser ? blocksOf(lastUser) : [];
  const result = msgs.flatMap((m) => blocksOf(m).filter((b) => b.type === 'tool_result')).at(-1);
  const resultText = (c: unknown) => (typeof c === 'string' ? c : Array.isArray(c) ? (c as Block[]).map((b) => b.text ?? '').join('') : '');
  return {
    lastUserText: blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''),
    imageTypes: blocks.filter((b) => b.type === 'image').map((b) => (b.source?.type === 'base64' ? (b.source.media_type as string) : urlMediaType(b.source?.url as string))),
    tools: ((body.tools ?? []) as Block[]).map((t) => t.name as string),
    toolResult: result ? resultText(result.content) : undefined,
  };
}

/** The mock does not fetch URL images; it names them by their extension. */
function urlMediaType(url: string): string {
  const ext = /\.(png|jpe?g|gif|webp)(?:$|[?#])/i.exec(url)?.[1]?.toLowerCase();
  return ext ? `image/${ext === 'jpg' ? 'jpeg' : ext}` : 'image/unknown';
}

const TOOL_ID = 'toolu_01MockWeather';

function answer(body: Json, scripted: Answer): Reply {
  const usage = { input_tokens: USAGE.input - USAGE.cached, cache_creation_input_tokens: 0, cache_read_input_tokens: USAGE.cached, output_tokens: USAGE.output, service_tier: 'standard' };
  // A stop sequence in the answer ends it there: `stop_reason: "stop_sequence"` names which one.
  const cut = scripted.kind === 'text' ? cutAtStop(scripted.text, body.stop_sequences) : { text: '' };
  const a: Answer = scripted.kind === 'text' ? { kind: 'text', text: cut.text } : scripted;
  const stopReason = a.kind === 'tool' ? 'tool_use' : cut.matched !== undefined ? 'stop_sequence' : 'end_turn';
  const stopSequence = cut.matched ?? null;
  const message = { id: 'msg_01MockAnthropic', type: 'message', role: 'assistant', model: body.model, stop_sequence: null };
  const thinking = (body.thinking as Json | undefined)?.type === 'enabled';
  if (!body.stream) {
    const content: Json[] = thinking ? [{ type: 'thinking', thinking: THINKING_TEXT, signature: signatureOf(THINKING_TEXT) }] : [];
    if (a.kind === 'text') content.push({ type: 'text', text: a.text });
    else content.push({ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: TOOL_ID, name: a.name, input: a.args });
    return { kind: 'json', headers: { 'request-id': REQUEST_ID }, body: { ...message, content, stop_reason: stopReason, stop_sequence: stopSequence, usage } };
  }
  const events: Json[] = [{ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }];
  let index = 0;
  if (thinking) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const p of pieces(THINKING_TEXT)) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: p } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: signatureOf(THINKING_TEXT) } }, { type: 'content_block_stop', index });
    index++;
  }
  const text = a.kind === 'text' ? a.text : 'Let me check.';
  events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, { type: 'ping' });
  for (const p of pieces(text)) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } });
  events.push({ type: 'content_block_stop', index });
  if (a.kind === 'tool') {
    index++;
    events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: TOOL_ID, name: a.name, input: {} } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
    for (const p of pieces(JSON.stringify(a.args), 3)) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } });
    events.push({ type: 'content_block_stop', index });
  }
  events.push(
    { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: USAGE.output } },
    { type: 'ping' },
    { type: 'message_stop' },
  );
  return { kind: 'raw', contentType: 'text/event-stream; charset=utf-8', headers: { 'request-id': REQUEST_ID, 'cache-control': 'no-cache' }, pieces: unevenPieces(anthropicSse(events, { crlf: true })) };
}

/** Anthropic's SSE framing: `event: <type>` then `data: <json>`; the real API pads some data lines with spaces. */
export function anthropicSse(events: Json[], opts: { crlf?: boolean } = {}): string {
  const nl = opts.crlf ? '\r\n' : '\n';
  return events.map((e, i) => `event: ${String(e.type)}${nl}data: ${JSON.stringify(e)}${i % 2 ? '   ' : ''}${nl}${nl}`).join('');
}

/** Writes of 1, 4, 9, 16, 25 ... bytes (cycling), so events and multi-byte characters are cut in different places. */
function unevenPieces(text: string): Buffer[] {
  const buf = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0, n = 1; i < buf.length; n = (n % 7) + 1) {
    out.push(buf.subarray(i, i + n * n));
    i += n * n;
  }
  return out;
}
