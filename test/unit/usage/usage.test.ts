import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import { ResponseCache } from '../../../src/core/cache/response-cache';
import { UsageLog, type UsageRecord } from '../../../src/core/usage/records';
import { costOf, unitPrices } from '../../../src/core/usage/prices';
import { resolveModelId } from '../../../src/core/config/resolve';
import { startOllamaMock } from '../mocks/ollama';
import { collect } from '../helpers/mock-server';
import { tempDir } from '../helpers/temp';

describe('usage records', () => {
  it('writes one JSONL record per request with tokens, latency and time to first token, but no key or prompt', async () => {
    const ollama = await startOllamaMock();
    const path = join(tempDir('usage'), 'usage.jsonl');
    try {
      const config = buildConfig({ model_list: [{ model_name: 'local', litellm_params: { model: 'ollama_chat/llama3.2', api_base: ollama.url, api_key: 'secret-ollama-key' } }] }, {});
      const client = new AnyModelClient(config, { usageLogPath: path });
      await client.chat({ model: 'local', messages: [{ role: 'user', content: 'private words' }] });
      await collect((await client.streamChat({ model: 'local', messages: [{ role: 'user', content: 'streamed words' }] })).parts);
      // The log is appended asynchronously after each answer: wait (bounded) for both lines.
      const read = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
      for (const deadline = Date.now() + 10_000; read().trim().split('\n').length < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      const text = read();
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as UsageRecord);
      assert.equal(lines.length, 2);
      assert.deepEqual([lines[0]!.inputTokens, lines[0]!.outputTokens, lines[0]!.costUsd, lines[0]!.outcome], [11, 7, 0, 'success']);
      assert.equal(lines[0]!.deployment, `ollama_chat/llama3.2@${new URL(ollama.url).host}`);
      assert.equal(typeof lines[1]!.timeToFirstTokenMs, 'number');
      assert.ok(!text.includes('secret-ollama-key') && !text.includes('private words') && !text.includes('streamed words'));
    } finally {
      await ollama.close();
    }
  });

  it('records an early stop as aborted', async () => {
    const ollama = await startOllamaMock();
    const records: UsageRecord[] = [];
    try {
      const client = new AnyModelClient(buildConfig({ model_list: [{ model_name: 'local', litellm_params: { model: 'ollama_chat/llama3.2', api_base: ollama.url } }] }, {}), { onUsage: (r) => records.push(r) });
      for await (const _ of (await client.streamChat({ model: 'local', messages: [{ role: 'user', content: 'x' }] })).parts) break;
      assert.equal(records.at(-1)?.outcome, 'aborted');
    } finally {
      await ollama.close();
    }
  });

  it('rotates the log by size', async () => {
    const path = join(tempDir('usage'), 'u.jsonl');
    const log = new UsageLog(path, 200);
    const rec = { id: 'x'.repeat(150) } as unknown as UsageRecord;
    await log.append(rec);
    await log.append(rec);
    await log.append(rec);
    assert.ok(existsSync(`${path}.1`));
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 1);
  });

  it('local models cost nothing; unknown models are flagged, not guessed', () => {
    const usage = { inputTokens: 1000, outputTokens: 1000, totalTokens: 2000 };
    assert.deepEqual(costOf(usage, resolveModelId('ollama_chat/llama3.2', { env: {} }), true), { usd: 0, source: 'local' });
    assert.deepEqual(costOf(usage, resolveModelId('openai/not-a-real-model-xyz', { env: {} }), false), { usd: 0, source: 'unknown' });
  });

  it('unit prices are the base tier, not the long-context one a million-token request would hit', () => {
    // Claude Sonnet 4.5: $3 / $15 per million tokens up to 200K input tokens, $6 / $22.50 beyond.
    assert.deepEqual(unitPrices(resolveModelId('anthropic/claude-sonnet-4-5', { env: {} }), false), { inputPerMTok: 3, outputPerMTok: 15 });
    assert.deepEqual(unitPrices(resolveModelId('openai/gpt-4o-mini', { env: {} }), false), { inputPerMTok: 0.15, outputPerMTok: 0.6 });
  });
});

describe('response cache', () => {
  const result = (content: string) => ({ result: { id: 'i', model: 'm', created: 1, content, toolCalls: [], finishReason: 'stop' as const, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }, deployment: 'd' });

  it('evicts the least recently used entry past its size cap, and expires entries after the TTL', () => {
    let now = 0;
    const cache = new ResponseCache(1000, 2, () => now);
    cache.set('a', result('A'));
    cache.set('b', result('B'));
    cache.get('a');
    cache.set('c', result('C'));
    assert.equal(cache.get('b'), undefined, 'b was least recently used');
    assert.equal(cache.get('a')?.result.content, 'A');
    now = 1001;
    assert.equal(cache.get('a'), undefined, 'expired');
  });
});
