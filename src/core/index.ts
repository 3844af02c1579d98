/**
 * The core's one public surface: the extension (src/extension) and the proxy (src/proxy) import
 * from here and never from a deep path, so the core can move its files without breaking them
 * (eslint's no-restricted-imports holds that line). Tests may reach inside. What each layer is
 * for: docs/architecture.md#layers.
 */

// The client: chat, streamed chat, text completion, embeddings over every configured deployment.
export { AnyModelClient } from './client';
export type { Answered, CallOptions, ClientOptions, Provenance, StreamHandle } from './client';

// Configuration: the LiteLLM config.yaml subset and model_list entries.
export { buildConfig, ConfigError, formatZodError, loadConfigFile, parseConfigText } from './config/load';
export type { CoreConfig, CoreSettings, Env } from './config/load';
export { modelEntrySchema } from './config/schema';
export type { ModelEntry } from './config/schema';
export { deploymentId, resolveDeployment, resolveModelId } from './config/resolve';

// Providers: the registry of provider prefixes, Ollama's model list, the shared error mapping.
export { getPreset, parseModelId, PROVIDERS } from './providers/registry';
export type { ProviderPreset } from './providers/preset';
export { discoverOllamaModels } from './providers/ollama/discovery';
export type { OllamaModel } from './providers/ollama/discovery';
export { chooseNumCtx, parseShowResponse, MIN_NUM_CTX } from './providers/ollama/context-length';
export type { OllamaModelInfo } from './providers/ollama/context-length';
export { upstreamError } from './providers/shared';

// Transport: one HTTP exchange outside the router (model lists of gateways, probes).
export { requestJson, sendRequest } from './transport/http';
export type { SendOptions, SentRequest } from './transport/http';

// Shared state (docs/architecture.md#shared-state): memory by default, Redis for proxy replicas.
export { MemoryState } from './state/memory';
export { openSharedState } from './state/open';
export type { OpenStateOptions } from './state/open';
export type { KeyValueStore, SharedState, StateHealth } from './state/types';

// Folding stream parts back into a result (the proxy's Responses API keeps the streamed turn).
export { StreamAccumulator } from './cache/response-cache';

// Usage and prices.
export { contextWindowOf, costOf, unitPrices } from './usage/prices';
export type { Cost } from './usage/prices';
export type { SpendTotals, UsageRecord, UsageTags } from './usage/records';
export { estimatePromptTokens, estimateRequestTokens, imageTokenEstimate } from './usage/estimate';

// The unified types.
export { AnyModelError, ERROR_KINDS, isAnyModelError } from './types/errors';
export type { AnyModelErrorInit, ErrorKind } from './types/errors';
// The error table: what each kind means for the proxy, the router and the offline switch.
export { anthropicType, ERROR_TABLE, errorRow, isErrorKind, isOutageKind, openAICode } from './types/error-table';
export type { AnthropicErrorType, ErrorRow } from './types/error-table';
export { cacheControlSchema, chatRequestSchema, completionRequestSchema, contentText, embeddingRequestSchema } from './types/request';
export type { ChatMessage, ChatRequest, CompletionRequest, ContentPart, EmbeddingRequest, TextPart, ThinkingBlock, ToolCall, ToolChoice } from './types/request';
export type { ChatChoice, ChatResult, CompletionResult, EmbeddingResult, FinishReason, StreamPart, Usage, Warning } from './types/result';
export type { Deployment } from './types/deployment';
export type { AbortLike } from './types/abort';

// Compare: one request to several models at once, with each answer's time, tokens and cost.
export { DEFAULT_COMPARE_CONCURRENCY, MAX_COMPARE_MODELS, MIN_COMPARE_MODELS, startColumns, startComparison } from './compare/run';
export type { ColumnStatus, CompareClient, CompareColumn, CompareEvent, CompareFallback, CompareOptions, Comparison } from './compare/run';
export { checkComparisonBudget, DEFAULT_OUTPUT_ESTIMATE, estimateComparison } from './compare/estimate';
export type { ModelEstimate } from './compare/estimate';
export { compareRows, formatCompareTable, formatSeconds, formatUsd } from './compare/summary';
export type { CompareRow } from './compare/summary';
// Telemetry: the observer point (one trace per request, told of each attempt) and OpenTelemetry,
// whose SDK is loaded by a dynamic import only when turned on (docs/architecture.md#telemetry).
export { loadOtelTelemetry, otlpTracesUrl, parseOtlpHeaders } from './telemetry/load';
export type { OtelSettings, OtelTelemetry } from './telemetry/load';
export type { AttemptRecord, Operation, RequestEnd, RequestStart, RequestTrace, UsageObserver } from './telemetry/observer';
