import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { anyModelExtension, resetUserSetting, waitFor } from './helpers';

describe('status bar', () => {
  const statusBar = () => anyModelExtension().exports.statusBar();

  before(async () => {
    await anyModelExtension().activate();
  });

  after(async () => {
    await resetUserSetting('defaultModel');
  });

  it('shows the default model and opens the picker when clicked', async () => {
    await resetUserSetting('defaultModel');
    await waitFor(() => statusBar().model === 'ollama_chat/llama3.2', 'the default model');
    assert.equal(statusBar().text, '$(hubot) ollama_chat/llama3.2 · local', 'marked local: Ollama runs on this machine');
    assert.equal(statusBar().command, 'anymodel.pickModel');
    assert.match(statusBar().tooltip, /ollama_chat\/llama3\.2/);
  });

  it('follows a settings change without a reload', async () => {
    const started = performance.now();
    await vscode.workspace.getConfiguration('anymodel').update('defaultModel', 'openai/gpt-4o', vscode.ConfigurationTarget.Global);
    await waitFor(() => statusBar().text === '$(hubot) openai/gpt-4o', 'the status bar to show openai/gpt-4o');
    console.log(`      status bar updated ${(performance.now() - started).toFixed(0)} ms after the settings write`);
    await resetUserSetting('defaultModel');
    await waitFor(() => statusBar().model === 'ollama_chat/llama3.2', 'the status bar to return to the default');
  });

  it('falls back to the built-in default when the setting is blank', async () => {
    await vscode.workspace.getConfiguration('anymodel').update('defaultModel', 'smart', vscode.ConfigurationTarget.Global);
    await waitFor(() => statusBar().model === 'smart', 'smart');
    await vscode.workspace.getConfiguration('anymodel').update('defaultModel', '  ', vscode.ConfigurationTarget.Global);
    await waitFor(() => statusBar().model === 'ollama_chat/llama3.2', 'the fallback model');
  });
});
