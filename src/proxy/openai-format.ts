/**
 * Unified results → OpenAI wire objects, so that any OpenAI client can talk to the proxy.
 * https://platform.openai.com/docs/api-reference/chat/object and /chat-streaming
 */
import { errorRow, openAICode, type AnyModelError } from '../core';
import type { ChatChoice, ChatResult, CompletionResult, EmbeddingResult, FinishReason, StreamPart, Usage } from '../core';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
  /** LiteLLM's names for Anthropic's prompt-cache counts, which OpenAI's usage has no field for. */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export function toOpenAIUsage(u: Usage): OpenAIUsage {
  const out: OpenAIUsage = { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.totalTokens };
  if (u.cachedInputTokens !== undefined) out.prompt_tokens_details = { cached_tokens: u.cachedInputTokens };
  if (u.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  if (u.cacheWriteInputTokens !== undefined) {
    out.cache_creation_input_tokens = u.cacheWriteInputTokens;
    out.cache_read_input_tokens = u.cachedInputTokens ?? 0;
  }
  return out;
}

export function toChatCompletion(r: ChatResult, model: string): unknown {
  return {
    id: r.id,
    object: 'chat.completion',
    created: r.created,
    model,
    choices: [r, ...(r.moreChoices ?? [])].map((c, index) => ({ index, message: toMessage(c, index === 0 ? r.thinkingBlocks : undefined), logprobs: null, finish_reason: c.finishReason })),
    usage: toOpenAIUsage(r.usage),
  };
}

function toMessage(c: ChatChoice, thinkingBlocks: ChatResult['thinkingBlocks']): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: c.content, refusal: null };
  if (c.toolCalls.length) message.tool_calls = c.toolCalls;
  if (c.reasoning) message.reasoning_content = c.reasoning;
  if (thinkingBlocks?.length) message.thinking_blocks = thinkingBlocks;
  return message;
}

export function toTextCompletion(r: CompletionResult, model: string): unknown {
  return {
    id: r.id,
    object: 'text_completion',
    created: r.created,
    model,
    choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: r.finishReason }],
    usage: toOpenAIUsage(r.usage),
  };
}

/**
 * `encoding_format: "base64"` asks for little-endian float32 bytes in base64; the openai SDKs ask
 * for it by default and decode it themselves.
 */
export function toEmbeddingList(r: EmbeddingResult, model: string, encoding: 'float' | 'base64' = 'float'): unknown {
  const encode = (v: number[]) => (encoding === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v);
  return {
    object: 'list',
    model,
    data: r.data.map((d) => ({ object: 'embedding', index: d.index, embedding: encode(d.embedding) })),
    usage: { prompt_tokens: r.usage.inputTokens, total_tokens: r.usage.totalTokens },
  };
}

/**
 * The OpenAI error body (`{error:{message,type,param,code}}`) with OpenAI's own type and code for
 * the kind (the error table): a context window error from any provider reaches OpenAI clients as
 * `context_length_exceeded`, whatever the provider called it.
 */
export function toErrorBody(err: Pick<AnyModelError, 'message' | 'kind' | 'param' | 'code'>): unknown {
  return { error: { message: err.message, type: errorRow(err.kind).openai.type, param: err.param ?? null, code: openAICode(err.kind, err.code) } };
}

/**
 * Turns stream parts into `chat.completion.chunk` objects (or `text_completion` chunks). Holds the
 * chunk id and the role announcement; the usage chunk is produced separately when asked for.
 */
export class ChunkWriter {
  private roleSent = false;
  private id: string;
  /** The event around a text delta's JSON string, once the chunks' id is settled (see `sse`). */
  private textFrame: [string, string] | undefined;
  private readonly created = Math.floor(Date.now() / 1000);
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;

  constructor(private readonly model: string, private readonly kind: 'chat' | 'text', id?: string) {
    this.id = id ?? `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  }

  /**
   * The SSE events for one part ('' for none). Text deltas are most of a stream: once the first
   * chunk has gone out (the role, the id settled), each is the delta's JSON string spliced into
   * the same frame, byte for byte what serialising the chunk gives, rather than four objects built
   * and serialised per chunk (docs/architecture.md "One proxy request").
   */
  sse(part: StreamPart): string {
    if (part.type === 'text-delta' && this.textFrame) return this.textFrame[0] + JSON.stringify(part.text) + this.textFrame[1];
    let out = '';
    for (const chunk of this.chunks(part)) out += `data: ${JSON.stringify(chunk)}\n\n`;
    if (part.type === 'text-delta' && (this.roleSent || this.kind === 'text')) this.textFrame = this.frame();
    return out;
  }

  /** The chunks for one part (zero or more). An `error` part is handled by the caller. */
  chunks(part: StreamPart): unknown[] {
    switch (part.type) {
      case 'response-metadata':
        if (part.id && !this.roleSent && part.id !== this.id) {
          this.id = part.id;
          this.textFrame = undefined;
        }
        return [];
      case 'text-delta':
        return [this.kind === 'text' ? this.textChunk(part.text, null) : this.chunk({ content: part.text })];
      case 'reasoning-delta':
        return this.kind === 'text' || !part.text ? [] : [this.chunk({ reasoning_content: part.text })];
      // LiteLLM streams the signature as a `thinking_blocks` delta; clients send the blocks back on the next turn.
      case 'reasoning-signature':
        return this.kind === 'text' ? [] : [this.chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: part.signature }] })];
      case 'reasoning-redacted':
        return this.kind === 'text' ? [] : [this.chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: part.data }] })];
      case 'tool-call-start':
        return [this.chunk({ tool_calls: [{ index: part.index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }] })];
      case 'tool-call-delta':
        return [this.chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] })];
      case 'finish':
        this.usage = part.usage;
        this.finishReason = part.finishReason;
        return [this.kind === 'text' ? this.textChunk('', part.finishReason) : this.chunk({}, part.finishReason)];
      case 'error':
      case 'warning': // said in the log by the server, not in the OpenAI stream, which has no place for it
        return [];
    }
  }

  /** The final chunk with empty choices that `stream_options.include_usage` asks for. */
  usageChunk(): unknown {
    const usage = toOpenAIUsage(this.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    return { id: this.id, object: this.kind === 'text' ? 'text_completion' : 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }

  private chunk(delta: Record<string, unknown>, finishReason: FinishReason | null = null): unknown {
    if (!this.roleSent) {
      this.roleSent = true;
      delta = { role: 'assistant', ...delta };
    }
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  }

  /** The text chunk's serialisation up to and after its text, in the key order `chunk` and `textChunk` use. */
  private frame(): [string, string] {
    const head = `data: {"id":${JSON.stringify(this.id)},"object":"${this.kind === 'text' ? 'text_completion' : 'chat.completion.chunk'}","created":${this.created},"model":${JSON.stringify(this.model)},"choices":[{"index":0,`;
    return this.kind === 'text' ? [`${head}"text":`, ',"logprobs":null,"finish_reason":null}]}\n\n'] : [`${head}"delta":{"content":`, '},"logprobs":null,"finish_reason":null}]}\n\n'];
  }

  private textChunk(text: string, finishReason: FinishReason | null): unknown {
    return { id: this.id, object: 'text_completion', created: this.created, model: this.model, choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }] };
  }
}
