/**
 * `anymodel.setApiKey`, `anymodel.clearApiKey`, and the check that moves a key found in
 * settings.json into SecretStorage. The key itself only ever passes through the password input
 * box and SecretStorage; messages name the variable, never the value.
 */
import * as vscode from 'vscode';
import { KEY_SLOTS, slotForProvider, validateKey, type KeySlot, type KeyStore } from './keys';
import { MODELS_KEY, SECTION } from './settings';

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
  provider: string;
  target: vscode.ConfigurationTarget;
}

/** Keys written into anymodel.models (`litellm_params.api_key`), which are never read. `os.environ/` references are fine. */
function keysInSettings(): KeyInSettings[] {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>(MODELS_KEY);
  const found: KeyInSettings[] = [];
  const scan = (list: unknown, target: vscode.ConfigurationTarget): void => {
    if (!Array.isArray(list)) return;
    list.forEach((entry, index) => {
      const params = (entry as { litellm_params?: { api_key?: unknown; model?: unknown } } | null)?.litellm_params;
      if (typeof params?.api_key !== 'string' || params.api_key.startsWith('os.environ/') || typeof params.model !== 'string') return;
      found.push({ index, provider: params.model.split('/')[0] ?? '', target });
    });
  };
  scan(inspected?.globalValue, vscode.ConfigurationTarget.Global);
  scan(inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace);
  scan(inspected?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder);
  return found;
}

/**
 * Warns about a key in settings.json and offers to move it: the key goes to SecretStorage under
 * its provider's variable, and `api_key` is removed from the entry (the rest of the entry stays).
 */
export async function checkKeysInSettings(keys: KeyStore, log: vscode.LogOutputChannel): Promise<void> {
  const found = keysInSettings();
  if (found.length === 0) return;
  const providers = [...new Set(found.map((f) => f.provider))].join(', ');
  log.warn(`anymodel.models holds ${found.length} API key(s) in plain text (${providers}); they are not used. Keys belong in secret storage.`);
  const choice = await vscode.window.showWarningMessage(
    `AnyModel: settings.json holds an API key for ${providers} in plain text. Keys are only read from VS Code's secret storage.`,
    'Move to Secret Storage', 'Ignore',
  );
  if (choice !== 'Move to Secret Storage') return;
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown[]>(MODELS_KEY);
  for (const target of new Set(found.map((f) => f.target))) {
    const list = target === vscode.ConfigurationTarget.Global ? inspected?.globalValue
      : target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.workspaceFolderValue;
    if (!Array.isArray(list)) continue;
    const cleaned = structuredClone(list) as { litellm_params?: Record<string, unknown> }[];
    for (const f of found.filter((x) => x.target === target)) {
      const params = cleaned[f.index]?.litellm_params;
      const slot = slotForProvider(f.provider);
      if (!params || typeof params.api_key !== 'string') continue;
      if (slot) await keys.store(slot.envName, params.api_key.trim());
      delete params.api_key;
    }
    await config.update(MODELS_KEY, cleaned, target);
  }
  log.info(`Moved API key(s) for ${providers} from settings.json to secret storage.`);
  void vscode.window.showInformationMessage(`AnyModel: moved the key(s) for ${providers} to secret storage and removed them from settings.`);
}
