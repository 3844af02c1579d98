/**
 * What the chat's code block buttons do in the editor, posted as the webview posts them: copy to
 * the clipboard, insert at the cursor of the last editor, apply through a diff the user reviews
 * and accepts (the "Apply" button of the notification, pressed through the workbench's own
 * notification command), and nothing at all for a link the webview should never have sent.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, sleep, waitFor } from './helpers';

describe('code block actions', function () {
  this.timeout(30_000);
  let services: Services;
  let doc: vscode.TextDocument;

  before(async () => {
    services = await anyModelExtension().exports.services();
  });

  beforeEach(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    // A file on disk, not an untitled one: closing a changed untitled file asks whether to save it.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-code-')), 'code.ts');
    fs.writeFileSync(file, 'const a = 1;\nconst b = 2;\n');
    doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, 1, 12);
  });

  afterEach(async () => {
    await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('copyCode puts the code on the clipboard', async () => {
    await services.testing.post({ type: 'copyCode', code: 'let copied = true;', language: 'ts' });
    assert.equal(await vscode.env.clipboard.readText(), 'let copied = true;');
  });

  it('insertCode replaces the selection of the last editor', async () => {
    await services.testing.post({ type: 'insertCode', code: 'const b = 3;', language: 'ts' });
    assert.equal(doc.getText(), 'const a = 1;\nconst b = 3;\n');
  });

  it('applyCode shows a diff and changes the file only after Apply', async () => {
    const applied = services.testing.post({ type: 'applyCode', code: 'const b = 42;', language: 'ts' });
    const diff = await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff), 'the diff editor');
    const input = diff.input as vscode.TabInputTextDiff;
    assert.equal(input.original.toString(), doc.uri.toString());
    assert.equal((await vscode.workspace.openTextDocument(input.modified)).getText(), 'const a = 1;\nconst b = 42;\n');
    assert.equal(doc.getText(), 'const a = 1;\nconst b = 2;\n', 'nothing changes before the user accepts');
    // Only this question is on screen (the others were cleared), so the primary action pressed is
    // its "Apply"; pressed again until the toast has appeared.
    let done = false;
    void applied.then(() => { done = true; });
    for (let i = 0; i < 50 && !done; i++) {
      await sleep(200);
      await vscode.commands.executeCommand('notifications.focusToasts');
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    }
    await applied;
    assert.equal(doc.getText(), 'const a = 1;\nconst b = 42;\n');
  });

  it('openLink refuses a javascript: link without asking', async () => {
    // The webview never sends one; the host checks again anyway and returns without a dialog.
    await Promise.race([
      services.testing.post({ type: 'openLink', url: 'javascript:alert(1)' }),
      sleep(3000).then(() => { throw new Error('a dialog was opened for a javascript: link'); }),
    ]);
  });
});
