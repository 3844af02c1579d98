/**
 * `anymodel.pickModel`: a QuickPick of the configured models plus the default model; the choice
 * is written to the user (global) `anymodel.defaultModel`, which the status bar follows.
 */
import * as vscode from 'vscode';
import { readDefaultModel, defaultModelIsOverridden, SECTION, DEFAULT_MODEL_KEY, MODELS_KEY } from './settings';

interface ModelItem extends vscode.QuickPickItem {
  id: string;
}

/** Resolves to the chosen model id, or undefined when the picker was dismissed. */
export async function pickModel(log: vscode.LogOutputChannel): Promise<string | undefined> {
  // Loaded here, not at activation: zod and the schema are only needed once someone picks.
  const { parseModels, modelChoices } = await import('./modelSettings');
  const current = readDefaultModel();
  const { entries, problems } = parseModels(vscode.workspace.getConfiguration(SECTION).get<unknown>(MODELS_KEY));
  for (const problem of problems) log.warn(`Skipped a model entry: ${problem}`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`AnyModel: ${problems.length} problem(s) in anymodel.models; those entries are not listed. ${problems[0]}`, 'Show Log')
      .then((choice) => choice && log.show(true));
  }

  const items: ModelItem[] = modelChoices(entries, current).map((choice) => {
    const parts: string[] = [];
    if (choice.targets.length > 1) parts.push(`${choice.targets.length} deployments`);
    else if (choice.targets[0] && choice.targets[0] !== choice.id) parts.push(choice.targets[0]);
    if (choice.apiBases.length === 1) parts.push(choice.apiBases[0] as string);
    return {
      id: choice.id,
      label: choice.id,
      description: parts.join(' · ') || undefined,
      detail: choice.targets.length > 1 ? choice.targets.join(', ') : undefined,
      iconPath: choice.id === current ? new vscode.ThemeIcon('check') : undefined,
    };
  });

  const picker = vscode.window.createQuickPick<ModelItem>();
  picker.title = 'AnyModel: Pick Model';
  picker.placeholder = `Model for new chats (current: ${current})`;
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.items = items;
  const active = items.find((item) => item.id === current);
  if (active) picker.activeItems = [active];

  const chosen = await new Promise<string | undefined>((resolve) => {
    picker.onDidAccept(() => {
      resolve(picker.selectedItems[0]?.id);
      picker.hide();
    });
    picker.onDidHide(() => resolve(undefined)); // after an accept this is a no-op: the promise is settled
    picker.show();
  });
  picker.dispose();
  if (chosen === undefined) return undefined;

  await vscode.workspace.getConfiguration(SECTION).update(DEFAULT_MODEL_KEY, chosen, vscode.ConfigurationTarget.Global);
  log.info(`Default model set to ${chosen} (user settings).`);
  if (defaultModelIsOverridden()) {
    // The user asked for global; say why the status bar may not change in this workspace.
    void vscode.window.showInformationMessage(`AnyModel: saved ${chosen} in your user settings, but this workspace sets its own anymodel.defaultModel, which still applies here.`);
  }
  return chosen;
}
