/**
 * VS Code's language model messages and options ⇄ the core's unified request and stream parts
 * (the OpenAI Chat Completions shape of src/core/types/request.ts). The core then translates for the
 * provider, exactly as for the chat panel: there is no second translation per provider here.
 *
 * VS Code API: https://code.visualstudio.com/api/references/vscode-api#LanguageModelChatProvider
 * (messages are User or Assistant; tool results come back in a User message after the Assistant
 * message holding the tool calls; images arrive as LanguageModelDataPart with an image/* mime type).
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import { AnyModelError, type ChatMessage, type ChatRequest, type ContentPart, type StreamPart } from '../../core';

type ToolDefinition = NonNullable<ChatRequest['tools']>[number];

/** The shape of a data part, read structurally: parts may come from any extension in the host. */
interface DataLike { mimeType: string; data: Uint8Array }

function isDataPart(part: unknown): part is DataLike {
  return typeof part === 'object' && part !== null && typeof (part as DataLike).mimeType === 'string' && (part as DataLike).data instanceof Uint8Array;
}

function isText(part: unknown): part is vscode.LanguageModelTextPart {
  return part instanceof vscode.LanguageModelTextPart || (typeof part === 'object' && part !== null && typeof (part as { value?: unknown }).value === 'string' && !('callId' in part));
}

function isToolCall(part: unknown): part is vscode.LanguageModelToolCallPart {
  return part instanceof vscode.LanguageModelToolCallPart
    || (typeof part === 'object' && part !== null && typeof (part as { callId?: unknown }).callId === 'string' && typeof (part as { name?: unknown }).name === 'string' && 'input' in part);
}

function isToolResult(part: unknown): part is vscode.LanguageModelToolResultPart {
  return part instanceof vscode.LanguageModelToolResultPart
    || (typeof part === 'object' && part !== null && typeof (part as { callId?: unknown }).callId === 'string' && Array.isArray((part as { content?: unknown }).content));
}

const TEXTUAL = /^(text\/|application\/(json|xml|x-json))/;

/** Text of a data part that holds text (json, markdown…); undefined for binary data. */
function dataText(part: DataLike): string | undefined {
  return TEXTUAL.test(part.mimeType) ? Buffer.from(part.data).toString('utf8') : undefined;
}

/** A tool result's content as the text a provider takes (tool results are text in every API we speak). */
function toolResultText(content: readonly unknown[], notes: Set<string>): string {
  return content.map((p) => {
    if (isText(p)) return p.value;
    if (isDataPart(p)) {
      const text = dataText(p);
      if (text !== undefined) return text;
      notes.add(`a ${p.mimeType} part of a tool result was left out (tool results are sent as text)`);
      return '';
    }
    if (p instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(p.value);
    return typeof p === 'string' ? p : JSON.stringify(p);
  }).join('');
}

export interface Converted {
  messages: ChatMessage[];
  /** Things dropped on the way, each worth one log line. */
  notes: Set<string>;
}

/** VS Code's messages as the core's: tool results become `tool` messages, images data URLs. */
export function toCoreMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): Converted {
  const out: ChatMessage[] = [];
  const notes = new Set<string>();
  for (const message of messages) {
    const role = message.role as number;
    if (role === vscode.LanguageModelChatMessageRole.Assistant) {
      let text = '';
      const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
      for (const part of message.content) {
        if (isToolCall(part)) calls.push({ id: part.callId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) } });
        else if (isText(part)) text += part.value;
        else if (isDataPart(part)) { const t = dataText(part); if (t !== undefined) text += t; }
      }
      if (!text && !calls.length) continue;
      out.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    // User, and the System role VS Code's own chat sends through a proposed API (value 3).
    const parts: ContentPart[] = [];
    for (const part of message.content) {
      if (isToolResult(part)) out.push({ role: 'tool', tool_call_id: part.callId, content: toolResultText(part.content, notes) });
      else if (isText(part)) { if (part.value) parts.push({ type: 'text', text: part.value }); }
      else if (isDataPart(part)) {
        if (part.mimeType.startsWith('image/')) parts.push({ type: 'image_url', image_url: { url: `data:${part.mimeType};base64,${Buffer.from(part.data).toString('base64')}` } });
        else {
          const text = dataText(part);
          // Other data parts are hints for particular providers (e.g. a cache_control marker): not content.
          if (text !== undefined && part.mimeType !== 'cache_control') parts.push({ type: 'text', text });
          else notes.add(`a ${part.mimeType} data part was left out (not content AnyModel sends)`);
        }
      } else if (isToolCall(part)) notes.add('a tool call in a user message was left out (tool calls belong to assistant messages)');
      else notes.add('a message part of an unknown kind was left out');
    }
    if (!parts.length) continue;
    if (role === 3) {
      out.push({ role: 'system', content: parts.map((p) => (p.type === 'text' ? p.text : '')).join('') });
      continue;
    }
    const onlyText = parts.every((p) => p.type === 'text');
    out.push({ role: 'user', content: onlyText ? parts.map((p) => (p as { text: string }).text).join('') : parts, ...(message.name ? { name: message.name } : {}) });
  }
  return { messages: out, notes };
}

