// Builds three separate bundles: the extension host, the CLI/proxy and the webview UI.
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

/**
 * The Redis backend of the shared state (src/core/state/redis.ts and its client, ioredis) is its
 * own bundle, dist/redis-state.js, which the core loads with a dynamic import only when a Redis is
 * configured: in the other bundles that import stays a require of ./redis-state.js, beside them.
 */
const redisStateApart = {
  name: 'redis-state-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/redis$/ }, (args) => (/[\\/]core[\\/]state[\\/]open\.ts$/.test(args.importer) ? { path: './redis-state.js', external: true } : undefined));
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  // Two host bundles: extension.js is all that activation loads; services.js (the core, zod, the
  // chat) is required on first use, so activation stays a few milliseconds.
  // Banner and footer stamp when the bundle starts and ends loading, so its load time is known.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', './services.js'], banner: { js: '"use strict";var __anymodelLoadStart = performance.now(), __anymodelLoadMs;' }, footer: { js: '__anymodelLoadMs = performance.now() - __anymodelLoadStart;' } },
  { ...common, entryPoints: ['src/extension/services.ts'], outfile: 'dist/services.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [redisStateApart] },
  { ...common, entryPoints: ['src/proxy/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' }, plugins: [redisStateApart] },
  { ...common, entryPoints: ['src/core/state/redis.ts'], outfile: 'dist/redis-state.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

async function main() {
  if (watch) {
    for (const t of targets) await (await esbuild.context(t)).watch();
    return;
  }
  await Promise.all(targets.map((t) => esbuild.build(t)));
}

// The shared-state test builds these bundles itself, to run the proxy as it ships.
module.exports = { targets };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
