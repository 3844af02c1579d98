/**
 * Sizes: the bundles in dist/ as `npm run build` left them, the same bundles as `npm run package`
 * builds them (esbuild.js's own production options, built in memory here: dist/ is not touched),
 * and the VSIX: `vsce package` (@vscode/vsce, a devDependency) run on a staging copy of the files
 * `vsce ls` lists, with the production bundles in place of dist/. vsce makes no network request
 * for `package --no-dependencies`. Without vsce, an estimate: the files .vscodeignore lets
 * through, deflated as a VSIX (a zip) stores them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { runInNewContext } from 'node:vm';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { fmt, type BenchContext, type Suite, type SuiteResult, type TargetCheck } from '../lib/report';

const kb = (n: number | undefined) => (n === undefined ? '–' : `${fmt(n / 1024, 0)} KB`);

/**
 * The build options esbuild.js uses with --production. esbuild.js builds as soon as it is loaded,
 * so it runs here in a sandbox whose `esbuild` only records what it is asked to build.
 */
export function productionTargets(root: string): BuildOptions[] {
  const file = join(root, 'esbuild.js');
  const targets: BuildOptions[] = [];
  const realRequire = createRequire(file);
  const fakeEsbuild = {
    build: (options: BuildOptions) => { targets.push(options); return Promise.resolve({ errors: [], warnings: [], outputFiles: [] }); },
    context: () => { throw new Error('esbuild.js asked for watch mode'); },
  };
  const sandbox = {
    require: (id: string) => (id === 'esbuild' ? fakeEsbuild : realRequire(id)),
    module: { exports: {} },
    exports: {},
    __dirname: root,
    __filename: file,
    process: { argv: [process.execPath, file, '--production'], env: process.env, exit: () => undefined, cwd: () => root },
    console: { log: () => undefined, error: () => undefined, warn: () => undefined, info: () => undefined },
  };
  runInNewContext(readFileSync(file, 'utf8'), sandbox, { filename: file, timeout: 5000 });
  if (targets.length === 0) throw new Error('esbuild.js built nothing');
  return targets;
}

async function productionBundle(root: string, options: BuildOptions): Promise<Buffer | string> {
  try {
    const r = await build({ ...options, absWorkingDir: root, write: false, logLevel: 'silent' });
    const out = resolve(root, options.outfile!);
    return Buffer.from((r.outputFiles.find((f) => f.path === out) ?? r.outputFiles[0]!).contents);
  } catch (err) {
    return `build failed: ${(err as Error).message.split('\n')[1]?.trim() ?? 'see esbuild'}`;
  }
}

interface Vsix { bytes?: number; files?: string[]; reason?: string }

/** The vsce executable of the project's devDependency, if installed. */
function vsceBin(root: string): string | undefined {
  try {
    const manifest = createRequire(join(root, 'package.json')).resolve('@vscode/vsce/package.json');
    const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: { vsce?: string } }).bin?.vsce ?? 'vsce';
    return join(dirname(manifest), bin);
  } catch {
    return undefined;
  }
}

