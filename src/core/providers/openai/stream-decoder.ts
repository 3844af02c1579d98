/**
 * OpenAI chat and completion stream chunks → stream parts.
 * https://platform.openai.com/docs/api-reference/chat-streaming
 * Quirks handled: the `[DONE]` sentinel; a final usage chunk with empty `choices` (include_usage);
 * tool calls keyed by `index` whose first delta usually carries `id` and `name` (some servers send
 * arguments first and the id or name later: held until the name arrives); an in-band `{"error":…}`
 * event; Azure's first chunk with empty `choices` and `prompt_filter_results`; servers (vLLM, TGI)
 * that send usage on the finishing chunk, or never send `[DONE]`.
 */
import type { RawStreamEvent, StreamDecoder } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { FinishReason, StreamPart, Usage } from '../../types/result';
import { AnyModelError, classifyUpstreamError } from '../../types/errors';
import { parseEventJson, parseProviderBody, readErrorBody } from '../shared';
import { chatChunkSchema, completionSchema } from './schemas';
import { mapFinishReason, mapUsage } from './map-response';

export function createChatStreamDecoder(dep: Deployment): StreamDecoder {
  return new OpenAIStreamDecoder(dep, 'chat');
}

export function createCompletionStreamDecoder(dep: Deployment): StreamDecoder {
  return new OpenAIStreamDecoder(dep, 'text');
}

class OpenAIStreamDecoder implements StreamDecoder {
  private metaSent = false;
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;
  private rawFinishReason: string | undefined;
  private stopSequence: string | undefined;
  /** Tool call index → whether its start part was emitted. */
  private readonly startedTools = new Set<number>();
  /** Tool calls whose name has not arrived yet: their id (when sent) and the arguments so far. */
  private readonly pendingTools = new Map<number, { id?: string; args: string }>();

  constructor(private readonly dep: Deployment, private readonly kind: 'chat' | 'text') {}

  onEvent(event: RawStreamEvent): StreamPart[] {
    if (event.data.trim() === '[DONE]') return [];
    const json = parseEventJson(event.data, this.dep);
    if (json && typeof json === 'object' && 'error' in json) throw this.inBandError(event.data);
    return this.kind === 'chat' ? this.chatParts(json) : this.textParts(json);
  }

  onEnd(): StreamPart[] {
    if (!this.finishReason) {
      throw new AnyModelError({ kind: 'APIConnection', provider: this.dep.provider, model: this.dep.model, message: `The ${this.dep.provider} stream ended before the answer was finished` });
    }
    const nameless = [...this.pendingTools.keys()];
    if (nameless.length) {
      throw new AnyModelError({ kind: 'BadGateway', provider: this.dep.provider, model: this.dep.model, message: `${this.dep.provider} streamed tool call ${nameless.join(', ')} without ever sending its function name` });
    }
    const finish: StreamPart = { type: 'finish', finishReason: this.finishReason };
    if (this.rawFinishReason !== undefined) finish.rawFinishReason = this.rawFinishReason;
    if (this.stopSequence !== undefined) finish.stopSequence = this.stopSequence;
    if (this.usage) finish.usage = this.usage;
    return [finish];
  }

  private chatParts(json: unknown): StreamPart[] {
    if (isTextOnlyChunk(json)) {
      const parts = this.meta(json);
      const text = json.choices[0]!.delta.content;
      if (text) parts.push({ type: 'text-delta', text });
      return parts;
    }
    const chunk = parseProviderBody(chatChunkSchema, json, this.dep, 'stream chunk');
    const parts: StreamPart[] = this.meta(chunk);
    if (chunk.usage) this.usage = mapUsage(chunk.usage);
    for (const choice of chunk.choices ?? []) {
      const d = choice.delta;
      const reasoning = d?.reasoning_content ?? d?.reasoning;
      if (reasoning) parts.push({ type: 'reasoning-delta', text: reasoning });
      if (d?.content) parts.push({ type: 'text-delta', text: d.content });
      if (d?.refusal) parts.push({ type: 'text-delta', text: d.refusal });
      for (const tc of d?.tool_calls ?? []) this.toolParts(tc, parts);
      if (choice.finish_reason) this.finish(choice.finish_reason);
      if (typeof choice.stop_reason === 'string') this.stopSequence = choice.stop_reason;
    }
    return parts;
  }

