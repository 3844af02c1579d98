/**
 * `anymodel.setApiKey`, `anymodel.clearApiKey`, and the check that moves a key found in
 * settings.json into SecretStorage. The key itself only ever passes through the password input
 * box and SecretStorage; messages name the variable, never the value.
 */
import * as vscode from 'vscode';
import { KEY_SLOTS, slotForProvider, validateKey, type KeySlot, type KeyStore } from './keys';
import { MODELS_KEY, SECTION } from './settings';
import { getPreset, parseModelId } from '../core';

interface SlotItem extends vscode.QuickPickItem {
  slot: KeySlot;
}

function slotLabel(slot: KeySlot): string {
  return slot.providers.join(', ');
}

async function pickSlot(keys: KeyStore, title: string, onlyStored: boolean): Promise<KeySlot | undefined> {
  const env = await keys.env();
  const items: SlotItem[] = KEY_SLOTS
    .filter((slot) => !onlyStored || env[slot.envName] !== undefined)
    .map((slot) => ({
      slot,
      label: slotLabel(slot),
      description: slot.envName,
      detail: env[slot.envName] !== undefined ? '$(key) stored' : slot.required ? 'no key yet (required)' : 'no key yet (optional)',
    }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('AnyModel: no API key is stored.');
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(items, { title, placeHolder: 'Provider', matchOnDescription: true });
  return chosen?.slot;
}

/** Asks for a provider (unless given) and its key. Resolves to true when a key was stored. */
export async function setApiKey(keys: KeyStore, log: vscode.LogOutputChannel, provider?: string): Promise<boolean> {
  const slot = (provider ? slotForProvider(provider) : undefined) ?? await pickSlot(keys, 'AnyModel: Set API Key', false);
  if (!slot) return false;
  const value = await vscode.window.showInputBox({
    title: `AnyModel: API key for ${slotLabel(slot)}`,
    prompt: `Stored in VS Code's secret storage as ${slot.envName}; never written to settings or logs.`,
    password: true,
    ignoreFocusOut: true,
    validateInput: validateKey,
  });
  if (value === undefined) return false;
  await keys.store(slot.envName, value.trim());
  log.info(`Stored the API key for ${slotLabel(slot)} (${slot.envName}) in secret storage.`);
  void vscode.window.showInformationMessage(`AnyModel: key for ${slotLabel(slot)} stored in secret storage.`);
  return true;
}

export async function clearApiKey(keys: KeyStore, log: vscode.LogOutputChannel): Promise<boolean> {
  const slot = await pickSlot(keys, 'AnyModel: Clear API Key', true);
  if (!slot) return false;
  await keys.delete(slot.envName);
  log.info(`Removed the API key for ${slotLabel(slot)} (${slot.envName}) from secret storage.`);
  void vscode.window.showInformationMessage(`AnyModel: key for ${slotLabel(slot)} removed.`);
  return true;
}

interface KeyInSettings {
  index: number;
  /** `anymodel.models[i]` (with the scope when not the user settings), for messages. */
  where: string;
  modelName: string;
  /** The model id as written (`gpt-4o`, `openai/gpt-4o`). */
  model: string;
  target: vscode.ConfigurationTarget;
}

const SCOPE: Record<number, string> = {
  [vscode.ConfigurationTarget.Global]: 'user',
  [vscode.ConfigurationTarget.Workspace]: 'workspace',
  [vscode.ConfigurationTarget.WorkspaceFolder]: 'folder',
};

/** Keys written into anymodel.models (`litellm_params.api_key`), which are never read. `os.environ/` references are fine. */
function keysInSettings(): KeyInSettings[] {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>(MODELS_KEY);
  const found: KeyInSettings[] = [];
  const scan = (list: unknown, target: vscode.ConfigurationTarget): void => {
    if (!Array.isArray(list)) return;
    list.forEach((entry, index) => {
      const e = entry as { model_name?: unknown; litellm_params?: { api_key?: unknown; model?: unknown } } | null;
      const params = e?.litellm_params;
      if (typeof params?.api_key !== 'string' || params.api_key.startsWith('os.environ/')) return;
      const model = typeof params.model === 'string' ? params.model : '';
      found.push({ index, where: `anymodel.models[${index}] (${SCOPE[target]} settings)`, modelName: typeof e?.model_name === 'string' ? e.model_name : model, model, target });
    });
  };
  scan(inspected?.globalValue, vscode.ConfigurationTarget.Global);
  scan(inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace);
  scan(inspected?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder);
  return found;
}

/** Where a key found in an entry would be read from after the move, or why it cannot go there. */
export type KeyDestination = { slot: KeySlot } | { reason: string };

/**
 * The slot an entry's key belongs in: the one the entry resolves to, by the core's reading of the
 * model id (so `gpt-4o` is OpenAI's, as LiteLLM infers it). An entry that points its provider at
 * another server keeps its key: stored as the provider's key it would also go to the provider.
 */
export function destinationOf(model: string, apiBase: unknown): KeyDestination {
  let provider: string;
  try {
    provider = parseModelId(model).provider;
  } catch {
    return { reason: model ? `AnyModel cannot tell which provider "${model}" is, so it cannot tell which key slot it reads` : 'the entry has no litellm_params.model' };
  }
  const slot = slotForProvider(provider);
  if (!slot) return { reason: `${provider} reads no API key` };
  const own = getPreset(provider).defaultApiBase;
  if (typeof apiBase === 'string' && own && origin(apiBase) !== origin(own)) {
    return { reason: `it is for ${origin(apiBase) ?? apiBase}, not ${provider}'s own endpoint; stored as ${slot.envName} it would be sent to ${provider} too. Put it in an environment variable and set api_key to os.environ/THAT_NAME` };
  }
  return { slot };
}

function origin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export interface KeyCheckHooks {
  /** Told when the warning is shown and when it was answered (the integration test waits on it). */
  onPrompt?(shown: boolean): void;
}

/**
 * Warns about a key in settings.json and offers to move it. Each key goes to SecretStorage under
 * the slot its entry resolves to, and only then is `api_key` removed from the entry (the rest of
 * the entry stays). A key that has no slot, or whose slot already holds a different key, stays in
 * settings, and the message says why: a key is never deleted without being stored.
 */
export async function checkKeysInSettings(keys: KeyStore, log: vscode.LogOutputChannel, hooks: KeyCheckHooks = {}): Promise<void> {
  const found = keysInSettings();
  if (found.length === 0) return;
  const names = [...new Set(found.map((f) => f.modelName))].join(', ');
  log.warn(`anymodel.models holds ${found.length} API key(s) in plain text (${names}); they are not used. Keys belong in secret storage.`);
  hooks.onPrompt?.(true);
  let choice: string | undefined;
  try {
    choice = await vscode.window.showWarningMessage(
      `AnyModel: settings.json holds an API key for ${names} in plain text. Keys are only read from VS Code's secret storage.`,
      'Move to Secret Storage', 'Ignore',
    );
  } finally {
    hooks.onPrompt?.(false);
  }
  if (choice !== 'Move to Secret Storage') return;
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown[]>(MODELS_KEY);
  const moved: string[] = [];
  const kept: string[] = [];
  for (const target of new Set(found.map((f) => f.target))) {
    const list = target === vscode.ConfigurationTarget.Global ? inspected?.globalValue
      : target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.workspaceFolderValue;
    if (!Array.isArray(list)) continue;
    const cleaned = structuredClone(list) as { litellm_params?: Record<string, unknown> }[];
    let changed = false;
    for (const f of found.filter((x) => x.target === target)) {
      const params = cleaned[f.index]?.litellm_params;
      if (!params || typeof params.api_key !== 'string') continue;
      const key = params.api_key.trim();
      const dest = destinationOf(f.model, params.api_base ?? params.base_url);
      if ('reason' in dest) {
        kept.push(`${f.where}: ${dest.reason}`);
        continue;
      }
      const stored = (await keys.env())[dest.slot.envName];
      if (stored !== undefined && stored !== key) {
        kept.push(`${f.where}: secret storage already holds a different ${dest.slot.envName}; set the one you want with "AnyModel: Set API Key", then delete api_key from the entry`);
        continue;
      }
      try {
        if (stored === undefined) await keys.store(dest.slot.envName, key);
      } catch (err) {
        kept.push(`${f.where}: secret storage refused it (${(err as Error).message})`);
        continue;
      }
      delete params.api_key;
      changed = true;
      moved.push(`${f.modelName} → ${dest.slot.envName}`);
    }
    if (changed) await config.update(MODELS_KEY, cleaned, target);
  }
  if (moved.length) log.info(`Moved API key(s) from settings.json to secret storage: ${moved.join(', ')}.`);
  for (const line of kept) log.warn(`Kept an API key in settings.json, ${line}.`);
  const movedText = moved.length ? `Moved ${moved.join(', ')} to secret storage and removed ${moved.length === 1 ? 'it' : 'them'} from settings.` : '';
  if (kept.length === 0) void vscode.window.showInformationMessage(`AnyModel: ${movedText}`);
  else void vscode.window.showWarningMessage(`AnyModel: ${movedText ? `${movedText} ` : ''}Kept ${kept.length} key(s) in settings.json (still unused): ${kept.join('; ')}.`, 'Open Settings')
    .then((c) => { if (c === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${MODELS_KEY}`); });
}
