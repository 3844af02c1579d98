/**
 * OpenTelemetry spans for every request, following the GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/): one `chat {model}` span per
 * request covering all its retries and fallbacks, with one child span per attempt the router made,
 * exported over OTLP/HTTP (JSON) in batches. Message content is recorded only when opted in
 * (`gen_ai.input.messages` / `gen_ai.output.messages`, the conventions' opt-in attributes).
 *
 * Loaded only when telemetry is turned on (`load.ts`): this file and the SDK are a separate bundle
 * (dist/otel.js), never in the extension's or the proxy's startup code. Its own tracer provider,
 * never registered globally: in the extension host other extensions share the process.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_REQUEST_STREAM, ATTR_GEN_AI_REQUEST_TEMPERATURE, ATTR_GEN_AI_REQUEST_TOP_P, ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID, ATTR_GEN_AI_RESPONSE_MODEL, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import type { Deployment } from '../types/deployment';
import type { ChatRequest } from '../types/request';
import type { AttemptRecord, RequestEnd, RequestStart, RequestTrace, UsageObserver } from './observer';

export interface OtelOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  url: string;
  headers?: Record<string, string>;
  /** Record prompts and answers on the spans (off unless the owner turned it on). */
  logContent?: boolean;
  serviceName?: string;
  serviceVersion?: string;
  /** How long finished spans wait to be sent together; the SDK's 5 s by default. */
  exportDelayMs?: number;
}

export interface OtelTelemetry {
  readonly url: string;
  readonly logContent: boolean;
  observer: UsageObserver;
  /** Sends the spans waiting in the batch now. */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * `gen_ai.provider.name`: the conventions' well-known values where one fits our provider prefix;
 * every other provider keeps its own name (as the conventions allow).
 */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai', azure: 'azure.ai.openai', anthropic: 'anthropic', gemini: 'gcp.gemini', groq: 'groq', deepseek: 'deepseek',
  mistral: 'mistral_ai', xai: 'x_ai',
};

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

