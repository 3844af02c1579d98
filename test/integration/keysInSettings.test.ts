/**
 * A key pasted into settings.json: AnyModel never reads it, warns, and on "Move to Secret
 * Storage" (the notification's primary action, pressed through the workbench's own command) moves
 * it to SecretStorage and removes it from the entry, keeping the rest of the entry.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { anyModelExtension, sleep } from './helpers';

describe('a key in settings.json', function () {
  this.timeout(30_000);

  it('is moved to secret storage when the user accepts, and removed from the settings entry', async () => {
    const services = await anyModelExtension().exports.services();
    const config = () => vscode.workspace.getConfiguration('anymodel');
    const previous = config().inspect('models')?.workspaceValue;
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(await services.testing.hasKey('MISTRAL_API_KEY'), false);
    await config().update('models', [{ model_name: 'le-chat', litellm_params: { model: 'mistral/mistral-large-latest', api_key: 'pasted-mistral-key-1234' } }], vscode.ConfigurationTarget.Workspace);
    try {
      for (let i = 0; i < 50 && !(await services.testing.hasKey('MISTRAL_API_KEY')); i++) {
        await sleep(200);
        await vscode.commands.executeCommand('notifications.focusToasts');
        await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      }
      assert.equal(await services.testing.hasKey('MISTRAL_API_KEY'), true, 'the key is in secret storage');
      for (let i = 0; i < 50 && JSON.stringify(config().inspect('models')?.workspaceValue).includes('api_key'); i++) await sleep(100);
      assert.deepEqual(config().inspect('models')?.workspaceValue, [{ model_name: 'le-chat', litellm_params: { model: 'mistral/mistral-large-latest' } }]);
    } finally {
      await config().update('models', previous, vscode.ConfigurationTarget.Workspace);
    }
  });
});