  /**
   * One tool call delta. A call starts once its name is known; whatever came before (an id,
   * argument pieces) is held and sent right after the start, so the parts are the same as from a
   * server that sends the name first.
   */
  private toolParts(tc: { index: number; id?: string | null; function?: { name?: string | null; arguments?: string | null } | null }, parts: StreamPart[]): void {
    const args = tc.function?.arguments ?? '';
    if (this.startedTools.has(tc.index)) {
      if (args) parts.push({ type: 'tool-call-delta', index: tc.index, argumentsDelta: args });
      return;
    }
    const pending = this.pendingTools.get(tc.index) ?? { args: '' };
    if (tc.id) pending.id = tc.id;
    pending.args += args;
    const name = tc.function?.name;
    if (!name) {
      this.pendingTools.set(tc.index, pending);
      return;
    }
    this.pendingTools.delete(tc.index);
    this.startedTools.add(tc.index);
    // A server that never sends an id still gets one, so the tool result can refer to the call.
    parts.push({ type: 'tool-call-start', index: tc.index, id: pending.id ?? `call_${tc.index}_${Date.now().toString(36)}`, name });
    if (pending.args) parts.push({ type: 'tool-call-delta', index: tc.index, argumentsDelta: pending.args });
  }

  private finish(raw: string): void {
    this.rawFinishReason = raw;
    this.finishReason = mapFinishReason(raw);
  }

  private textParts(json: unknown): StreamPart[] {
    const chunk = parseProviderBody(completionSchema, json, this.dep, 'stream chunk');
    const parts: StreamPart[] = this.meta(chunk);
    if (chunk.usage) this.usage = mapUsage(chunk.usage);
    for (const choice of chunk.choices) {
      if (choice.text) parts.push({ type: 'text-delta', text: choice.text });
      if (choice.finish_reason) this.finish(choice.finish_reason);
    }
    return parts;
  }

  private meta(chunk: { id?: string | null; model?: string | null; created?: number | null }): StreamPart[] {
    if (this.metaSent || !chunk.id) return [];
    this.metaSent = true;
    const part: StreamPart = { type: 'response-metadata', id: chunk.id };
    if (chunk.model) part.model = chunk.model;
    if (chunk.created) part.created = chunk.created;
    return [part];
  }

  private inBandError(data: string): AnyModelError {
    const { message, code } = readErrorBody(data);
    const status = Number((JSON.parse(data) as { error?: { code?: unknown } }).error?.code);
    const kind = Number.isInteger(status) && status >= 400 ? classifyUpstreamError(status, code, message) : classifyUpstreamError(500, code, message);
    return new AnyModelError({ kind, provider: this.dep.provider, model: this.dep.model, code, message: `${this.dep.provider} stream error: ${message}` });
  }
}

interface TextOnlyChunk {
  id?: string | null;
  model?: string | null;
  created?: number | null;
  choices: [{ delta: { content: string; role?: string | null }; finish_reason?: null }];
}

/**
 * Nearly every chunk of an answer is one choice whose delta holds only text. That shape is checked
 * by hand: zod's parse (which copies the object) cost more CPU than the rest of a chunk's handling
 * (bench/README.md, core suite). Anything else, including any malformed chunk, goes through the
 * schema, so errors still name the field and the parts are the same either way (unit-tested).
 */
function isTextOnlyChunk(json: unknown): json is TextOnlyChunk {
  if (typeof json !== 'object' || json === null) return false;
  const c = json as Record<string, unknown>;
  if (c.usage != null || !Array.isArray(c.choices) || c.choices.length !== 1) return false;
  if (!optional(c.id, 'string') || !optional(c.model, 'string') || !optional(c.created, 'number')) return false;
  const choice = c.choices[0] as Record<string, unknown> | null;
  if (typeof choice !== 'object' || choice === null || choice.finish_reason != null || !optional(choice.index, 'number')) return false;
  const delta = choice.delta as Record<string, unknown> | null;
  if (typeof delta !== 'object' || delta === null || typeof delta.content !== 'string' || !optional(delta.role, 'string')) return false;
  for (const key in delta) if (key !== 'content' && key !== 'role') return false;
  for (const key in choice) if (key !== 'index' && key !== 'delta' && key !== 'finish_reason' && key !== 'logprobs') return false;
  return choice.logprobs == null;
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || value === null || typeof value === type;
}
