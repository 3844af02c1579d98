/**
 * A key pasted into settings.json: AnyModel never reads it, warns, and on "Move to Secret
 * Storage" (the notification's primary action, pressed through the workbench's own command) moves
 * it to SecretStorage under the slot the entry resolves to and removes it from the entry, keeping
 * the rest of the entry. A key it cannot place stays in settings: never deleted without being stored.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, waitFor } from './helpers';

describe('a key in settings.json', function () {
  this.timeout(60_000);
  let services: Services;
  const config = () => vscode.workspace.getConfiguration('anymodel');
  const W = vscode.ConfigurationTarget.Workspace;
  let previous: unknown;

  before(async () => {
    services = await anyModelExtension().exports.services();
    previous = config().inspect('models')?.workspaceValue;
  });
  afterEach(async () => {
    await config().update('models', previous, W);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  /** Waits for the warning, then answers it with its primary action until the answer is taken. */
  const acceptMove = async (): Promise<void> => {
    await waitFor(() => services.testing.keyPromptShown(), 'the warning about the key in settings', 20_000);
    const deadline = Date.now() + 20_000;
    // The toast may not have focus yet when the command runs: press again while it is still waiting.
    while (services.testing.keyPromptShown()) {
      if (Date.now() > deadline) throw new Error('the warning was never answered');
      await vscode.commands.executeCommand('notifications.focusToasts');
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      await waitFor(() => !services.testing.keyPromptShown(), 'the answer to be taken', 1000).catch(() => undefined);
    }
  };
  const workspaceModels = () => config().inspect('models')?.workspaceValue;

  it('is moved to secret storage when the user accepts, and removed from the settings entry', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(await services.testing.hasKey('MISTRAL_API_KEY'), false);
    await config().update('models', [{ model_name: 'le-chat', litellm_params: { model: 'mistral/mistral-large-latest', api_key: 'pasted-mistral-key-1234' } }], W);
    await acceptMove();
    await waitFor(() => !JSON.stringify(workspaceModels()).includes('api_key'), 'the key to leave the settings entry', 10_000);
    assert.equal(await services.testing.hasKey('MISTRAL_API_KEY'), true, 'the key is in secret storage');
    assert.deepEqual(workspaceModels(), [{ model_name: 'le-chat', litellm_params: { model: 'mistral/mistral-large-latest' } }]);
  });

  it('stores the key of a model id without a provider prefix under the provider it resolves to (claude-… → Anthropic)', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(await services.testing.hasKey('ANTHROPIC_API_KEY'), false);
    await config().update('models', [{ model_name: 'claude', litellm_params: { model: 'claude-sonnet-4-5', api_key: 'pasted-anthropic-key-5678' } }], W);
    await acceptMove();
    await waitFor(() => !JSON.stringify(workspaceModels()).includes('api_key'), 'the key to leave the settings entry', 10_000);
    assert.equal(await services.testing.hasKey('ANTHROPIC_API_KEY'), true, 'stored under ANTHROPIC_API_KEY, not lost');
    assert.deepEqual(workspaceModels(), [{ model_name: 'claude', litellm_params: { model: 'claude-sonnet-4-5' } }]);
  });

  it('keeps a key it cannot place in settings (unknown provider, another server), and moves the rest', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(await services.testing.hasKey('XAI_API_KEY'), false);
    const entries = [
      { model_name: 'mystery', litellm_params: { model: 'mystery-model-7', api_key: 'pasted-unknown-key' } },
      { model_name: 'grok-elsewhere', litellm_params: { model: 'xai/grok-4', api_base: 'http://127.0.0.1:9/v1', api_key: 'pasted-other-server-key' } },
      { model_name: 'grok', litellm_params: { model: 'xai/grok-4', api_key: 'pasted-xai-key' } },
    ];
    await config().update('models', entries, W);
    await acceptMove();
    await waitFor(() => !JSON.stringify(workspaceModels()).includes('pasted-xai-key'), 'the placeable key to move', 10_000);
    assert.equal(await services.testing.hasKey('XAI_API_KEY'), true);
    assert.deepEqual(workspaceModels(), [entries[0], entries[1], { model_name: 'grok', litellm_params: { model: 'xai/grok-4' } }], 'the two keys it could not place are still there');
  });
});
