/**
 * A mock Anthropic Messages API (https://docs.anthropic.com/en/api/messages). It validates what the
 * real API does (x-api-key, anthropic-version, required max_tokens, alternating roles, tool_result
 * ids matching earlier tool_use ids) and streams the documented events, with `ping`s, CRLF line
 * ends and writes that cut through events and multi-byte characters.
 */
import { startMockServer, sse, splitBytes, type MockServer, type RecordedRequest, type Reply } from '../helpers/mock-server';
import { decide, pieces, sniffImage, USAGE, type Conversation } from './script';

type Block = { type: string; text?: string; id?: string; tool_use_id?: string; content?: unknown; source?: { type: string; media_type?: string; data?: string } };
interface Msg { role: string; content: string | Block[] }
interface Body { model?: string; max_tokens?: number; messages?: Msg[]; tools?: { name: string }[]; stream?: boolean; system?: unknown }

export function anthropicError(status: number, type: string, message: string): Reply {
  return { kind: 'json', status, headers: { 'request-id': 'req_mock' }, body: { type: 'error', error: { type, message } } };
}

export function startAnthropicMock(opts: { apiKey?: string } = {}): Promise<MockServer> {
  const apiKey = opts.apiKey ?? 'test-key';
  return startMockServer((req) => {
    if (req.headers['x-api-key'] !== apiKey) return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (req.method !== 'POST' || req.url !== '/v1/messages') return anthropicError(404, 'not_found_error', `Not found: ${req.url}`);
    return messages(req);
  });
}

function validate(body: Body): string | undefined {
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  const msgs = body.messages ?? [];
  if (!msgs.length) return 'messages: Field required';
  const toolUseIds = new Set<string>();
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i > 0 && msgs[i - 1]!.role === m.role) return 'messages: roles must alternate between "user" and "assistant", but found multiple "' + m.role + '" roles in a row';
    for (const b of Array.isArray(m.content) ? m.content : []) {
      if (b.type === 'tool_use' && b.id) toolUseIds.add(b.id);
      if (b.type === 'tool_result' && !toolUseIds.has(b.tool_use_id ?? '')) return `messages.${i}.content: unexpected tool_use_id found in tool_result blocks: ${b.tool_use_id}`;
    }
  }
  if (msgs[0]!.role !== 'user') return 'messages: first message must use the "user" role';
  return undefined;
}

function readConversation(body: Body): Conversation {
  const msgs = body.messages ?? [];
  const blocksOf = (m: Msg): Block[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content);
  const userWithText = [...msgs].reverse().find((m) => m.role === 'user' && blocksOf(m).some((b) => b.type === 'text' || b.type === 'image'));
  const blocks = userWithText ? blocksOf(userWithText) : [];
  const results = msgs.flatMap((m) => blocksOf(m).filter((b) => b.type === 'tool_result'));
  const last = results.at(-1);
  return {
    lastUserText: blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''),
    imageTypes: blocks.filter((b) => b.type === 'image').map((b) => (b.source?.type === 'base64' ? sniffImage(b.source.data ?? '') : 'image/url')),
    tools: (body.tools ?? []).map((t) => t.name),
    toolResult: last ? (typeof last.content === 'string' ? last.content : JSON.stringify(last.content)) : undefined,
  };
}

function messages(req: RecordedRequest): Reply {
  const body = req.body as Body;
  const problem = validate(body);
  if (problem) return anthropicError(400, 'invalid_request_error', problem);
  const answer = decide('anthropic', readConversation(body));
  const usage = { input_tokens: USAGE.input - USAGE.cached, cache_read_input_tokens: USAGE.cached, cache_creation_input_tokens: 0, output_tokens: USAGE.output };
  const stopReason = answer.kind === 'tool' ? 'tool_use' : 'end_turn';
  const toolBlock = answer.kind === 'tool' ? { type: 'tool_use', id: 'toolu_mock01', name: answer.name, input: answer.args } : undefined;
  const message = { id: 'msg_mock01', type: 'message', role: 'assistant', model: body.model, stop_sequence: null };
  if (!body.stream) {
    const content = answer.kind === 'text' ? [{ type: 'text', text: answer.text }] : [{ type: 'text', text: 'Let me check.' }, toolBlock];
    return { kind: 'json', body: { ...message, content, stop_reason: stopReason, usage } };
  }
  const ev = (data: { type: string } & Record<string, unknown>) => ({ event: data.type, data });
  const events = [
    ev({ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }),
    ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ev({ type: 'ping' }),
  ];
  if (answer.kind === 'text') {
    for (const p of pieces(answer.text)) events.push(ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }));
    events.push(ev({ type: 'content_block_stop', index: 0 }));
  } else {
    events.push(ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me check.' } }), ev({ type: 'content_block_stop', index: 0 }));
    events.push(ev({ type: 'content_block_start', index: 1, content_block: { ...toolBlock, input: {} } }));
    events.push(ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const p of pieces(JSON.stringify(answer.args), 3)) events.push(ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: p } }));
    events.push(ev({ type: 'content_block_stop', index: 1 }));
  }
  events.push(ev({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output } }), ev({ type: 'ping' }), ev({ type: 'message_stop' }));
  return { kind: 'raw', contentType: 'text/event-stream', pieces: splitBytes(sse(events, { crlf: true }), 5) };
}
