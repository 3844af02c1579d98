/**
 * Core cost: CPU per request and per stream chunk of the AnyModel core against plain fetch, the
 * openai SDK and the Vercel AI SDK. The clients run in a fresh process (core-worker.ts) pinned to
 * one CPU, the mock upstream in another on the other CPU.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CPU } from '../lib/machine';
import { peerVersion } from '../lib/peers';
import { runNode } from '../lib/processes';
import { fmt, type BenchContext, type Suite, type SuiteResult } from '../lib/report';
import type { CoreRow } from './core-worker';
import { startUpstream } from './proxy-targets';

const CHUNK_GAP_MS = Number(process.env.BENCH_CORE_GAP_MS ?? 1);

export const coreSuite: Suite = {
  id: 'core',
  title: 'Core cost',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const pin = ctx.machine.pinned;
    const upstream = await startUpstream(pin, CPU.coreUpstream, { CHUNK_GAP_MS: String(CHUNK_GAP_MS) });
    let out: string;
    try {
      const rounds = process.env.BENCH_ROUNDS ?? String(Math.max(3, Math.round(ctx.phaseS * 0.6)));
      ctx.log(`  ${rounds} interleaved rounds…`);
      out = await runNode('core worker', ['--import', 'tsx', join(__dirname, 'core-worker.ts')], {
        cpu: CPU.loadGenerator, pin, cwd: ctx.root, env: { UPSTREAM: `http://127.0.0.1:${upstream.port}`, ROUNDS: rounds }, timeoutMs: 600_000,
      });
    } finally {
      await upstream.stop();
    }
    const result = JSON.parse(out.trim().split('\n').pop()!) as { rows: CoreRow[]; rounds: number; perRound: { whole: number; streams: number }; short: number; long: number; wholeWords: number };
    const row = (name: string) => result.rows.find((r) => r.name === name)!;
    const any = row('anymodel core');
    const sdk = row('openai SDK');
    const fetchRow = row('fetch + SSE split');
    const reqRatio = any.requestVsSdk;
    const chunkRatio = any.chunkVsFetch;
    const versions = `openai ${(JSON.parse(readFileSync(join(ctx.root, 'node_modules/openai/package.json'), 'utf8')) as { version: string }).version}, ai ${peerVersion('ai')}, @ai-sdk/openai-compatible ${peerVersion('@ai-sdk/openai-compatible')}`;
    return {
      tables: [{
        title: `Core cost: CPU µs in the client process, medians of ${result.rounds} interleaved rounds (each: ${result.perRound.whole} whole answers of ${result.wholeWords} words, ${result.perRound.streams} streams of ${result.short} and ${result.perRound.streams} of ${result.long} chunks ${CHUNK_GAP_MS} ms apart, per client in turn)`,
        headers: ['client', 'µs / request', 'µs / stream of ' + result.short, 'µs / stream of ' + result.long, 'µs / chunk', 'request vs openai SDK', 'chunk vs fetch'],
        rows: result.rows.map((r) => [r.name, fmt(r.usPerRequest, 0), fmt(r.usPerShortStream, 0), fmt(r.usPerLongStream, 0), fmt(r.usPerChunk, 1), `${fmt(r.requestVsSdk)}×`, `${fmt(r.chunkVsFetch)}×`]),
        notes: [
          `µs / chunk = (stream of ${result.long} − stream of ${result.short}) / ${result.long - result.short}; it includes waking up for each chunk, as a real stream does. Ratios are medians of the per-round ratios.`,
          `Versions: ${versions}.`,
        ],
      }],
      targets: [
        { suite: 'core', name: 'request cost ≤ openai SDK', pass: reqRatio <= 1, measured: `${fmt(any.usPerRequest, 0)} vs ${fmt(sdk.usPerRequest, 0)} µs = ${fmt(reqRatio)}× the SDK` },
        { suite: 'core', name: 'chunk cost ≤ 1.3× plain fetch', pass: chunkRatio <= 1.3, measured: `${fmt(any.usPerChunk, 1)} vs ${fmt(fetchRow.usPerChunk, 1)} µs = ${fmt(chunkRatio)}× fetch` },
      ],
      data: { ...result, chunkGapMs: CHUNK_GAP_MS },
    };
  },
};
