import assert from 'node:assert/strict';
import { decideBudget, describeBudget, parseBudgetSettings, WarnedToday } from '../../../src/extension/usage/budget';

const spentOf = (total: number, byGroup: Record<string, number> = {}) => (group?: string) => (group === undefined ? total : byGroup[group] ?? 0);

describe('editor budgets', () => {
  it('reads the settings: a number per model or LiteLLM\'s model_max_budget entry; bad values named, the rest kept', () => {
    const ok = parseBudgetSettings(10, { 'gpt-4o': 5, claude: { budget_limit: 2, time_period: '1d' } });
    assert.deepEqual(ok, { limits: { dailyUsd: 10, perModelDailyUsd: { 'gpt-4o': 5, claude: 2 } }, problems: [] });
    assert.deepEqual(parseBudgetSettings(null, {}).limits, { perModelDailyUsd: {} });
    const bad = parseBudgetSettings('ten', { a: -1, b: { budget_limit: 1, time_period: '30d' }, c: 3 });
    assert.deepEqual(bad.limits, { perModelDailyUsd: { c: 3 } });
    assert.equal(bad.problems.length, 3);
    assert.match(bad.problems[0]!, /anymodel\.budget\.dailyUsd must be a number/);
    assert.match(bad.problems[1]!, /perModelDailyUsd\["a"\]/);
    assert.match(bad.problems[2]!, /perModelDailyUsd\["b"\].*only daily budgets are supported/);
    assert.match(parseBudgetSettings(undefined, [1]).problems[0]!, /must be an object/);
  });

  it('no limit, under 80 %: sent without a word', () => {
    assert.deepEqual(decideBudget({ perModelDailyUsd: {} }, spentOf(1000), 'cloud'), { kind: 'ok' });
    assert.deepEqual(decideBudget({ dailyUsd: 1, perModelDailyUsd: { cloud: 1 } }, spentOf(0.79, { cloud: 0.79 }), 'cloud'), { kind: 'ok' });
  });

  it('from 80 %: a warning, naming the nearer limit', () => {
    const d = decideBudget({ dailyUsd: 10, perModelDailyUsd: { cloud: 1 } }, spentOf(8.1, { cloud: 0.9 }), 'cloud');
    assert.deepEqual(d, { kind: 'warn', status: { scope: 'cloud', limitUsd: 1, spentUsd: 0.9 } });
    assert.equal(decideBudget({ dailyUsd: 10, perModelDailyUsd: {} }, spentOf(8), 'x').kind, 'warn');
  });

  it('at 100 % of either limit: refused, whichever limit it is; another model\'s cap does not count', () => {
    assert.deepEqual(decideBudget({ dailyUsd: 1, perModelDailyUsd: {} }, spentOf(1), 'cloud'), { kind: 'refuse', status: { scope: 'all', limitUsd: 1, spentUsd: 1 } });
    assert.deepEqual(decideBudget({ dailyUsd: 100, perModelDailyUsd: { cloud: 0.5 } }, spentOf(0.6, { cloud: 0.6 }), 'cloud'), { kind: 'refuse', status: { scope: 'cloud', limitUsd: 0.5, spentUsd: 0.6 } });
    assert.equal(decideBudget({ perModelDailyUsd: { cloud: 0.5 } }, spentOf(0.6, { cloud: 0.6 }), 'claude').kind, 'ok');
    // A limit of 0 allows no paid request; a local (free) model is never held back.
    assert.equal(decideBudget({ dailyUsd: 0, perModelDailyUsd: {} }, spentOf(0), 'cloud').kind, 'refuse');
    assert.equal(decideBudget({ dailyUsd: 0, perModelDailyUsd: {} }, spentOf(5), 'local', true).kind, 'ok');
  });

  it('warns once per day and budget, again the next day; only today is remembered', () => {
    const w = new WarnedToday({ all: '2026-03-09', old: '2026-01-01' });
    assert.equal(w.take('all', '2026-03-10'), true);
    assert.equal(w.take('all', '2026-03-10'), false);
    assert.equal(w.take('cloud', '2026-03-10'), true);
    assert.deepEqual(w.toJSON(), { all: '2026-03-10', cloud: '2026-03-10' });
    // As after a reload: the saved state carries over.
    const reloaded = new WarnedToday(w.toJSON());
    assert.equal(reloaded.take('all', '2026-03-10'), false);
    assert.equal(reloaded.take('all', '2026-03-11'), true);
  });

  it('says which budget and how much of it is spent', () => {
    assert.equal(describeBudget({ scope: 'all', limitUsd: 1, spentUsd: 0.8 }), 'the daily budget for all models ($0.8000 of $1.00 spent today, UTC)');
    assert.equal(describeBudget({ scope: 'gpt-4o', limitUsd: 5, spentUsd: 5.5 }), 'the daily budget for gpt-4o ($5.50 of $5.00 spent today, UTC)');
  });
});
