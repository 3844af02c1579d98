import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { anyModelExtension } from './helpers';

describe('activation', () => {
  it('activates without error, cheaply', async () => {
    const ext = anyModelExtension();
    const wasActive = ext.isActive; // onStartupFinished may have fired before the tests started
    const started = performance.now();
    const api = await ext.activate();
    const waitedMs = performance.now() - started;
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.activationMs, 'number');
    const bundle = path.join(ext.extensionPath, 'dist/extension.js');
    const kb = fs.statSync(bundle).size / 1024;
    console.log(`      activation: ${api.activationMs.toFixed(1)} ms inside activate(); ext.activate() ${wasActive ? 'already done' : `took ${waitedMs.toFixed(1)} ms`}; dist/extension.js ${kb.toFixed(0)} KiB`);
    // Activation runs in every window at startup: it must stay a handful of registrations.
    assert.ok(api.activationMs < 250, `activate() took ${api.activationMs.toFixed(1)} ms; keep heavy work out of it`);
  });

  it('runs this checkout\'s dist/extension.js in the extension host, with none of the core in it', async () => {
    console.log(`      VS Code ${vscode.version}, ${vscode.env.appName}, uiKind ${vscode.UIKind[vscode.env.uiKind]}, Node ${process.version}`);
    const ext = anyModelExtension();
    const api = await ext.activate();
    // The compiled suite lives in out/test/integration/ of the checkout under test.
    assert.equal(fs.realpathSync(ext.extensionPath), fs.realpathSync(path.resolve(__dirname, '../../..')), 'the extension under test is this checkout');
    assert.equal(typeof api.loadMs, 'number', 'the host loaded the bundle (its esbuild banner and footer ran), not the sources');
    assert.equal(vscode.workspace.workspaceFolders?.length, 1, 'the fixture workspace is open');
    // Activation loads only this bundle; the core, zod and the chat wait in dist/services.js.
    const bundle = fs.readFileSync(path.join(ext.extensionPath, 'dist/extension.js'), 'utf8');
    for (const coreMark of ['AnyModelClient', 'AnyModelError', 'zod', 'ChatController']) assert.ok(!bundle.includes(coreMark), `dist/extension.js contains ${coreMark}`);
    assert.ok(bundle.includes("require('./services.js')") || bundle.includes('require("./services.js")'), 'the services are required lazily from dist/services.js');
  });
});