/** `vsce package` of what `vsce ls` lists, with the production bundles in dist/; the size, or why not. */
function packageVsix(root: string, production: Map<string, Buffer>): Vsix {
  const vsce = vsceBin(root);
  if (!vsce) return { reason: '@vscode/vsce is not installed (npm install)' };
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  const run = (args: string[], cwd: string) => execFileSync(process.execPath, [vsce, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const stage = mkdtempSync(join(tmpdir(), 'anymodel-vsix-'));
  try {
    const files = run(['ls', '--no-dependencies'], root).split('\n').map((l) => l.trim()).filter(Boolean);
    if (!files.includes('package.json')) return { reason: `vsce ls listed no package.json: ${files.slice(0, 3).join(', ')}` };
    for (const f of [...files, '.vscodeignore']) {
      if (!existsSync(join(root, f))) continue;
      mkdirSync(dirname(join(stage, 'x', f)), { recursive: true });
      copyFileSync(join(root, f), join(stage, 'x', f));
    }
    for (const [f, body] of production) if (files.includes(f)) writeFileSync(join(stage, 'x', f), body);
    // The bundles are built already; a prepublish script (npm run package) has nothing to build with here.
    const manifest = JSON.parse(readFileSync(join(stage, 'x/package.json'), 'utf8')) as { scripts?: Record<string, string> };
    if (manifest.scripts?.['vscode:prepublish']) {
      delete manifest.scripts['vscode:prepublish'];
      writeFileSync(join(stage, 'x/package.json'), JSON.stringify(manifest, null, 2));
    }
    const out = join(stage, 'anymodel.vsix');
    // No repository, licence or rewritten README links: they do not change the size, and vsce would
    // otherwise stop (or ask) on them.
    run(['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out], join(stage, 'x'));
    return { bytes: statSync(out).size, files };
  } catch (err) {
    const text = stripVTControlCharacters(`${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}${(err as Error).message}`);
    return { reason: `vsce failed: ${text.split('\n').find((l) => /error/i.test(l))?.trim() ?? text.split('\n')[0]}` };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The files .vscodeignore keeps, for the common shape `**` followed by `!path` and `!dir/**` lines. */
function packagedFiles(root: string): string[] | undefined {
  const file = join(root, '.vscodeignore');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines[0] !== '**' || !lines.slice(1).every((l) => l.startsWith('!'))) return undefined;
  const keep = lines.slice(1).map((l) => l.slice(1));
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else all.push(relative(root, p));
    }
  };
  walk(root);
  return all.filter((f) => keep.some((k) => (k.endsWith('/**') ? f.startsWith(k.slice(0, -2)) : f === k)));
}

export const bundleSuite: Suite = {
  id: 'bundle',
  title: 'Bundle and VSIX size',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const rows: (string | number)[][] = [];
    const production = new Map<string, Buffer>();
    let failed = false;
    for (const options of productionTargets(ctx.root)) {
      const file = relative(ctx.root, resolve(ctx.root, options.outfile!));
      const built = join(ctx.root, file);
      const prod = await productionBundle(ctx.root, options);
      const builtSize = existsSync(built) ? statSync(built).size : undefined;
      if (typeof prod === 'string') {
        failed = true;
        rows.push([file, kb(builtSize), prod, '–']);
        continue;
      }
      production.set(file, prod);
      rows.push([file, kb(builtSize), kb(prod.length), kb(gzipSync(prod).length)]);
    }
    // Packaging a failed build would measure the dev bundle in its place: leave the VSIX out then.
    const vsix: Vsix = failed ? { reason: 'a production bundle did not build' } : packageVsix(ctx.root, production);
    const files = packagedFiles(ctx.root);
    const estimate = failed ? undefined : files?.reduce((sum, f) => sum + deflateRawSync(production.get(f) ?? readFileSync(join(ctx.root, f))).length + 100, 0);
    if (vsix.bytes !== undefined) rows.push([`VSIX (vsce package, ${vsix.files!.length} files)`, '–', kb(vsix.bytes), '–']);
    const notes = [
      vsix.bytes !== undefined
        ? `VSIX: \`vsce package --no-dependencies\` of ${vsix.files!.join(', ')} (the list of \`vsce ls\`), with the production bundles.`
        : `VSIX: not packaged — ${vsix.reason}.`,
      estimate !== undefined ? `VSIX estimate${vsix.bytes !== undefined ? ' (cross-check)' : ''}: ${kb(estimate)} — the ${files!.length} files .vscodeignore keeps (production bundles), deflated as in a zip.` : failed ? 'VSIX estimate: left out, a production bundle did not build.' : 'VSIX estimate: .vscodeignore is missing or not of the `** / !path` shape.',
    ];
    const bytes = vsix.bytes ?? estimate;
    const target: TargetCheck = {
      suite: 'bundle',
      name: 'VSIX ≤ 1 MB',
      pass: bytes === undefined ? undefined : bytes <= 1024 * 1024,
      measured: bytes === undefined ? 'not measured' : `${kb(bytes)}${vsix.bytes === undefined ? ' (estimate, no vsce)' : ' (vsce package)'} = ${fmt(bytes / (1024 * 1024))}× the limit`,
    };
    return {
      tables: [{ title: 'Bundles (dev: as `npm run build` left dist/; production: esbuild.js --production, built in memory)', headers: ['bundle', 'dev', 'production', 'production gzip'], rows, notes }],
      targets: [target],
      data: { rows, vsix, estimateBytes: estimate, files },
    };
  },
};
