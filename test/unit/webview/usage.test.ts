import assert from 'node:assert/strict';
import { opaque } from '../../../src/webview/usage/charts';
import { sortRows } from '../../../src/webview/usage/table';
import type { ModelRow } from '../../../src/shared/usage-protocol';

const row = (model: string, over: Partial<ModelRow> = {}): ModelRow => ({
  model, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costUsd: 0,
  latencyP50: null, latencyP95: null, ttftP50: null, ttftP95: null, fallbacks: 0, offline: 0, cacheHits: 0, ...over,
});

describe('usage dashboard (webview pieces)', () => {
  it('draws theme colours without their alpha (a translucent chart colour reads as another colour)', () => {
    assert.equal(opaque('#d1861666'), '#d18616');
    assert.equal(opaque('#abcd'), '#abc');
    assert.equal(opaque('#3794ff'), '#3794ff');
    assert.equal(opaque('rgba(209, 134, 22, 0.4)'), 'rgb(209, 134, 22)');
    assert.equal(opaque('rgb(1, 2, 3)'), 'rgb(1, 2, 3)');
  });

  it('sorts the table by a column either way; rows without a figure go last both ways', () => {
    const rows = [row('b', { requests: 2, latencyP50: 300 }), row('a', { requests: 5, latencyP50: null }), row('c', { requests: 1, latencyP50: 100 })];
    assert.deepEqual(sortRows(rows, { key: 'requests', descending: true }).map((r) => r.model), ['a', 'b', 'c']);
    assert.deepEqual(sortRows(rows, { key: 'model', descending: false }).map((r) => r.model), ['a', 'b', 'c']);
    assert.deepEqual(sortRows(rows, { key: 'latencyP50', descending: false }).map((r) => r.model), ['c', 'b', 'a']);
    assert.deepEqual(sortRows(rows, { key: 'latencyP50', descending: true }).map((r) => r.model), ['b', 'c', 'a']);
  });
});
