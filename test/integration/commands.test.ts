import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { anyModelExtension, manifest, waitFor } from './helpers';

/** The menus and keybindings as VS Code loaded them from the manifest. */
interface Contributions {
  menus?: Record<string, { command?: string; submenu?: string }[]>;
  keybindings?: { command: string; key: string }[];
}

describe('contributed commands', () => {
  before(async () => {
    await anyModelExtension().activate();
  });

  it('points every menu entry, keybinding and the status bar item at a registered command', async () => {
    const contributes = (anyModelExtension().packageJSON as { contributes: Contributions }).contributes;
    const targets = [
      ...Object.entries(contributes.menus ?? {}).flatMap(([menu, entries]) => entries.filter((e) => e.command).map((e) => ({ where: `menu ${menu}`, command: e.command! }))),
      ...(contributes.keybindings ?? []).map((k) => ({ where: `keybinding ${k.key}`, command: k.command })),
      { where: 'the status bar item', command: anyModelExtension().exports.statusBar().command ?? '(none)' },
    ];
    assert.ok(targets.length >= 8, `menus, keybindings and the status bar: ${targets.map((t) => t.where).join(', ')}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const declared = new Set((manifest().contributes?.commands ?? []).map((c) => c.command));
    const broken = targets.filter((t) => !registered.has(t.command) || !declared.has(t.command)).map((t) => `${t.where} → ${t.command}`);
    assert.deepEqual(broken, [], 'entries that would do nothing when used');
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

  it('activates by itself once the window has started, before any command is used', async () => {
    // The suites start once the extension is active (index.ts waits for it, and activates it
    // itself only if that never happens), so VS Code's own log says what activated it.
    const { logUri } = (await anyModelExtension().exports.services()).testing;
    const hostLogs = path.dirname(logUri.fsPath);
    const line = await waitFor(() => fs.readdirSync(hostLogs).filter((f) => f.endsWith('.log'))
      .flatMap((f) => fs.readFileSync(path.join(hostLogs, f), 'utf8').split('\n'))
      .find((l) => l.includes('_doActivateExtension anymodel.anymodel')), 'the extension host to log the activation', 10_000);
    assert.match(line, /activationEvent: 'onStartupFinished'/, line);
  });

  it('anymodel.showLog shows the AnyModel output channel', async () => {
    const shown = () => vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'output' && e.document.uri.path.includes('AnyModel'));
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await waitFor(() => !shown(), 'the panel to close', 10_000);
    await vscode.commands.executeCommand('anymodel.showLog');
    await waitFor(shown, 'the AnyModel output channel to be visible', 10_000);
  });
});
