/**
 * The adapter contract (docs/architecture.md#the-adapter-contract). An adapter is a pure
 * translator: it turns unified requests into provider HTTP requests and provider responses, stream
 * events and errors back into unified types. It never touches the network; the transport does that.
 */
import type { ChatRequest, CompletionRequest, EmbeddingRequest, OptionalChatParam } from '../types/request';
import type { ChatResult, CompletionResult, EmbeddingResult, StreamPart } from '../types/result';
import type { AnyModelError } from '../types/errors';
import type { Deployment } from '../types/deployment';

export interface HttpRequestSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** JSON body; serialised by the transport. */
  body?: unknown;
}

/** How a provider frames its stream: Server-Sent Events or newline-delimited JSON. */
export type StreamFormat = 'sse' | 'ndjson';

/** One framed stream event: for SSE the `data` field (and `event` name), for NDJSON one line. */
export interface RawStreamEvent {
  event?: string;
  data: string;
}

/**
 * Turns one response's stream events into stream parts. Created per request because providers
 * spread state across events (Anthropic sends input tokens first and output tokens last).
 */
export interface StreamDecoder {
  /** Parts for one event. May throw an AnyModelError for an in-band error event. */
  onEvent(event: RawStreamEvent): StreamPart[];
  /** Called when the body ends; returns the closing parts (usually `finish`), or throws if the stream was cut short. */
  onEnd(): StreamPart[];
}

export interface UpstreamErrorInput {
  status: number;
  /** The response body as text (may be empty, HTML or JSON). */
  body: string;
  headers: Headers;
}

export interface Capabilities {
  chat: boolean;
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  embeddings: boolean;
  /** The legacy text completion endpoint (`/completions`). */
  completions: boolean;
  /** Optional chat parameters the provider understands; others are dropped (`drop_params`) or refused. */
  params: ReadonlySet<OptionalChatParam>;
  /** The provider takes `cache_control` prompt-cache markers (Anthropic); others cache on their own or not at all. */
  promptCaching?: boolean;
  /** The provider answers Chat Completions' `n` > 1 itself, billing the prompt once (not streamed). */
  choices?: boolean;
}

export interface ProviderAdapter {
  /** The adapter family: `openai`, `azure`, `anthropic`, `gemini`, `ollama`. */
  readonly family: string;
  capabilities(dep: Deployment): Capabilities;

  buildChatRequest(req: ChatRequest, dep: Deployment, stream: boolean): HttpRequestSpec;
  parseChatResponse(body: unknown, dep: Deployment): ChatResult;
  readonly streamFormat: StreamFormat;
  createStreamDecoder(dep: Deployment, req: ChatRequest): StreamDecoder;

  buildEmbeddingRequest?(req: EmbeddingRequest, dep: Deployment): HttpRequestSpec;
  parseEmbeddingResponse?(body: unknown, dep: Deployment, req: EmbeddingRequest): EmbeddingResult;

  /** The provider's own count of a request's input tokens (Anthropic's count_tokens); without it the core estimates. */
  buildCountTokensRequest?(req: ChatRequest, dep: Deployment): HttpRequestSpec;
  parseCountTokensResponse?(body: unknown, dep: Deployment): number;

  buildCompletionRequest?(req: CompletionRequest, dep: Deployment, stream: boolean): HttpRequestSpec;
  parseCompletionResponse?(body: unknown, dep: Deployment): CompletionResult;
  createCompletionStreamDecoder?(dep: Deployment): StreamDecoder;

  /** Maps an HTTP error response onto the unified error, with a readable message from the provider's body. */
  parseError(input: UpstreamErrorInput, dep: Deployment): AnyModelError;
}
