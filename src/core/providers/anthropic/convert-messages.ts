/**
 * Unified (OpenAI-shaped) messages → Anthropic `system` + `messages`.
 * https://docs.anthropic.com/en/api/messages
 * - System and developer messages go to the top-level `system`, wherever they stand: the Messages
 *   API has no system role inside `messages`.
 * - Roles alternate: consecutive turns of one role are merged into one turn, and OpenAI's `tool`
 *   messages become `tool_result` blocks of a user turn, so several tool results share one turn.
 * - In a user turn holding tool results, the `tool_result` blocks come first ("tool result blocks
 *   must immediately follow their corresponding tool use blocks ... text must come after all tool
 *   results", https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use).
 * - Empty text blocks are left out (the API rejects them), and a final assistant turn (a prefill)
 *   loses its trailing whitespace, which the API also rejects.
 * - `cache_control` on a content part stays on the block made from it (prompt caching), and an
 *   assistant turn's `thinking_blocks` come first in its content with their signatures unchanged,
 *   as extended thinking with tool use requires.
 */
import type { CacheControl, ChatMessage, ContentPart, TextPart } from '../../types/request';
import { contentText } from '../../types/request';
import type { Deployment } from '../../types/deployment';
import { AnyModelError } from '../../types/errors';
import { parseDataUrl, parseToolArguments } from '../shared';

export type Block = Record<string, unknown> & { type: string };
export interface Turn { role: 'user' | 'assistant'; content: Block[] }
export interface AnthropicPrompt {
  /** A string for one system message; text blocks, one per message (or part, with cache_control), for several. */
  system?: string | Block[];
  messages: Turn[];
}

/** Base64 image media types Claude reads (https://docs.anthropic.com/en/docs/build-with-claude/vision). */
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export function toAnthropicPrompt(messages: readonly ChatMessage[], dep: Deployment): AnthropicPrompt {
  const system: Block[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: Block[]) => {
    if (!blocks.length) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
      case 'developer': {
        if (typeof m.content !== 'string' && m.content.some((p) => p.cache_control)) system.push(...textBlocks(m.content));
        else {
          const text = contentText(m.content);
          if (text) system.push({ type: 'text', text });
        }
        break;
      }
      case 'user':
        push('user', userBlocks(m.content, dep));
        break;
      case 'assistant':
        push('assistant', assistantBlocks(m, dep));
        break;
      case 'tool':
        push('user', [toolResult(m.tool_call_id, m.content)]);
        break;
    }
  }
  for (const t of turns) if (t.role === 'user') t.content = toolResultsFirst(t.content);
  trimFinalAssistant(turns);
  const prompt: AnthropicPrompt = { messages: turns };
  if (system.length === 1 && !system[0]!.cache_control) prompt.system = system[0]!.text as string;
  else if (system.length) prompt.system = system;
  return prompt;
}

function textBlocks(content: string | readonly TextPart[] | null | undefined): Block[] {
  if (content == null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.filter((p) => p.text).map((p) => withCache({ type: 'text', text: p.text }, p.cache_control));
}

function withCache(block: Block, cache: CacheControl | undefined): Block {
  if (cache) block.cache_control = cache;
  return block;
}

function userBlocks(content: string | readonly ContentPart[], dep: Deployment): Block[] {
  if (typeof content === 'string') return textBlocks(content);
  const blocks: Block[] = [];
  for (const p of content) {
    if (p.type === 'text') blocks.push(...textBlocks([p]));
    else blocks.push(withCache(imageBlock(p.image_url.url, dep), p.cache_control));
  }
  return blocks;
}

/** Images: base64 `source` from a data URL, `url` source for a web URL; anything else is refused. */
function imageBlock(url: string, dep: Deployment): Block {
  const data = parseDataUrl(url);
  if (data) {
    const mediaType = data.mediaType.toLowerCase() === 'image/jpg' ? 'image/jpeg' : data.mediaType.toLowerCase();
    if (!IMAGE_TYPES.has(mediaType)) {
      throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, model: dep.model, param: 'messages', message: `Anthropic reads JPEG, PNG, GIF and WebP images; this image is ${data.mediaType}` });
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: data.data } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  const shown = url.startsWith('data:') ? `${url.slice(0, url.indexOf(',') + 1 || 40)}…` : url.slice(0, 60);
  throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, model: dep.model, param: 'messages', message: `Anthropic takes images as base64 data URLs (data:image/png;base64,...) or https URLs, not "${shown}"` });
}

/** Assistant text, then its tool calls as `tool_use` blocks whose `input` is an object, not a JSON string. */
function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, dep: Deployment): Block[] {
  const blocks: Block[] = (m.thinking_blocks ?? []).map((b) => ({ ...b }));
  blocks.push(...textBlocks(m.content));
  for (const tc of m.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseToolArguments(tc.function.arguments, dep, tc.function.name) });
  }
  return blocks;
}

/** A tool result; its content may be omitted when empty (the API rejects empty text). */
function toolResult(toolUseId: string, content: string | readonly TextPart[]): Block {
  const block: Block = { type: 'tool_result', tool_use_id: toolUseId };
  if (typeof content === 'string') {
    if (content) block.content = content;
  } else {
    const parts = textBlocks(content);
    if (parts.length) block.content = parts;
  }
  return block;
}

function toolResultsFirst(blocks: Block[]): Block[] {
  const results = blocks.filter((b) => b.type === 'tool_result');
  if (!results.length) return blocks;
  return [...results, ...blocks.filter((b) => b.type !== 'tool_result')];
}

/** "Final assistant content cannot end with trailing whitespace" (a prefilled answer). */
function trimFinalAssistant(turns: Turn[]): void {
  const last = turns.at(-1);
  if (last?.role !== 'assistant') return;
  const tail = last.content.at(-1);
  if (tail?.type !== 'text') return;
  const text = (tail.text as string).trimEnd();
  if (text) tail.text = text;
  else last.content.pop();
  if (!last.content.length) turns.pop();
}
