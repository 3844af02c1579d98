/** Shared by the extension-host suites. Runs inside VS Code, so it may import `vscode`. */
import * as vscode from 'vscode';
import type { AnyModelApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'anymodel.anymodel';

export function anyModelExtension(): vscode.Extension<AnyModelApi> {
  const ext = vscode.extensions.getExtension<AnyModelApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded (is --extensionDevelopmentPath the repo root?)`);
  return ext;
}

/** The manifest as VS Code loaded it, so the tests check what users get, not a copy on disk. */
export interface Manifest {
  activationEvents?: string[];
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    configuration?: { title?: string; properties?: Record<string, JsonSchema> };
  };
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  markdownDescription?: string;
  default?: unknown;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minLength?: number;
  [key: string]: unknown;
}

export function manifest(): Manifest {
  return anyModelExtension().packageJSON as Manifest;
}

/** Waits for a state (the suites' one poll helper). */
export { waitFor } from '../unit/helpers/wait';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Puts a user setting back to its default after a test. */
export async function resetUserSetting(key: string): Promise<void> {
  await vscode.workspace.getConfiguration('anymodel').update(key, undefined, vscode.ConfigurationTarget.Global);
}

/**
 * Points the model `cloud` at a mock OpenAI server for a suite. The fixture workspace sets
 * anymodel.models, which shadows a user value, so the workspace value is replaced; the returned
 * function puts it back.
 */
export async function useCloudModel(mockUrl: string): Promise<() => Promise<void>> {
  const config = vscode.workspace.getConfiguration('anymodel');
  const previous = config.inspect('models')?.workspaceValue;
  // The key is named: a default key goes to a custom api_base only when named or allowed.
  await config.update('models', [{ model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${mockUrl}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } }], vscode.ConfigurationTarget.Workspace);
  await config.update('defaultModel', 'cloud', vscode.ConfigurationTarget.Global);
  return async () => {
    await vscode.workspace.getConfiguration('anymodel').update('models', previous, vscode.ConfigurationTarget.Workspace);
    await resetUserSetting('defaultModel');
  };
}
