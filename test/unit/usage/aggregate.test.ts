import assert from 'node:assert/strict';
import { percentile, summarize, toCsv } from '../../../src/extension/usage/aggregate';
import type { StoredUsage } from '../../../src/extension/usage/schema';
import { UsageSummary } from '../../../src/shared/usage-protocol';
import { record } from './store.test';

const at = (day: string, over: Partial<StoredUsage> = {}): StoredUsage => ({ ...record({ time: `${day}T10:00:00Z` }), ...over }) as StoredUsage;

describe('usage aggregation (dashboard)', () => {
  it('nearest-rank percentiles', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([7], 95), 7);
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 95), 95);
    assert.equal(percentile(hundred, 50), 50);
  });

  it('adds up per day (stacked by model) and per model over the last 30 UTC days', () => {
    const records = [
      at('2026-03-10', { modelGroup: 'cloud', costUsd: 0.25, latencyMs: 100, timeToFirstTokenMs: 10 }),
      at('2026-03-10', { modelGroup: 'cloud', costUsd: 0.5, latencyMs: 300, timeToFirstTokenMs: 30, fallback: true }),
      at('2026-03-09', { modelGroup: 'claude', costUsd: 1, inputTokens: 1000, outputTokens: 10, cachedInputTokens: 600 }),
      at('2026-03-10', { modelGroup: 'claude', outcome: 'error', errorKind: 'RateLimit', costUsd: 0, latencyMs: 5, inputTokens: 0, outputTokens: 0 }),
      at('2026-03-10', { modelGroup: 'local', costUsd: 0, offline: true, latencyMs: 900 }),
      at('2026-03-10', { modelGroup: 'cloud', costUsd: 0, cacheHit: true, latencyMs: 1 }),
      at('2026-02-01', { modelGroup: 'cloud', costUsd: 99 }), // older than 30 days: left out
    ];
    const s = summarize(records, { today: '2026-03-10', days: 30, damaged: 2, storeDir: '/x' });
    assert.ok(UsageSummary.safeParse(s).success, 'what the host sends is what the webview accepts');
    assert.equal(s.days.length, 30);
    assert.deepEqual([s.days[0], s.days.at(-1)], ['2026-02-09', '2026-03-10']);
    // Most spent first: claude $1, cloud $0.75, local $0.
    assert.deepEqual(s.models.map((m) => m.model), ['claude', 'cloud', 'local']);
    assert.deepEqual(s.spendByDay.map((m) => [m.model, m.values.at(-2), m.values.at(-1)]), [['claude', 1, 0], ['cloud', 0, 0.75], ['local', 0, 0]]);
    assert.deepEqual([s.requestsByDay.at(-1), s.errorsByDay.at(-1), s.requestsByDay.at(-2)], [5, 1, 1]);
    assert.deepEqual([s.fallbacksByDay.at(-1), s.offlineByDay.at(-1), s.cacheHitsByDay.at(-1)], [1, 1, 1]);
    const cloud = s.models.find((m) => m.model === 'cloud')!;
    // The cache hit counts as a request but not towards latency.
    assert.deepEqual([cloud.requests, cloud.latencyP50, cloud.latencyP95, cloud.ttftP50, cloud.ttftP95, cloud.cacheHits, cloud.fallbacks], [3, 100, 300, 10, 30, 1, 1]);
    const claude = s.models.find((m) => m.model === 'claude')!;
    assert.deepEqual([claude.requests, claude.errors, claude.inputTokens, claude.cachedInputTokens, claude.latencyP50], [2, 1, 1000, 600, 800]);
    assert.deepEqual(s.totals, { costUsd: 1.75, requests: 6, errors: 1, todayUsd: 0.75 });
    assert.equal(s.damaged, 2);
  });

  it('an empty store is an empty summary, not an error', () => {
    const s = summarize([], { today: '2026-03-10' });
    assert.deepEqual([s.models.length, s.totals.requests, s.requestsByDay.length], [0, 0, 30]);
    assert.ok(UsageSummary.safeParse(s).success);
  });

  it('exports the records as CSV, quoting what a spreadsheet would run as a formula, never the prompt', () => {
    const csv = toCsv([
      at('2026-03-10', { modelGroup: 'cloud', prompt: 'secret words' }),
      at('2026-03-10', { modelGroup: '=HYPERLINK("http://x")', outcome: 'error', errorKind: 'RateLimit', timeToFirstTokenMs: undefined }),
    ]);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 3);
    assert.ok(lines[0]!.startsWith('time,modelGroup,deployment,provider,source,outcome,errorKind,inputTokens'));
    assert.match(lines[1]!, /^2026-03-10T10:00:00Z,cloud,openai\/gpt-4o-mini@127\.0\.0\.1,openai,,success,,42,0,120,0,0\.01,800,200,1,false,,false$/);
    assert.match(lines[2]!, /^2026-03-10T10:00:00Z,"'=HYPERLINK\(""http:\/\/x""\)",/);
    assert.ok(!csv.includes('secret words'));
  });
});
