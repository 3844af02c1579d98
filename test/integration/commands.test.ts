import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { anyModelExtension, manifest } from './helpers';

describe('contributed commands', () => {
  before(async () => {
    await anyModelExtension().activate();
  });

  it('contributes at least the commands this version has', () => {
    const ids = (manifest().contributes?.commands ?? []).map((c) => c.command);
    for (const id of ['anymodel.pickModel', 'anymodel.showLog']) assert.ok(ids.includes(id), `${id} is not in contributes.commands`);
  });

  it('registers every command in contributes.commands', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = (manifest().contributes?.commands ?? []).map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('gives every command a title under the AnyModel category, so the palette groups them', () => {
    for (const c of manifest().contributes?.commands ?? []) {
      assert.ok(c.title?.trim(), `${c.command} has no title`);
      assert.equal(c.category, 'AnyModel', `${c.command} category`);
    }
  });

  it('registers no anymodel.* command that the manifest does not declare', async () => {
    const declared = new Set((manifest().contributes?.commands ?? []).map((c) => c.command));
    const extra = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('anymodel.') && !declared.has(id));
    assert.deepEqual(extra, [], `registered but not contributed (invisible in the palette): ${extra.join(', ')}`);
  });

  it('activates on startup finished', () => {
    assert.ok(manifest().activationEvents?.includes('onStartupFinished'));
  });

  it('anymodel.showLog runs', async () => {
    await vscode.commands.executeCommand('anymodel.showLog');
  });
});
