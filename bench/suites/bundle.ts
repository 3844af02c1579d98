/**
 * Sizes: the bundles in dist/ as `npm run build` left them, the same bundles minified as
 * `npm run package` builds them (built in memory here, nothing written), and the VSIX when
 * `npx @vscode/vsce package` works offline. Without vsce, an estimate: the files .vscodeignore
 * lets through, deflated as a VSIX (a zip) stores them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { fmt, type BenchContext, type Suite, type SuiteResult, type TargetCheck } from '../lib/report';

// The production options of esbuild.js (which builds on import, so it cannot be imported here).
const BUNDLES: { file: string; options: BuildOptions }[] = [
  { file: 'extension.js', options: { entryPoints: ['src/extension/extension.ts'], platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', './services.js'] } },
  { file: 'services.js', options: { entryPoints: ['src/extension/services.ts'], platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] } },
  { file: 'cli.js', options: { entryPoints: ['src/proxy/cli.ts'], platform: 'node', format: 'cjs', target: 'node20' } },
  { file: 'webview.js', options: { entryPoints: ['src/webview/main.ts'], platform: 'browser', format: 'iife', target: 'es2022' } },
];

const kb = (n: number | undefined) => (n === undefined ? '–' : `${fmt(n / 1024, 0)} KB`);

async function productionBundle(root: string, options: BuildOptions): Promise<Buffer | string | undefined> {
  const entry = (options.entryPoints as string[])[0]!;
  if (!existsSync(join(root, entry))) return undefined;
  try {
    const r = await build({ ...options, absWorkingDir: root, bundle: true, minify: true, sourcemap: false, legalComments: 'none', write: false, logLevel: 'silent' });
    return Buffer.from(r.outputFiles[0]!.contents);
  } catch (err) {
    return `build failed: ${(err as Error).message.split('\n')[1]?.trim() ?? 'see esbuild'}`;
  }
}

/** Tries `vsce package` without downloading anything; the size, or why not. */
function vsixSize(root: string): { bytes?: number; reason?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anymodel-vsix-'));
  const out = join(dir, 'anymodel.vsix');
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
    execFileSync('npx', ['--offline', '--yes', '@vscode/vsce', 'package', '--out', out, '--allow-missing-repository', '--skip-license'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    return { bytes: statSync(out).size };
  } catch (err) {
    const text = `${(err as { stderr?: Buffer }).stderr?.toString() ?? ''}${(err as Error).message}`;
    return { reason: /ENOTCACHED|only-if-cached/.test(text) ? '@vscode/vsce is neither installed nor in the npm cache, and the bench does not download it' : `vsce package failed: ${text.split('\n').find((l) => /error/i.test(l))?.trim() ?? 'see npx output'}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
    for (const b of BUNDLES) {
      const built = join(ctx.root, 'dist', b.file);
      const prod = await productionBundle(ctx.root, b.options);
      const builtSize = existsSync(built) ? statSync(built).size : undefined;
      if (typeof prod === 'string') {
        rows.push([`dist/${b.file}`, kb(builtSize), prod, '–']);
        continue;
      }
      if (prod) production.set(`dist/${b.file}`, prod);
      rows.push([`dist/${b.file}`, kb(builtSize), kb(prod?.length), kb(prod ? gzipSync(prod).length : undefined)]);
    }
    const vsix = vsixSize(ctx.root);
    const files = packagedFiles(ctx.root);
    // Without a production bundle (a failed build) the estimate would be wrong: leave it out.
    const complete = BUNDLES.every((b) => production.has(`dist/${b.file}`) || !existsSync(join(ctx.root, (b.options.entryPoints as string[])[0]!)));
    const estimate = !complete ? undefined : files?.reduce((sum, f) => sum + deflateRawSync(production.get(f) ?? readFileSync(join(ctx.root, f))).length + 100, 0);
    const notes = [
      vsix.bytes !== undefined ? `VSIX (vsce package): ${kb(vsix.bytes)}.` : `VSIX: not measured — ${vsix.reason}.`,
      !complete ? 'VSIX estimate: left out, a production bundle did not build.' : estimate !== undefined ? `VSIX estimate: ${kb(estimate)} — the ${files!.length} files .vscodeignore keeps (production bundles), deflated as in a zip.` : 'VSIX estimate: .vscodeignore is missing or not of the `** / !path` shape.',
    ];
    const bytes = vsix.bytes ?? estimate;
    const target: TargetCheck = {
      suite: 'bundle',
      name: 'VSIX ≤ 1 MB',
      pass: bytes === undefined ? undefined : bytes <= 1024 * 1024,
      measured: bytes === undefined ? 'not measured' : `${kb(bytes)}${vsix.bytes === undefined ? ' (estimate)' : ''} = ${fmt(bytes / (1024 * 1024))}× the limit`,
    };
    return {
      tables: [{ title: 'Bundles (dev: as `npm run build` left dist/; production: minified like `npm run package`, built in memory)', headers: ['bundle', 'dev', 'production', 'production gzip'], rows, notes }],
      targets: [target],
      data: { rows, vsix, estimateBytes: estimate, files },
    };
  },
};
