#!/usr/bin/env node
// The "VS Code executable" handed to @vscode/test-electron's runTests (vscodeExecutablePath) or to
// @vscode/test-cli (useInstallation.fromPath). runTests spawns a file, so this small executable
// registers tsx and hands over to the TypeScript shim in scripts/vscode/shim.ts.
require('tsx/cjs');
require('./vscode/shim.ts');
