/**
 * The messages between the extension host and the usage dashboard webview. The host adds the
 * numbers up (src/extension/usage/aggregate.ts); the webview only draws them. Both sides
 * validate what arrives, as for the chat (docs/architecture.md#validation-at-every-boundary);
 * `zod/mini` keeps the browser bundle small.
 */
import * as z from 'zod/mini';

const num = z.number().check(z.nonnegative());
const name = z.string().check(z.maxLength(512));
const series = z.array(num).check(z.maxLength(400));

/** One model group's row in the table (and its bars in the per-model charts). */
export const ModelRow = z.object({
  model: name,
  requests: num,
  errors: num,
  inputTokens: num,
  outputTokens: num,
  cachedInputTokens: num,
  reasoningTokens: num,
  costUsd: num,
  /** Milliseconds; null when the model has no successful request in the period. */
  latencyP50: z.nullable(num),
  latencyP95: z.nullable(num),
  ttftP50: z.nullable(num),
  ttftP95: z.nullable(num),
  fallbacks: num,
  offline: num,
  cacheHits: num,
});
export type ModelRow = z.infer<typeof ModelRow>;

export const UsageSummary = z.object({
  /** The UTC days shown, oldest first (YYYY-MM-DD). */
  days: z.array(z.string().check(z.maxLength(10))).check(z.maxLength(400)),
  /** Spend per day, one series per model group (same order as `models`). */
  spendByDay: z.array(z.object({ model: name, values: series })).check(z.maxLength(200)),
  requestsByDay: series,
  errorsByDay: series,
  fallbacksByDay: series,
  offlineByDay: series,
  cacheHitsByDay: series,
  models: z.array(ModelRow).check(z.maxLength(200)),
  totals: z.object({ costUsd: num, requests: num, errors: num, todayUsd: num }),
  /** Lines in the store that could not be read. */
  damaged: num,
  /** Where the records are kept, shown in the empty state. */
  storeDir: z.string().check(z.maxLength(4096)),
});
export type UsageSummary = z.infer<typeof UsageSummary>;

export const UsageHostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('summary'), summary: UsageSummary }),
  z.object({ type: z.literal('exported'), file: z.string().check(z.maxLength(4096)) }),
]);
export type UsageHostMessage = z.infer<typeof UsageHostMessage>;

export const UsageWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('exportCsv') }),
]);
export type UsageWebviewMessage = z.infer<typeof UsageWebviewMessage>;
