/**
 * `anymodel.pickModel`: a QuickPick of every model the catalog knows, grouped by provider, each
 * showing local or cloud, context window, price and a missing key. The choice is written to the
 * user (global) `anymodel.defaultModel`, which the status bar and the chat follow. Choosing a
 * model whose key is missing offers to set it at once.
 */
import * as vscode from 'vscode';
import type { CatalogModel } from './catalog';
import type { ModelService } from './models';
import { readDefaultModel, defaultModelIsOverridden, SECTION, DEFAULT_MODEL_KEY } from './settings';

interface ModelItem extends vscode.QuickPickItem {
  id?: string;
  missingKey?: boolean;
}

function describe(m: CatalogModel): string {
  const parts = [m.local ? 'local' : 'cloud'];
  if (m.contextWindow) parts.push(`${m.contextWindow >= 1000 ? `${Math.round(m.contextWindow / 1000)}K` : m.contextWindow} context`);
  if (m.local) parts.push('free');
  else if (m.price) parts.push(`$${fmt(m.price.input)} / $${fmt(m.price.output)} per M tokens`);
  if (m.deployments.length > 1) parts.push(`${m.deployments.length} deployments`);
  return parts.join(' · ');
}

function fmt(n: number): string {
  return n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(2).replace(/\.?0+$/, '') : n.toPrecision(2);
}

export function pickerItems(models: CatalogModel[], current: string): ModelItem[] {
  const byProvider = new Map<string, CatalogModel[]>();
  for (const m of models) byProvider.set(m.provider, [...(byProvider.get(m.provider) ?? []), m]);
  const items: ModelItem[] = [];
  for (const [provider, list] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
    items.push({ label: provider, kind: vscode.QuickPickItemKind.Separator });
    for (const m of list) {
      const target = m.deployments[0] ? `${m.deployments[0].provider}/${m.deployments[0].model}` : m.id;
      items.push({
        id: m.id,
        missingKey: m.missingKey,
        label: `${m.id === current ? '$(check) ' : ''}${m.missingKey ? '$(key) ' : ''}${m.id}`,
        description: describe(m),
        detail: [target !== m.id ? target : '', m.missingKey ? `no API key stored for ${m.provider}: choosing it asks for one` : ''].filter(Boolean).join(' · ') || undefined,
      });
    }
  }
  return items;
}

/** Resolves to the chosen model id, or undefined when the picker was dismissed. */
export async function pickModel(models: ModelService, log: vscode.LogOutputChannel, setKey: (provider: string) => Thenable<unknown>): Promise<string | undefined> {
  const current = readDefaultModel();
  const picker = vscode.window.createQuickPick<ModelItem>();
  picker.title = 'AnyModel: Pick Model';
  picker.placeholder = `Model for new chats (current: ${current})`;
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.busy = true;
  picker.show();
  let catalog = await models.catalog();
  // The default model joins the catalog when it is built; a change that has not been rebuilt yet must still show.
  if (!catalog.models.some((m) => m.id === current)) catalog = await models.refresh();
  picker.items = pickerItems(catalog.models, current);
  picker.busy = false;
  const active = picker.items.find((item) => item.id === current);
  if (active) picker.activeItems = [active];

  const chosen = await new Promise<ModelItem | undefined>((resolve) => {
    picker.onDidAccept(() => {
      resolve(picker.selectedItems[0]);
      picker.hide();
    });
    picker.onDidHide(() => resolve(undefined)); // after an accept this is a no-op: the promise is settled
  });
  picker.dispose();
  if (!chosen?.id) return undefined;

  await vscode.workspace.getConfiguration(SECTION).update(DEFAULT_MODEL_KEY, chosen.id, vscode.ConfigurationTarget.Global);
  log.info(`Default model set to ${chosen.id} (user settings).`);
  if (defaultModelIsOverridden()) {
    void vscode.window.showInformationMessage(`AnyModel: saved ${chosen.id} in your user settings, but this workspace sets its own anymodel.defaultModel, which still applies here.`);
  }
  const model = catalog.models.find((m) => m.id === chosen.id);
  if (chosen.missingKey && model) await setKey(model.provider);
  return chosen.id;
}
