/** Makes sure dist/ (the proxy, the extension host bundles) is built from the current sources. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Whether dist/cli.js was built by `npm run build` (it then ends by naming its source map). */
export function hasSourceMap(root: string): boolean {
  const cli = join(root, 'dist/cli.js');
  return existsSync(cli) && existsSync(`${cli}.map`) && readFileSync(cli, 'utf8').trimEnd().endsWith('//# sourceMappingURL=cli.js.map');
}

/**
 * Runs `npm run build` when dist/cli.js, dist/extension.js or dist/services.js (what the proxy and
 * activation suites run) is missing or older than anything under src/, or dist/cli.js is a
 * production build (no source map for the profile). Returns a warning when the build failed and
 * the benchmark goes on with the dist/ that is there.
 */
export function ensureBuilt(root: string, log: (s: string) => void): string | undefined {
  const cli = join(root, 'dist/cli.js');
  const bundles = [cli, join(root, 'dist/extension.js'), join(root, 'dist/services.js')];
  const sources = newestMtime(join(root, 'src'));
  if (bundles.every((b) => existsSync(b) && statSync(b).mtimeMs >= sources) && hasSourceMap(root)) return undefined;
  log('dist/ is missing a bundle, older than src/ or a production build: npm run build');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env, timeout: 300_000 });
    return undefined;
  } catch (err) {
    const text = `${(err as { stderr?: Buffer }).stderr?.toString() ?? ''}${(err as { stdout?: Buffer }).stdout?.toString() ?? ''}`;
    const first = text.split('\n').find((l) => /ERROR|error/.test(l))?.trim() ?? (err as Error).message;
    if (!existsSync(cli)) throw new Error(`npm run build failed and there is no dist/cli.js: ${first}`, { cause: err });
    const warning = `npm run build failed (${first}); measuring the dist/cli.js of ${statSync(cli).mtime.toISOString()}`;
    log(`warning: ${warning}`);
    return warning;
  }
}
