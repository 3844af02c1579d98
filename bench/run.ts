/**
 * `npm run bench`: AnyModel against real peers measured in the same run on this machine. Prints
 * tables with pass/fail per target and writes everything to bench/results/bench-<time>.json.
 *
 *   npm run bench                  full run (20 s phases after 3 s warm-ups)
 *   npm run bench -- --quick       4 s phases after 1 s warm-ups
 *   BENCH_PHASE_S, BENCH_WARM_S    phase and warm-up seconds
 *   BENCH_SUITES=proxy,core        run only these suites (proxy, proxy-redis, profile, core, activation, webview, bundle)
 *   BENCH_PROFILE=1 / 0            always / never profile the proxy (default: when a proxy target is missed)
 *
 * Only 127.0.0.1 is contacted, apart from the npm registry when bench/.peers is first installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from './lib/build';
import { CPU, describeMachine, machineLine, stealMeter } from './lib/machine';
import { BENCH_DIR, ensurePeers, peerVersion } from './lib/peers';
import { leftoverChildren, pinSelf, startedCount, stopAll } from './lib/processes';
import { renderTable, targetTable, type BenchContext, type Suite, type SuiteResult } from './lib/report';
import { activationSuite } from './suites/activation';
import { bundleSuite } from './suites/bundle';
import { coreSuite } from './suites/core';
import { profileSuite } from './suites/profile';
import { proxySuite } from './suites/proxy';
import { proxyRedisSuite } from './suites/proxy-redis';
import { webviewSuite } from './suites/webview';

// In order.
const SUITES: Suite[] = [proxySuite, proxyRedisSuite, profileSuite, coreSuite, activationSuite, webviewSuite, bundleSuite];

const quick = process.argv.includes('--quick');
const phaseS = Number(process.env.BENCH_PHASE_S ?? (quick ? 4 : 20));
const warmS = Number(process.env.BENCH_WARM_S ?? (quick ? 1 : 3));
const only = process.env.BENCH_SUITES?.split(',').map((s) => s.trim()).filter(Boolean);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const root = join(BENCH_DIR, '..');
  const machine = describeMachine();
  if (machine.pinned) pinSelf(CPU.loadGenerator);
  // A run that hangs is a bug; never leave it (and its children) running.
  const watchdog = setTimeout(() => { log('bench: over 60 minutes, giving up'); void stopAll().finally(() => process.exit(1)); }, 60 * 60_000);
  watchdog.unref();
  ensurePeers(log);
  const buildWarning = ensureBuilt(root, log);
  const steal = stealMeter();
  const header = [
    `AnyModel benchmarks — ${new Date().toISOString()}`,
    `Machine: ${machineLine(machine)}`,
    `Peers: @portkey-ai/gateway ${peerVersion('@portkey-ai/gateway')} (@hono/node-server ${peerVersion('@hono/node-server')}), ai ${peerVersion('ai')}, @ai-sdk/openai-compatible ${peerVersion('@ai-sdk/openai-compatible')}`,
    `Phases: ${phaseS} s per target after ${warmS} s warm-up`,
    ...(buildWarning ? [`Warning: ${buildWarning}`] : []),
  ];
  console.log(`${header.join('\n')}\n`);

  const results = new Map<string, SuiteResult>();
  const ctx: BenchContext = { machine, phaseS, warmS, root, log, earlier: results };
  for (const suite of SUITES) {
    if (only && !only.includes(suite.id)) continue;
    if (suite.wanted && !suite.wanted(ctx)) continue;
    log(`${suite.title}…`);
    let result: SuiteResult;
    try {
      result = await suite.run(ctx);
    } catch (err) {
      // One broken suite (say, a peer that will not start) must not hide the others' numbers.
      log(`${suite.title} failed: ${(err as Error).stack ?? String(err)}`);
      await stopAll();
      result = { tables: [{ title: `${suite.title}: FAILED`, headers: ['error'], rows: [[(err as Error).message.split('\n')[0]!]] }], targets: [], data: { error: String(err) } };
      process.exitCode = 1;
    }
    results.set(suite.id, result);
    for (const t of result.tables) console.log(`${renderTable(t)}\n`);
  }
  const targets = [...results.values()].flatMap((r) => r.targets);
  const stolen = steal();
  console.log(renderTable({ ...targetTable(targets), notes: [`CPU stolen by the hypervisor during the run: ${stolen === undefined ? 'unknown' : `${(stolen * 100).toFixed(1)} %`}.`] }));

  await stopAll();
  const left = leftoverChildren();
  console.log(`\nChild processes: ${startedCount()} started, ${left.length} left running${left.length ? `: ${left.join('; ')}` : ''}.`);
  const out = join(BENCH_DIR, 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ header, machine, phaseS, warmS, stolen, suites: Object.fromEntries(results), targets }, null, 2));
  console.log(`Results: ${file}`);
  if (left.length) process.exitCode = 1;
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exitCode = 1;
});
