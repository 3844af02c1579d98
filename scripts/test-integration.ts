// `npm run test:integration:host`: runs the mocha suites in test/integration/ inside a real VS Code
// extension host, through @vscode/test-electron's runTests pointed at our shim (scripts/code-shim.cjs)
// instead of a downloaded VS Code. Exits non-zero if any test fails.
import { runTests } from '@vscode/test-electron';
import esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureVSCodeServer } from './vscode/install';
import { FIXTURE_WORKSPACE, ROOT } from './vscode/paths';

const OUT_DIR = path.join(ROOT, 'out/test/integration');
const SHIM = path.join(ROOT, 'scripts/code-shim.cjs');

/**
 * The extension host loads plain CommonJS: each suite is bundled on its own, so it can use the
 * mock provider servers of test/unit/mocks; vscode and mocha stay require()s of the host's own.
 */
async function compileSuites(): Promise<void> {
  const sources = fs.readdirSync(path.join(ROOT, 'test/integration')).filter((f) => f.endsWith('.test.ts') || f === 'index.ts');
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: sources.map((f) => path.join(ROOT, 'test/integration', f)),
    outdir: OUT_DIR,
    bundle: true,
    external: ['vscode', 'mocha'],
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

/** A stale bundle would test old code: rebuild when any extension source is newer than dist/. */
function ensureExtensionBuilt(): void {
  const bundle = path.join(ROOT, 'dist/extension.js');
  const newest = (dir: string): number => fs.readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }, 0);
  const srcTime = Math.max(newest(path.join(ROOT, 'src')), fs.statSync(path.join(ROOT, 'package.json')).mtimeMs);
  if (fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= srcTime) return;
  console.log('[test-integration] dist/extension.js is missing or older than src/: running the build');
  const built = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('build failed');
}

async function main(): Promise<number> {
  const t0 = Date.now();
  ensureExtensionBuilt();
  await compileSuites();
  const installStart = Date.now();
  await ensureVSCodeServer();
  const installS = (Date.now() - installStart) / 1000;
  if (installS > 1) console.log(`[test-integration] VS Code server installed in ${installS.toFixed(1)} s`);

  // Fresh user data per run: the suites write user settings and must not see the last run's.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-itest-'));
  // A copy of the fixture workspace: suites write workspace settings and must not edit the repo.
  const workspace = path.join(profile, 'workspace');
  fs.cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  try {
    await runTests({
      vscodeExecutablePath: SHIM,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(OUT_DIR, 'index.js'),
      launchArgs: [workspace, `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
    });
    console.log(`[test-integration] extension-host suites passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    console.error(`[test-integration] ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error('[test-integration] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
