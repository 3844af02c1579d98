/**
 * Anthropic Messages request → the unified (OpenAI-shaped) chat request the core routes. What has
 * no OpenAI counterpart rides on the unified request's optional fields, so that an
 * Anthropic-backed model receives it unchanged: `cache_control` on parts and tools, thinking
 * blocks with their signatures on assistant turns, and the `thinking` setting. See
 * docs/architecture.md (the proxy's client APIs).
 */
import type { ChatMessage, ChatRequest, ContentPart, TextPart, ToolChoice } from '../../core';
import { badRequest } from '../validate';
import type { MessageParam, MessagesBlock, MessagesImage, MessagesRequest, MessagesText } from './schema';

export function messagesToUnified(req: MessagesRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  if (req.system !== undefined) {
    const system = typeof req.system === 'string' ? req.system : req.system.map(textPart);
    if (system.length) messages.push({ role: 'system', content: system });
  }
  for (const [i, m] of req.messages.entries()) messages.push(...(m.role === 'user' ? userMessages(m, i) : [assistantMessage(m, i)]));
  const out: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  if (req.thinking) out.thinking = req.thinking;
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => {
      const tool: NonNullable<ChatRequest['tools']>[number] = { type: 'function', function: { name: t.name, parameters: t.input_schema } };
      if (t.description) tool.function.description = t.description;
      if (t.cache_control) tool.cache_control = t.cache_control;
      return tool;
    });
  }
  if (req.tool_choice) {
    const [choice, parallel] = toolChoice(req.tool_choice);
    if (choice) out.tool_choice = choice;
    if (parallel === false && req.tools?.length) out.parallel_tool_calls = false;
  }
  if (req.stream) out.stream = true;
  return out;
}

function toolChoice(c: NonNullable<MessagesRequest['tool_choice']>): [ToolChoice | undefined, boolean | undefined] {
  const parallel = 'disable_parallel_tool_use' in c && c.disable_parallel_tool_use ? false : undefined;
  switch (c.type) {
    case 'auto': return ['auto', parallel];
    case 'any': return ['required', parallel];
    case 'none': return ['none', undefined];
    case 'tool': return [{ type: 'function', function: { name: c.name } }, parallel];
  }
}

function textPart(b: MessagesText): TextPart {
  return b.cache_control ? { type: 'text', text: b.text, cache_control: b.cache_control } : { type: 'text', text: b.text };
}

/** Images become data URLs (base64) or stay URLs; the adapters read both. */
function imagePart(b: MessagesImage): ContentPart {
  const url = b.source.type === 'base64' ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
  return b.cache_control ? { type: 'image_url', image_url: { url }, cache_control: b.cache_control } : { type: 'image_url', image_url: { url } };
}

/**
 * A user turn: its `tool_result` blocks become OpenAI `tool` messages (in order, before the turn's
 * other content, as Anthropic requires them first), the rest one user message.
 */
function userMessages(m: MessageParam, i: number): ChatMessage[] {
  if (typeof m.content === 'string') return [{ role: 'user', content: m.content }];
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const [j, b] of m.content.entries()) {
    switch (b.type) {
      case 'text': parts.push(textPart(b)); break;
      case 'image': parts.push(imagePart(b)); break;
      case 'tool_result': out.push(toolMessage(b, i, j)); break;
      default: throw misplaced(b, i, j, 'user');
    }
  }
  if (parts.length) out.push({ role: 'user', content: parts });
  return out;
}

function toolMessage(b: Extract<MessagesBlock, { type: 'tool_result' }>, i: number, j: number): ChatMessage {
  let content: string | TextPart[] = '';
  if (typeof b.content === 'string') content = b.content;
  else if (b.content) {
    if (b.content.some((c) => c.type === 'image')) throw badRequest(`messages.${i}.content.${j}: images inside a tool_result are not supported by this proxy; send the image in a user text turn`, `messages.${i}.content.${j}.content`);
    content = b.content.map((c) => textPart(c as MessagesText));
  }
  // OpenAI tool messages have no error flag; the model reads it from the text.
  if (b.is_error) content = typeof content === 'string' ? `Error: ${content}` : [{ type: 'text', text: 'Error:' }, ...content];
  if (b.cache_control && typeof content === 'string' && content) content = [{ type: 'text', text: content, cache_control: b.cache_control }];
  return { role: 'tool', tool_call_id: b.tool_use_id, content };
}

function assistantMessage(m: MessageParam, i: number): ChatMessage {
  if (typeof m.content === 'string') return { role: 'assistant', content: m.content };
  const text: TextPart[] = [];
  const toolCalls: NonNullable<Extract<ChatMessage, { role: 'assistant' }>['tool_calls']> = [];
  const thinking: NonNullable<Extract<ChatMessage, { role: 'assistant' }>['thinking_blocks']> = [];
  for (const [j, b] of m.content.entries()) {
    switch (b.type) {
      case 'text': text.push(textPart(b)); break;
      case 'tool_use': toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } }); break;
      case 'thinking': thinking.push(b.signature === undefined ? { type: 'thinking', thinking: b.thinking } : { type: 'thinking', thinking: b.thinking, signature: b.signature }); break;
      case 'redacted_thinking': thinking.push({ type: 'redacted_thinking', data: b.data }); break;
      default: throw misplaced(b, i, j, 'assistant');
    }
  }
  const msg: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: text.length ? text : null };
  if (toolCalls.length) msg.tool_calls = toolCalls;
  if (thinking.length) msg.thinking_blocks = thinking;
  return msg;
}

function misplaced(b: MessagesBlock, i: number, j: number, role: string) {
  return badRequest(`messages.${i}.content.${j}: a ${b.type} block is not allowed in a ${role} message`, `messages.${i}.content.${j}`);
}
