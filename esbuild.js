// Builds separate bundles: the extension host (two), the CLI/proxy, the chat webview and the usage dashboard.
// `--production` minifies and drops source maps; `--watch` rebuilds on change.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'info',
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  // Two host bundles: extension.js is all that activation loads; services.js (the core, zod, the
  // chat) is required on first use, so activation stays a few milliseconds.
  // Banner and footer stamp when the bundle starts and ends loading, so its load time is known.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', './services.js'], banner: { js: '"use strict";var __anymodelLoadStart = performance.now(), __anymodelLoadMs;' }, footer: { js: '__anymodelLoadMs = performance.now() - __anymodelLoadStart;' } },
  { ...common, entryPoints: ['src/extension/services.ts'], outfile: 'dist/services.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/proxy/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The usage dashboard: its own bundle, so the chat never loads the charting library.
  { ...common, entryPoints: ['src/webview/usage/main.ts'], outfile: 'dist/usage.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

async function main() {
  if (watch) {
    for (const t of targets) await (await esbuild.context(t)).watch();
    return;
  }
  await Promise.all(targets.map((t) => esbuild.build(t)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
