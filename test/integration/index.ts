/**
 * The extensionTestsPath module: VS Code's extension host calls run() once the window is up, and
 * the result (resolve or reject) becomes the exit code of the test run. Runs every *.test.js
 * next to this file (they are compiled from test/integration/*.test.ts into out/).
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  // The suites start once AnyModel activated on its own (onStartupFinished), as a person meets it;
  // commands.test.ts reads VS Code's log for what activated it. Bounded: if it never activates,
  // the suites activate it themselves and that test fails.
  const ext = vscode.extensions.getExtension('anymodel.anymodel');
  const deadline = Date.now() + 90_000;
  while (ext && !ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // ANYMODEL_TEST_GREP runs only the matching tests (while working on one suite); CI sets none.
  const mocha = new Mocha({ ui: 'bdd', timeout: 20_000, reporter: 'spec', color: process.env.CI ? false : undefined, grep: process.env.ANYMODEL_TEST_GREP || undefined });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  await mocha.loadFilesAsync();
  const { passed, failed } = await new Promise<{ passed: number; failed: number }>((resolve) => {
    const runner = mocha.run(() => resolve({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0 }));
  });
  // A plain closing line CI can read, since the extension host's mocha output is forwarded as text.
  console.log(`extension-host: ${passed} passed, ${failed} failed`);
  if (failed > 0 || passed === 0) throw new Error(failed > 0 ? `${failed} integration test(s) failed` : 'no integration test ran');
}
