/**
 * What the core gives back: a chat result, stream parts (a discriminated union, noun-verb names),
 * usage (normalised, with the provider's raw usage kept), embeddings and text completions.
 */
import type { ThinkingBlock, ToolCall } from './request';
import type { AnyModelError } from './errors';

/** Why generation ended, in OpenAI's vocabulary; each adapter maps its provider's reasons onto these. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  /** Prompt tokens, including cached ones. */
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Prompt tokens served from the provider's prompt cache (a subset of inputTokens). */
  cachedInputTokens?: number;
  /** Prompt tokens written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteInputTokens?: number;
  /** Hidden reasoning tokens (a subset of outputTokens). */
  reasoningTokens?: number;
  /** The provider's usage object as received, for accounting that needs more than the above. */
  raw?: unknown;
}

export interface ChatResult {
  id: string;
  /** The model the provider says answered. */
  model: string;
  /** Unix seconds. */
  created: number;
  content: string | null;
  toolCalls: ToolCall[];
  /** Visible reasoning text, for providers that return it (Anthropic thinking, DeepSeek, Ollama). */
  reasoning?: string;
  /** Anthropic's thinking blocks with their signatures, which a later turn must send back unchanged. */
  thinkingBlocks?: ThinkingBlock[];
  finishReason: FinishReason;
  /** The provider's own finish reason as sent (`end_turn`, `MAX_TOKENS`, `tool_use`, ...), when it sent one. */
  rawFinishReason?: string;
  /** The stop sequence that ended the answer, where the provider says which (Anthropic, vLLM). */
  stopSequence?: string;
  usage: Usage;
  /** What the request lost on the way: parameters dropped by `drop_params`, and the like. */
  warnings?: Warning[];
  /** Choices 2..n when the provider answered `n` > 1 itself; `usage` covers them all. */
  moreChoices?: ChatChoice[];
}

/** One of several answers to one request (Chat Completions `n`). */
export type ChatChoice = Pick<ChatResult, 'content' | 'toolCalls' | 'finishReason' | 'rawFinishReason' | 'reasoning'>;

/**
 * Something the caller should know about an answer that still succeeded: a parameter that
 * `drop_params` removed because the provider does not take it.
 */
export interface Warning {
  type: 'unsupported-setting';
  /** The request field, e.g. `logprobs`. */
  setting: string;
  message: string;
}

/**
 * One event of a streamed answer. A tool call is announced by `tool-call-start` and its JSON
 * arguments arrive in `tool-call-delta` pieces for the same `index`. `finish` is the last part of a
 * successful stream; reasoning arrives as
 * `reasoning-delta` text, each thinking block closed by a `reasoning-signature` where the provider
 * signs it; a failure mid-stream becomes an `error` part and ends the stream.
 */
export type StreamPart =
  | { type: 'response-metadata'; id?: string; model?: string; created?: number }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** Ends the current thinking block with its signature (Anthropic `signature_delta`). */
  | { type: 'reasoning-signature'; signature: string }
  /** An encrypted thinking block (Anthropic `redacted_thinking`), passed on as it came. */
  | { type: 'reasoning-redacted'; data: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; rawFinishReason?: string; stopSequence?: string; usage?: Usage }
  /** Comes before the content; a consumer that does not know it may ignore it. */
  | { type: 'warning'; warning: Warning }
  | { type: 'error'; error: AnyModelError };

export interface Embedding {
  index: number;
  embedding: number[];
}

export interface EmbeddingResult {
  model: string;
  data: Embedding[];
  usage: Usage;
}

export interface CompletionResult {
  id: string;
  model: string;
  created: number;
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage: Usage;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/** Builds a Usage from input/output counts, filling totalTokens. */
export function makeUsage(input: number, output: number, extra: Omit<Partial<Usage>, 'inputTokens' | 'outputTokens' | 'totalTokens'> = {}): Usage {
  const usage: Usage = { inputTokens: input, outputTokens: output, totalTokens: input + output };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (usage as unknown as Record<string, unknown>)[k] = v;
  return usage;
}
