/**
 * Unified (OpenAI-shaped) request → Anthropic Messages request.
 * https://docs.anthropic.com/en/api/messages
 * - System and developer messages go to the top-level `system`, wherever they stand.
 * - `max_tokens` is required by Anthropic; LiteLLM sends a default when the caller gives none.
 * - Roles must alternate: consecutive turns of one role are merged, and tool results (role
 *   `tool` in OpenAI) become `tool_result` blocks of a user turn.
 * - Images: base64 `source` from data URLs, `url` source for https URLs.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../../types/request';
import { contentText, stopList } from '../../types/request';
import type { Deployment } from '../../types/deployment';
import { AnyModelError } from '../../types/errors';
import { parseDataUrl, parseToolArguments } from '../shared';

export const DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;
interface Turn { role: 'user' | 'assistant'; content: Block[] }

export function messagesBody(req: ChatRequest, dep: Deployment, stream: boolean): Record<string, unknown> {
  const system: string[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: Block[]) => {
    if (!blocks.length) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(contentText(m.content));
    else if (m.role === 'user') push('user', userBlocks(m.content, dep));
    else if (m.role === 'assistant') push('assistant', assistantBlocks(m, dep));
    else push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: contentText(m.content) }]);
  }
  const body: Record<string, unknown> = { model: dep.model, max_tokens: req.max_tokens ?? DEFAULT_MAX_TOKENS, messages: turns };
  if (system.length) body.system = system.join('\n\n');
  if (req.temperature !== undefined) body.temperature = Math.min(req.temperature, 1); // Anthropic's range is 0..1
  if (req.top_p !== undefined) body.top_p = req.top_p;
  const stop = stopList(req.stop);
  if (stop?.length) body.stop_sequences = stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (req.tools?.length && req.tool_choice !== 'none') {
    body.tools = req.tools.map((t) => ({ name: t.function.name, description: t.function.description, input_schema: t.function.parameters ?? { type: 'object', properties: {} } }));
    const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  if (stream) body.stream = true;
  return body;
}

function userBlocks(content: string | ContentPart[], dep: Deployment): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.map((p): Block => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    const data = parseDataUrl(p.image_url.url);
    if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
    if (/^https?:\/\//.test(p.image_url.url)) return { type: 'image', source: { type: 'url', url: p.image_url.url } };
    throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'messages', message: 'Anthropic takes images as base64 data URLs or http(s) URLs' });
  });
}

function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, dep: Deployment): Block[] {
  const blocks: Block[] = [];
  const text = typeof m.content === 'string' || Array.isArray(m.content) ? contentText(m.content) : '';
  if (text) blocks.push({ type: 'text', text });
  for (const tc of m.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseToolArguments(tc.function.arguments, dep, tc.function.name) });
  }
  return blocks;
}

/** https://docs.anthropic.com/en/docs/build-with-claude/tool-use#forcing-tool-use */
function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Block | undefined {
  const extra = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...extra } : undefined;
  if (choice === 'auto') return { type: 'auto', ...extra };
  if (choice === 'required') return { type: 'any', ...extra };
  if (choice === 'none') return undefined;
  return { type: 'tool', name: choice.function.name, ...extra };
}
