/**
 * Extension activation in the real VS Code extension host (the harness of scripts/vscode): several
 * cold starts of a fresh window with fresh user data, each reporting what the extension measured
 * about itself: loading dist/extension.js (an esbuild banner and footer stamp its first and last
 * line), the time inside activate() (the two parts "Developer: Show Running Extensions" shows as
 * code loading and activation call), and the first use of the lazily required services bundle
 * (what the first command pays once).
 */
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVSCodeServer } from '../../scripts/vscode/install';
import { FIXTURE_WORKSPACE } from '../../scripts/vscode/paths';
import { fmt, type BenchContext, type Suite, type SuiteResult } from '../lib/report';

interface Sample { wasActive: boolean; activationMs: number; loadMs?: number; servicesMs: number; vscode: string; node: string }

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN; };

export const activationSuite: Suite = {
  id: 'activation',
  title: 'Extension activation in the real VS Code extension host',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    await ensureVSCodeServer();
    const starts = Number(process.env.BENCH_ACTIVATION_STARTS ?? (ctx.phaseS < 10 ? 3 : 7));
    const scratch = mkdtempSync(join(tmpdir(), 'anymodel-bench-activation-'));
    const samples: Sample[] = [];
    try {
      const probe = join(scratch, 'probe.js');
      await build({ entryPoints: [join(ctx.root, 'bench/activation/probe.ts')], outfile: probe, bundle: true, platform: 'node', format: 'cjs', target: 'node22', external: ['vscode'], logLevel: 'silent' });
      for (let i = 0; i < starts; i++) {
        const run = join(scratch, `run-${i}`);
        cpSync(FIXTURE_WORKSPACE, join(run, 'workspace'), { recursive: true });
        const out = join(run, 'sample.json');
        ctx.log(`  start ${i + 1}/${starts}`);
        // The shim's own output (server log lines, the workbench's console errors) would bury the
        // tables: keep it out of the console. A failed start still throws with its reason.
        const write = process.stdout.write.bind(process.stdout);
        const writeErr = process.stderr.write.bind(process.stderr);
        process.stdout.write = (() => true) as typeof process.stdout.write;
        process.stderr.write = (() => true) as typeof process.stderr.write;
        try {
          await runTests({
            vscodeExecutablePath: join(ctx.root, 'scripts/code-shim.cjs'),
            extensionDevelopmentPath: ctx.root,
            extensionTestsPath: probe,
            extensionTestsEnv: { ANYMODEL_BENCH_OUT: out },
            launchArgs: [join(run, 'workspace'), `--user-data-dir=${join(run, 'user-data')}`, `--extensions-dir=${join(run, 'extensions')}`],
          });
        } finally {
          process.stdout.write = write;
          process.stderr.write = writeErr;
        }
        samples.push(JSON.parse(readFileSync(out, 'utf8')) as Sample);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const inside = samples.map((s) => s.activationMs);
    const load = samples.map((s) => (s.loadMs === undefined ? NaN : s.loadMs + s.activationMs));
    const services = samples.map((s) => s.servicesMs);
    const row = (name: string, xs: number[]) => [name, fmt(median(xs), 1), fmt(Math.min(...xs), 1), fmt(Math.max(...xs), 1)];
    const loadMedian = median(load);
    return {
      tables: [{
        title: `Activation over ${samples.length} cold starts (VS Code ${samples[0]?.vscode ?? '?'}, extension host on Node ${samples[0]?.node ?? '?'})`,
        headers: ['ms', 'median', 'min', 'max'],
        rows: [row('load dist/extension.js + activate()', load), row('  of which load', samples.map((s) => s.loadMs ?? NaN)), row('  of which activate()', inside), row('first command: require services.js + set up', services)],
        notes: ['The first command pays for the services bundle once (the core, zod, the chat); activation does not.'],
      }],
      targets: [{ suite: 'activation', name: 'activation ≤ 30 ms', pass: Number.isFinite(loadMedian) ? loadMedian <= 30 : undefined, measured: `${fmt(loadMedian, 1)} ms median load + activate = ${fmt(loadMedian / 30)}× the limit` }],
      data: { samples },
    };
  },
};
