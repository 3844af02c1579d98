/**
 * The one place telemetry hangs on the core (docs/architecture.md#telemetry): the usage tracker of
 * each request asks every observer for a trace when the request starts, tells it each attempt the
 * router made, and ends it with the request's usage record. OpenTelemetry spans and Prometheus
 * metrics are two observers; with none, the tracker asks nobody and the router is given no
 * attempt listener, so a client without telemetry pays a length check per request.
 *
 * Plain types only: this file is loaded with the core, the exporters behind it only when turned on.
 */
import type { Deployment } from '../types/deployment';
import type { ChatRequest } from '../types/request';
import type { UsageRecord } from '../usage/records';

export type Operation = 'chat' | 'text_completion' | 'embeddings';

export interface RequestStart {
  operation: Operation;
  /** The model group (or alias, or provider/model id) the caller asked for. */
  requestedModel: string;
  stream: boolean;
  /** Epoch milliseconds. */
  startedAt: number;
  /** The chat request, for observers that record content (only those the owner opted in). */
  request?: ChatRequest;
}

/** One try of one deployment, as the router made it. */
export interface AttemptRecord {
  deployment: Deployment;
  /** The model group the deployment served this try for (a fallback's group after a switch). */
  modelGroup: string;
  startedAt: number;
  endedAt: number;
  /** Why this try failed; absent when it answered. */
  error?: unknown;
  /** The router put the deployment in cooldown after this failure. */
  cooledDown: boolean;
}

/** What the request ended with, besides its usage record. */
export interface RequestEnd {
  record: UsageRecord;
  /** The deployment that answered or failed last (absent for a refusal before routing). */
  deployment?: Deployment;
  /** The model the provider says answered. */
  responseModel?: string;
  responseId?: string;
  finishReason?: string;
  /** The answer's text, for observers that record content. */
  outputText?: string;
  error?: unknown;
}

export interface RequestTrace {
  attempt?(a: AttemptRecord): void;
  end(e: RequestEnd): void;
}

export interface UsageObserver {
  /** Returns what follows this request, or undefined to skip it. Must not throw. */
  start(s: RequestStart): RequestTrace | undefined;
}
