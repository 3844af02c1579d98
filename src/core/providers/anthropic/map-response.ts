/**
 * Anthropic message → unified result. https://docs.anthropic.com/en/api/messages (response):
 * `text` blocks are the answer, `tool_use` blocks the tool calls (their `input` object becomes
 * OpenAI's JSON string of arguments), `thinking` blocks the visible reasoning, kept with their
 * signatures (and `redacted_thinking`, encrypted) as `thinkingBlocks` to be sent back. Other block types (server tools, citations) have no unified counterpart.
 */
import type { ChatResult } from '../../types/result';
import type { Deployment } from '../../types/deployment';
import { parseProviderBody } from '../shared';
import { mapStopReason } from './map-stop-reason';
import { mapUsage } from './map-usage';
import { errorBodySchema, messageSchema } from './schemas';
import { anthropicBodyError } from './errors';

export function parseMessage(body: unknown, dep: Deployment): ChatResult {
  // Some gateways answer an error with a 200 and Anthropic's error body.
  const error = errorBodySchema.safeParse(body);
  if (error.success && error.data.type === 'error') throw anthropicBodyError(error.data.error, error.data.request_id, dep, 'answered with an error');
  const m = parseProviderBody(messageSchema, body, dep, 'message');
  let text = '';
  let reasoning = '';
  const toolCalls: ChatResult['toolCalls'] = [];
  const thinkingBlocks: NonNullable<ChatResult['thinkingBlocks']> = [];
  for (const b of m.content) {
    if (b.type === 'text') text += b.text as string;
    else if (b.type === 'thinking') {
      reasoning += b.thinking as string;
      thinkingBlocks.push(typeof b.signature === 'string' ? { type: 'thinking', thinking: b.thinking as string, signature: b.signature } : { type: 'thinking', thinking: b.thinking as string });
    } else if (b.type === 'redacted_thinking' && typeof b.data === 'string') thinkingBlocks.push({ type: 'redacted_thinking', data: b.data });
    else if (b.type === 'tool_use') {
      toolCalls.push({ id: b.id as string, type: 'function', function: { name: b.name as string, arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  const result: ChatResult = {
    id: m.id,
    model: m.model,
    // The Messages API gives no creation time.
    created: Math.floor(Date.now() / 1000),
    content: text || (toolCalls.length ? null : ''),
    toolCalls,
    finishReason: mapStopReason(m.stop_reason),
    ...(m.stop_reason ? { rawFinishReason: m.stop_reason } : {}),
    ...(m.stop_sequence ? { stopSequence: m.stop_sequence } : {}),
    usage: mapUsage(m.usage),
  };
  if (reasoning) result.reasoning = reasoning;
  if (thinkingBlocks.length) result.thinkingBlocks = thinkingBlocks;
  return result;
}
