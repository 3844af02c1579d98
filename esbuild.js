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

/**
 * Code loaded only when a feature is turned on stays in files of its own: the OpenTelemetry SDK
 * (src/core/telemetry/otel-sdk.ts → dist/otel.js), prom-client (src/proxy/metrics/
 * prometheus-registry.ts → dist/metrics.js) and the Redis backend of the shared state with ioredis
 * (src/core/state/redis.ts, imported only by state/open.ts → dist/redis-state.js). The host and
 * CLI bundles keep their `require` of these as a require of the built file, so neither startup
 * parses them.
 */
const LAZY = { './otel-sdk': './otel.js', './prometheus-registry': './metrics.js', './redis': './redis-state.js' };
/** @type {import('esbuild').Plugin} */
const lazyFiles = {
  name: 'lazy-files',
  setup(build) {
    build.onResolve({ filter: /^\.\/(otel-sdk|prometheus-registry)$/ }, (args) => ({ path: LAZY[args.path], external: true }));
    build.onResolve({ filter: /^\.\/redis$/ }, (args) => (/[\\/]core[\\/]state[\\/]open\.ts$/.test(args.importer) ? { path: LAZY['./redis'], external: true } : undefined));
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  // Two host bundles: extension.js is all that activation loads; services.js (the core, zod, the
  // chat) is required on first use, so activation stays a few milliseconds.
  // Banner and footer stamp when the bundle starts and ends loading, so its load time is known.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', './services.js'], banner: { js: '"use strict";var __anymodelLoadStart = performance.now(), __anymodelLoadMs;' }, footer: { js: '__anymodelLoadMs = performance.now() - __anymodelLoadStart;' } },
  { ...common, entryPoints: ['src/extension/services.ts'], outfile: 'dist/services.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [lazyFiles] },
  { ...common, entryPoints: ['src/proxy/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyFiles] },
  { ...common, entryPoints: ['src/core/telemetry/otel-sdk.ts'], outfile: 'dist/otel.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/proxy/metrics/prometheus-registry.ts'], outfile: 'dist/metrics.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/core/state/redis.ts'], outfile: 'dist/redis-state.js', platform: 'node', format: 'cjs', target: 'node20' },
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

// The shared-state test builds these bundles itself, to run the proxy as it ships.
module.exports = { targets };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
