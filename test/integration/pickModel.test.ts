import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { anyModelExtension, resetUserSetting, sleep, waitFor } from './helpers';

/**
 * Drives the real QuickPick with the workbench's own quick-input commands. The picker reaches
 * the window a moment after the command starts (the extension host batches QuickPick updates),
 * so the test waits for that before pressing keys; later commands travel in order behind it.
 */
async function pickWith(keys: string[]): Promise<string | undefined> {
  const result = vscode.commands.executeCommand<string | undefined>('anymodel.pickModel');
  await sleep(400);
  for (const key of keys) await vscode.commands.executeCommand(key);
  return Promise.race([result, sleep(5000).then(() => { throw new Error('the picker did not close'); })]);
}

describe('anymodel.pickModel', () => {
  const config = () => vscode.workspace.getConfiguration('anymodel');

  before(async () => {
    await anyModelExtension().activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await resetUserSetting('defaultModel');
  });

  it('writes the picked model to the user setting anymodel.defaultModel', async () => {
    // Grouped by provider: anthropic (smart), hosted_vllm (local-vllm), ollama_chat (fast, the
    // default model); the current model is active, separators are skipped.
    await config().update('defaultModel', 'local-vllm', vscode.ConfigurationTarget.Global);
    const picked = await pickWith(['workbench.action.quickOpenSelectNext', 'workbench.action.acceptSelectedQuickOpenItem']);
    assert.equal(picked, 'fast');
    assert.equal(config().inspect('defaultModel')?.globalValue, 'fast');
    assert.equal(config().inspect('defaultModel')?.workspaceValue, undefined, 'never written to the workspace');
    await waitFor(() => anyModelExtension().exports.statusBar().model === 'fast', 'the status bar to show fast');
  });

  it('offers the default model too when no entry is named after it', async () => {
    await resetUserSetting('defaultModel'); // ollama_chat/llama3.2: the fixture has it only as a target of "fast"
    // The current model is listed and starts active, so accepting right away picks it.
    const picked = await pickWith(['workbench.action.acceptSelectedQuickOpenItem']);
    assert.equal(picked, 'ollama_chat/llama3.2');
  });

  it('changes nothing when dismissed', async () => {
    await config().update('defaultModel', 'local-vllm', vscode.ConfigurationTarget.Global);
    const picked = await pickWith(['workbench.action.closeQuickOpen']);
    assert.equal(picked, undefined);
    assert.equal(config().get('defaultModel'), 'local-vllm');
  });
});