export function createOtelTelemetry(opts: OtelOptions): OtelTelemetry {
  const exporter = new OTLPTraceExporter({ url: opts.url, ...(opts.headers ? { headers: opts.headers } : {}) });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName ?? 'anymodel', ...(opts.serviceVersion ? { [ATTR_SERVICE_VERSION]: opts.serviceVersion } : {}) }),
    spanProcessors: [new BatchSpanProcessor(exporter, opts.exportDelayMs !== undefined ? { scheduledDelayMillis: opts.exportDelayMs } : {})],
  });
  const tracer = provider.getTracer('anymodel');
  const logContent = opts.logContent === true;
  return {
    url: opts.url,
    logContent,
    observer: { start: (s) => new SpanTrace(tracer, s, logContent) },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * Collects a request's attempts and writes its spans when it ends, with the times they happened
 * (the SDK takes explicit start and end times), so nothing is exported for a request still running.
 */
class SpanTrace implements RequestTrace {
  private readonly attempts: AttemptRecord[] = [];

  constructor(private readonly tracer: Tracer, private readonly start: RequestStart, private readonly logContent: boolean) {}

  attempt(a: AttemptRecord): void {
    this.attempts.push(a);
  }

  end(e: RequestEnd): void {
    const s = this.start;
    const rec = e.record;
    const endTime = s.startedAt + rec.latencyMs;
    const attrs: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: s.operation,
      [ATTR_GEN_AI_REQUEST_MODEL]: s.requestedModel,
      [ATTR_GEN_AI_REQUEST_STREAM]: s.stream,
      'anymodel.model_group': rec.modelGroup,
      'anymodel.attempts': rec.attempts,
      'anymodel.fallback': rec.fallback,
      'anymodel.cache_hit': rec.cacheHit,
      'anymodel.outcome': rec.outcome,
    };
    if (rec.provider) attrs[ATTR_GEN_AI_PROVIDER_NAME] = providerName(rec.provider);
    if (rec.deployment) attrs['anymodel.deployment'] = rec.deployment;
    if (e.deployment) Object.assign(attrs, serverOf(e.deployment));
    Object.assign(attrs, requestParams(s.request));
    if (rec.outcome === 'success') {
      attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = rec.inputTokens;
      attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = rec.outputTokens;
      if (rec.cachedInputTokens) attrs[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = rec.cachedInputTokens;
      if (rec.reasoningTokens) attrs[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = rec.reasoningTokens;
      attrs['anymodel.cost_usd'] = rec.costUsd;
      if (rec.timeToFirstTokenMs !== undefined) attrs['anymodel.time_to_first_token_ms'] = rec.timeToFirstTokenMs;
      if (e.responseModel) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = e.responseModel;
      if (e.responseId) attrs[ATTR_GEN_AI_RESPONSE_ID] = e.responseId;
      if (e.finishReason) attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [e.finishReason];
    } else {
      attrs[ATTR_ERROR_TYPE] = rec.errorKind ?? 'InternalServer';
    }
    if (this.logContent) Object.assign(attrs, contentOf(s.request, e));
    const name = `${s.operation} ${s.requestedModel}`;
    const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: s.startedAt, attributes: attrs }, ROOT_CONTEXT);
    if (rec.outcome !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(e.error) });
    const parent = trace.setSpan(ROOT_CONTEXT, span);
    this.attempts.forEach((a, i) => this.attemptSpan(a, i + 1, parent));
    span.end(endTime);
  }

  private attemptSpan(a: AttemptRecord, n: number, parent: ReturnType<typeof trace.setSpan>): void {
    const d = a.deployment;
    const attrs: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: this.start.operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: providerName(d.provider),
      [ATTR_GEN_AI_REQUEST_MODEL]: d.model,
      ...serverOf(d),
      'anymodel.attempt': n,
      'anymodel.model_group': a.modelGroup,
      'anymodel.deployment': d.id,
      'anymodel.cooled_down': a.cooledDown,
    };
    if (a.error !== undefined) attrs[ATTR_ERROR_TYPE] = kindOf(a.error);
    const span: Span = this.tracer.startSpan(`${this.start.operation} ${d.model}`, { kind: SpanKind.CLIENT, startTime: a.startedAt, attributes: attrs }, parent);
    if (a.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(a.error) });
    span.end(a.endedAt);
  }
}

function serverOf(d: Deployment): Attributes {
  if (!d.apiBase) return {};
  try {
    const u = new URL(d.apiBase);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { [ATTR_SERVER_ADDRESS]: u.hostname.replace(/^\[|\]$/g, ''), [ATTR_SERVER_PORT]: port };
  } catch {
    return {};
  }
}

function requestParams(req: ChatRequest | undefined): Attributes {
  if (!req) return {};
  const out: Attributes = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (typeof maxTokens === 'number') out[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  if (typeof req.temperature === 'number') out[ATTR_GEN_AI_REQUEST_TEMPERATURE] = req.temperature;
  if (typeof req.top_p === 'number') out[ATTR_GEN_AI_REQUEST_TOP_P] = req.top_p;
  return out;
}

/** The conventions' message shape: `{ role, parts: [{ type: 'text', content }] }`, as JSON text. */
function contentOf(req: ChatRequest | undefined, e: RequestEnd): Attributes {
  const out: Attributes = {};
  if (req) {
    const parts = (content: unknown) => (typeof content === 'string' ? [{ type: 'text', content }]
      : Array.isArray(content) ? content.map((p: { type?: string; text?: string }) => (p.type === 'text' ? { type: 'text', content: p.text } : { type: p.type ?? 'unknown' })) : []);
    const system = req.messages.filter((m) => m.role === 'system' || m.role === 'developer');
    const rest = req.messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
    if (system.length) out[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(system.flatMap((m) => parts(m.content)));
    out[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(rest.map((m) => ({ role: m.role, parts: parts(m.content) })));
  }
  if (e.outputText !== undefined) {
    out[ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: e.outputText }], ...(e.finishReason ? { finish_reason: e.finishReason } : {}) }]);
  }
  return out;
}

function kindOf(err: unknown): string {
  const kind = (err as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : 'InternalServer';
}

function messageOf(err: unknown): string {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : '';
}
