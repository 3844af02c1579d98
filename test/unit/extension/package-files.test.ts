/**
 * What the VSIX ships: .vscodeignore excludes everything and lists the files kept, so a bundle
 * added to esbuild.js but not to that list would be missing from the installed extension (a
 * dashboard that cannot load its script, a lazily required file that is not there).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

describe('the packaged extension', () => {
  it('keeps every bundle esbuild.js writes', () => {
    const built = [...readFileSync(join(root, 'esbuild.js'), 'utf8').matchAll(/outfile: '([^']+)'/g)].map((m) => m[1]!);
    const kept = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim());
    assert.ok(built.length >= 5, 'the bundles were found in esbuild.js');
    assert.deepEqual(built.filter((file) => !kept.includes(file)), []);
  });
});
