/**
 * Extension activation in the real VS Code extension host (the harness of scripts/vscode): several
 * cold starts of a fresh window with fresh user data. Each start reports what VS Code recorded
 * (its performance marks around require() of dist/extension.js and around activate(), as
 * "Developer: Startup Performance" lists them; whole milliseconds), what the extension measured
 * about itself (an esbuild banner and footer stamp the first and last line of the bundle;
 * activate() times itself; sub-millisecond), what `extension.activate()` costs a caller, and the
 * first use of the lazily required services bundle (what the first command pays once).
 */
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVSCodeServer } from '../../scripts/vscode/install';
import { FIXTURE_WORKSPACE } from '../../scripts/vscode/paths';
import { fmt, type BenchContext, type Suite, type SuiteResult } from '../lib/report';

interface Sample {
  wasActive: boolean;
  /** VS Code's marks: require() of the main file; activate() called until resolved; will-load to did-activate. */
  vscodeLoadMs?: number;
  vscodeActivateMs?: number;
  vscodeTotalMs?: number;
  /** `await extension.activate()` in the probe, when the extension was not active yet. */
  activateCallMs?: number;
  activationMs: number;
  loadMs?: number;
  servicesMs: number;
  vscode: string;
  node: string;
}

/**
 * The VS Code server of each start runs with its user data in `scratch`: anything still running
 * that names it is a start that did not clean up. Ends those (by pid) and says which they were.
 */
function stopStragglers(scratch: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const found = ps.split('\n').map((l) => l.trim()).filter((l) => l.includes(scratch) && !l.startsWith(`${process.pid} `));
  for (const line of found) {
    try { process.kill(Number(line.split(' ')[0]), 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
  return found.map((l) => l.slice(0, 120));
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN; };

export const activationSuite: Suite = {
  id: 'activation',
  title: 'Extension activation in the real VS Code extension host',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    await ensureVSCodeServer();
    const starts = Number(process.env.BENCH_ACTIVATION_STARTS ?? (ctx.phaseS < 10 ? 5 : 9));
    const scratch = mkdtempSync(join(tmpdir(), 'anymodel-bench-activation-'));
    const samples: Sample[] = [];
    const left: string[] = [];
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
            // A start that hangs ends after 2 minutes (the shim's deadline) rather than the shim's default 5.
            extensionTestsEnv: { ANYMODEL_BENCH_OUT: out, VSCODE_SHIM_TIMEOUT_MS: '120000' },
            launchArgs: [join(run, 'workspace'), `--user-data-dir=${join(run, 'user-data')}`, `--extensions-dir=${join(run, 'extensions')}`],
          });
        } finally {
          process.stdout.write = write;
          process.stderr.write = writeErr;
        }
        samples.push(JSON.parse(readFileSync(out, 'utf8')) as Sample);
      }
    } finally {
      left.push(...stopStragglers(scratch));
      rmSync(scratch, { recursive: true, force: true });
    }
    const num = (x: number | undefined) => (x === undefined ? NaN : x);
    const vscodeSum = samples.map((s) => num(s.vscodeLoadMs) + num(s.vscodeActivateMs));
    const ownSum = samples.map((s) => num(s.loadMs) + s.activationMs);
    const row = (name: string, xs: number[], digits = 1) => [name, fmt(median(xs), digits), fmt(Math.min(...xs), digits), fmt(Math.max(...xs), digits)];
    // The target is VS Code's own figure when its marks are there, else the extension's.
    const byVscode = vscodeSum.every(Number.isFinite);
    const measure = byVscode ? vscodeSum : ownSum;
    const med = median(measure);
    const max = Math.max(...measure);
    const woken = samples.filter((s) => !s.wasActive).length;
    return {
      tables: [{
        title: `Activation over ${samples.length} cold starts (VS Code ${samples[0]?.vscode ?? '?'}, extension host on Node ${samples[0]?.node ?? '?'})`,
        headers: ['ms', 'median', 'min', 'max'],
        rows: [
          row('VS Code: require(dist/extension.js) + activate()', vscodeSum, 0),
          row('  of which require()', samples.map((s) => num(s.vscodeLoadMs)), 0),
          row('  of which activate() until resolved', samples.map((s) => num(s.vscodeActivateMs)), 0),
          row('VS Code: will-load to did-activate (with the context set up)', samples.map((s) => num(s.vscodeTotalMs)), 0),
          row('extension: its bundle ran + activate()', ownSum),
          row('  of which the bundle ran (banner to footer)', samples.map((s) => num(s.loadMs))),
          row('  of which activate()', samples.map((s) => s.activationMs)),
          row('`await extension.activate()` seen by a caller', samples.map((s) => num(s.activateCallMs))),
          row('first command: require services.js + set up', samples.map((s) => s.servicesMs)),
        ],
        notes: [
          'VS Code: the code/extHost/{will,did}LoadExtensionCode and {will,did}ActivateExtension marks of the extension host (Date.now(), whole ms); require() includes reading and compiling the file, which the banner-to-footer time does not.',
          `Processes left by the starts (VS Code servers naming their scratch folder): ${left.length ? `${left.length}, ended: ${left.join('; ')}` : 'none'}.`,
          `The probe woke the extension itself in ${woken} of ${samples.length} starts (else onStartupFinished came first). The first command pays for the services bundle once (the core, zod, the chat); activation does not.`,
        ],
      }],
      targets: [{
        suite: 'activation',
        name: 'activation ≤ 30 ms (median)',
        pass: Number.isFinite(med) ? med <= 30 : undefined,
        measured: `${fmt(med, 1)} ms median (max ${fmt(max, 1)}) ${byVscode ? 'require + activate() by VS Code\'s marks' : 'load + activate() by the extension (no VS Code marks)'} = ${fmt(med / 30)}× the limit`,
      }],
      data: { samples, left },
    };
  },
};
