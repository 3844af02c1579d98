/**
 * The usage record as it is read back from a JSONL line: the editor's own usage store and the CLI
 * proxy's `--usage-log` write the same shape (the core's `UsageRecord`, one JSON object a line).
 * Fields added later are optional, so older files still read; unknown fields are dropped.
 */
import { z } from 'zod';
import type { UsageRecord } from '../../core';

const count = z.number().finite().nonnegative();

export const usageRecordSchema = z.object({
  id: z.string(),
  time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'time must be an ISO date'),
  modelGroup: z.string(),
  deployment: z.string(),
  provider: z.string(),
  inputTokens: count,
  cachedInputTokens: count.default(0),
  outputTokens: count,
  reasoningTokens: count.default(0),
  costUsd: count,
  latencyMs: count,
  timeToFirstTokenMs: count.optional(),
  outcome: z.enum(['success', 'error', 'aborted']),
  errorKind: z.string().optional(),
  attempts: count.default(1),
  fallback: z.boolean().default(false),
  cacheHit: z.boolean().default(false),
  offline: z.boolean().optional(),
  source: z.string().optional(),
  prompt: z.string().optional(),
});

/** A record as read back: the core's shape, `errorKind` as any string (a newer writer may know more kinds). */
export type StoredUsage = Omit<z.output<typeof usageRecordSchema>, 'errorKind'> & { errorKind?: string };

// A compile-time check that a record the core writes is one this schema reads.
const _writesWhatIsRead = (r: UsageRecord): z.input<typeof usageRecordSchema> => r;
void _writesWhatIsRead;

/** One JSONL line as a record, or undefined when it is not one (cut short, hand-edited, another file). */
export function parseUsageLine(line: string): StoredUsage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = usageRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
