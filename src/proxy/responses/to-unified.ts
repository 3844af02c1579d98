/**
 * Responses API request → the unified chat request. Input items map onto chat messages:
 * messages by role, `function_call` items onto an assistant turn's tool calls (consecutive calls
 * share one turn), `function_call_output` onto `tool` messages; `instructions` is the system
 * message, put before the stored conversation of `previous_response_id`.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from '../../core';
import type { InputItem, ResponsesRequest } from './schema';

export function inputMessages(input: ResponsesRequest['input']): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const out: ChatMessage[] = [];
  for (const item of input) {
    const m = itemMessage(item);
    if (!m) continue;
    const last = out.at(-1);
    // Parallel calls arrive as separate items; OpenAI-shaped history wants them on one assistant turn.
    if (m.role === 'assistant' && m.tool_calls && !m.content && last?.role === 'assistant') {
      last.tool_calls = [...(last.tool_calls ?? []), ...m.tool_calls];
      continue;
    }
    out.push(m);
  }
  return out;
}

function itemMessage(item: InputItem): ChatMessage | undefined {
  if (item.type === 'reasoning') return undefined;
  if (item.type === 'function_call') {
    const call: ToolCall = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
    return { role: 'assistant', content: null, tool_calls: [call] };
  }
  if (item.type === 'function_call_output') {
    return { role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : item.output.map((p) => ({ type: 'text' as const, text: p.text })) };
  }
  if (typeof item.content === 'string') return { role: item.role, content: item.content } as ChatMessage;
  if (item.role === 'user') {
    const parts: ContentPart[] = item.content.map((p) => {
      if (p.type === 'input_image') return { type: 'image_url', image_url: p.detail ? { url: p.image_url, detail: p.detail } : { url: p.image_url } };
      return { type: 'text', text: p.type === 'refusal' ? p.refusal : p.text };
    });
    return { role: 'user', content: parts };
  }
  const text = item.content.map((p) => (p.type === 'refusal' ? p.refusal : p.type === 'input_image' ? '' : p.text)).join('');
  return { role: item.role, content: text } as ChatMessage;
}

/** The unified request for `history` (stored turns and this request's input). */
export function responsesToUnified(req: ResponsesRequest, history: ChatMessage[]): ChatRequest {
  const messages: ChatMessage[] = req.instructions ? [{ role: 'system', content: req.instructions }, ...history] : history;
  const out: ChatRequest = { model: req.model, messages };
  if (req.max_output_tokens != null) out.max_tokens = req.max_output_tokens;
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.top_p = req.top_p;
  if (req.user) out.user = req.user;
  if (req.reasoning?.effort) out.reasoning_effort = req.reasoning.effort;
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.parameters ? { parameters: t.parameters } : {}), ...(t.strict != null ? { strict: t.strict } : {}) },
    }));
    if (req.parallel_tool_calls != null) out.parallel_tool_calls = req.parallel_tool_calls;
  }
  if (req.tool_choice) out.tool_choice = typeof req.tool_choice === 'string' ? req.tool_choice : { type: 'function', function: { name: req.tool_choice.name } };
  const f = req.text?.format;
  if (f && f.type !== 'text') {
    out.response_format = f.type === 'json_object' ? { type: 'json_object' } : { type: 'json_schema', json_schema: { name: f.name, schema: f.schema, ...(f.description ? { description: f.description } : {}), ...(f.strict != null ? { strict: f.strict } : {}) } };
  }
  if (req.stream) out.stream = true;
  return out;
}
