import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageLog, type UsageRecord } from '../../../src/core/usage/records';
import { UsageStore } from '../../../src/extension/usage/store';
import { tempDir } from '../helpers/temp';

const T0 = Date.parse('2026-03-10T12:00:00Z');

export function record(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    id: 'r1', time: new Date(T0).toISOString(), modelGroup: 'cloud', deployment: 'openai/gpt-4o-mini@127.0.0.1', provider: 'openai',
    inputTokens: 42, cachedInputTokens: 0, outputTokens: 120, reasoningTokens: 0, costUsd: 0.01, latencyMs: 800, timeToFirstTokenMs: 200,
    outcome: 'success', attempts: 1, fallback: false, cacheHit: false, ...over,
  };
}


describe('usage store (extension)', () => {
  it('writes one line per record in a file per UTC day and reads them back', async () => {
    const dir = tempDir('store');
    let now = T0;
    const store = await UsageStore.open({ dir, now: () => now });
    await store.append(record({ id: 'a' }));
    now += 86_400_000;
    await store.append(record({ id: 'b', time: new Date(now).toISOString() }));
    assert.deepEqual(readdirSync(dir).sort(), ['usage-2026-03-10.jsonl', 'usage-2026-03-11.jsonl']);
    const all = await store.read();
    assert.deepEqual(all.records.map((r) => r.id), ['a', 'b']);
    assert.equal(all.damaged, 0);
    const one = await store.read({ from: '2026-03-11', to: '2026-03-11' });
    assert.deepEqual(one.records.map((r) => r.id), ['b']);
  });

  it('continues a day in a new part past the size cap and drops the oldest files past the total cap', async () => {
    const dir = tempDir('store');
    let now = T0;
    const line = JSON.stringify(record()).length + 1;
    // Two records a part; three parts' worth in all.
    const store = await UsageStore.open({ dir, now: () => now, maxFileBytes: line * 2 + 10, maxTotalBytes: line * 6 + 10 });
    for (let i = 0; i < 5; i++) await store.append(record({ id: `d1-${i}` }));
    assert.deepEqual(readdirSync(dir).sort(), ['usage-2026-03-10.1.jsonl', 'usage-2026-03-10.2.jsonl', 'usage-2026-03-10.jsonl']);
    assert.equal(readFileSync(join(dir, 'usage-2026-03-10.jsonl'), 'utf8').trim().split('\n').length, 2);
    assert.deepEqual((await store.read()).records.map((r) => r.id), ['d1-0', 'd1-1', 'd1-2', 'd1-3', 'd1-4']);
    now += 86_400_000;
    for (let i = 0; i < 4; i++) await store.append(record({ id: `d2-${i}`, time: new Date(now).toISOString() }));
    const ids = (await store.read()).records.map((r) => r.id);
    // The oldest part went; the newest records are all there.
    assert.ok(!ids.includes('d1-0') && !ids.includes('d1-1'), `oldest dropped: ${ids.join(',')}`);
    assert.deepEqual(ids.slice(-4), ['d2-0', 'd2-1', 'd2-2', 'd2-3']);
    assert.ok(!readdirSync(dir).includes('usage-2026-03-10.jsonl'));
  });

  it('deletes files older than keepDays', async () => {
    const dir = tempDir('store');
    writeFileSync(join(dir, 'usage-2025-01-01.jsonl'), `${JSON.stringify(record({ time: '2025-01-01T00:00:00Z' }))}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const store = await UsageStore.open({ dir, now: () => T0, keepDays: 30 });
    await store.append(record());
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'usage-2026-03-10.jsonl']);
  });

  it('skips and counts a damaged line, and keeps reading the rest', async () => {
    const dir = tempDir('store');
    const store = await UsageStore.open({ dir, now: () => T0 });
    await store.append(record({ id: 'before' }));
    // A write cut short by a crash, a hand edit, and a line of the wrong shape.
    appendFileSync(join(dir, 'usage-2026-03-10.jsonl'), '{"id":"cut","time":"2026-03-10T12:0\n{not json}\n{"id":"x","time":"yesterday"}\n');
    await store.append(record({ id: 'after' }));
    const read = await store.read();
    assert.deepEqual(read.records.map((r) => r.id), ['before', 'after']);
    assert.equal(read.damaged, 3);
  });

  it('after a reload, today\'s spend is read back from the files (all models and per model)', async () => {
    const dir = tempDir('store');
    const first = await UsageStore.open({ dir, now: () => T0 });
    await first.append(record({ costUsd: 0.25 }));
    await first.append(record({ costUsd: 0.5, modelGroup: 'claude' }));
    await first.append(record({ costUsd: 1, time: '2026-03-09T23:59:59Z' })); // yesterday (UTC) does not count
    appendFileSync(join(dir, 'usage-2026-03-10.jsonl'), 'garbage\n');
    const reloaded = await UsageStore.open({ dir, now: () => T0 });
    assert.equal(reloaded.spentToday(), 0.75);
    assert.equal(reloaded.spentToday('cloud'), 0.25);
    assert.equal(reloaded.spentToday('claude'), 0.5);
    assert.equal(reloaded.spentToday('other'), 0);
  });

  it('starts a new day from nothing', async () => {
    let now = T0;
    const store = await UsageStore.open({ dir: tempDir('store'), now: () => now });
    await store.append(record({ costUsd: 2 }));
    assert.equal(store.spentToday(), 2);
    now += 86_400_000;
    assert.equal(store.spentToday(), 0);
    await store.append(record({ costUsd: 0.5, time: new Date(now).toISOString() }));
    assert.equal(store.spentToday(), 0.5);
  });

  it('keeps a prompt only while prompts are to be kept, and never fails the caller when the folder cannot be written', async () => {
    const dir = tempDir('store');
    let keep = false;
    const store = await UsageStore.open({ dir, now: () => T0, keepPrompts: () => keep });
    await store.append(record({ id: 'p1', prompt: 'private code' }));
    keep = true;
    await store.append(record({ id: 'p2', prompt: 'allowed words' }));
    const text = readFileSync(join(dir, 'usage-2026-03-10.jsonl'), 'utf8');
    assert.ok(!text.includes('private code') && text.includes('allowed words'));

    const blocked = join(tempDir('store'), 'a-file');
    writeFileSync(blocked, 'x');
    const warnings: string[] = [];
    const broken = await UsageStore.open({ dir: join(blocked, 'usage'), now: () => T0, onWarning: (w) => warnings.push(w) });
    await broken.append(record());
    await broken.append(record());
    assert.equal(warnings.length, 1, 'said once');
    assert.match(warnings[0]!, /could not be written/);
    assert.equal(broken.spentToday(), 0.02, 'the budget still counts what was spent');
  });

  it('reads what the CLI proxy\'s --usage-log writes (the same record shape)', async () => {
    const dir = tempDir('store');
    const log = new UsageLog(join(dir, 'usage-2026-03-10.jsonl'));
    await log.append(record({ id: 'from-cli', source: 'proxy', errorKind: 'RateLimit', outcome: 'error', timeToFirstTokenMs: undefined }));
    const read = await (await UsageStore.open({ dir, now: () => T0 })).read();
    assert.equal(read.damaged, 0);
    assert.deepEqual([read.records[0]?.id, read.records[0]?.source, read.records[0]?.errorKind], ['from-cli', 'proxy', 'RateLimit']);
  });
});