/**
 * The `modelOptions` a caller may pass, in the names callers use (OpenAI's, and camelCase). Checked
 * here, at the boundary: a wrong type is an error naming the option; an unknown name is dropped and logged.
 */
const modelOptionsSchema = z.object({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  topP: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).optional(),
});

const KNOWN_OPTIONS = new Set(Object.keys(modelOptionsSchema.shape));

export interface RequestParams {
  params: Omit<ChatRequest, 'model' | 'messages'>;
  /** Option names that were dropped because no provider parameter matches them. */
  dropped: string[];
}

/** `modelOptions`, tools and the tool mode as request parameters. */
export function toRequestParams(options: vscode.ProvideLanguageModelChatResponseOptions): RequestParams {
  const raw = (options.modelOptions ?? {}) as Record<string, unknown>;
  const dropped = Object.keys(raw).filter((k) => !KNOWN_OPTIONS.has(k) || raw[k] === undefined || raw[k] === null);
  const known = Object.fromEntries(Object.entries(raw).filter(([k, v]) => KNOWN_OPTIONS.has(k) && v !== undefined && v !== null));
  const parsed = modelOptionsSchema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AnyModelError({ kind: 'BadRequest', provider: 'anymodel', param: String(issue.path[0]), message: `modelOptions.${issue.path.join('.')}: ${issue.message}` });
  }
  const o = parsed.data;
  const params: RequestParams['params'] = {};
  if (o.temperature !== undefined) params.temperature = o.temperature;
  const topP = o.top_p ?? o.topP;
  if (topP !== undefined) params.top_p = topP;
  const maxTokens = o.max_tokens ?? o.maxTokens ?? o.max_output_tokens ?? o.maxOutputTokens;
  if (maxTokens !== undefined) params.max_tokens = maxTokens;
  if (o.stop !== undefined) params.stop = o.stop;
  if (o.seed !== undefined) params.seed = o.seed;
  if (o.presence_penalty !== undefined) params.presence_penalty = o.presence_penalty;
  if (o.frequency_penalty !== undefined) params.frequency_penalty = o.frequency_penalty;
  if (o.reasoning_effort !== undefined) params.reasoning_effort = o.reasoning_effort;
  const tools: ToolDefinition[] = (options.tools ?? []).map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.inputSchema ? { parameters: t.inputSchema as Record<string, unknown> } : {}) },
  }));
  if (tools.length) {
    params.tools = tools;
    if (o.tool_choice !== undefined) params.tool_choice = o.tool_choice;
    else if (options.toolMode === vscode.LanguageModelChatToolMode.Required) {
      // One tool: name it (some providers take "required" only with several tools on offer).
      params.tool_choice = tools.length === 1 ? { type: 'function', function: { name: tools[0]!.function.name } } : 'required';
    }
  }
  return { params, dropped };
}

/**
 * Turns the core's stream parts into VS Code's response parts. Text is reported as it comes; a tool
 * call is reported once its streamed arguments are complete (at the end of the answer), since
 * `LanguageModelToolCallPart` takes the whole input object.
 */
export class ResponseAssembler {
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();

  constructor(private readonly report: (part: vscode.LanguageModelResponsePart) => void) {}

  /** Returns the part's error, if it is an error part (the caller throws it). */
  push(part: StreamPart): AnyModelError | undefined {
    switch (part.type) {
      case 'text-delta':
        if (part.text) this.report(new vscode.LanguageModelTextPart(part.text));
        return undefined;
      case 'tool-call-start':
        this.calls.set(part.index, { id: part.id, name: part.name, args: '' });
        return undefined;
      case 'tool-call-delta': {
        const call = this.calls.get(part.index);
        if (call) call.args += part.argumentsDelta;
        return undefined;
      }
      case 'error':
        return part.error;
      default:
        return undefined;
    }
  }

  /** Reports the assembled tool calls; a call whose arguments are not a JSON object is an error. */
  finish(): void {
    for (const call of [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c)) {
      let input: unknown;
      try {
        input = call.args.trim() ? JSON.parse(call.args) : {};
      } catch {
        throw new AnyModelError({ kind: 'BadRequest', provider: 'anymodel', message: `The model called the tool ${call.name} with arguments that are not JSON: ${call.args.slice(0, 200)}` });
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new AnyModelError({ kind: 'BadRequest', provider: 'anymodel', message: `The model called the tool ${call.name} with arguments that are not a JSON object.` });
      }
      this.report(new vscode.LanguageModelToolCallPart(call.id, call.name, input));
    }
    this.calls.clear();
  }
}
