/**
 * Choosing the models to compare: a multi-select QuickPick of the catalog (grouped by provider,
 * with price and context as in "Pick Model"), the last choice ticked, kept open until 2 to 4 are
 * ticked, and remembered in globalState. Also the question of "Compare Models on Selection".
 */
import * as vscode from 'vscode';
import type { ModelService } from '../models';
import { pickerItems } from '../pickModel';
import type { Memento } from './store';

const KEY = 'anymodel.compare.models';
const MIN = 2;
const MAX = 4;

/** The models compared last time that the catalog still has (empty when fewer than two are left). */
export function rememberedCompareModels(memento: Memento, known: readonly string[]): string[] {
  const saved = memento.get<unknown>(KEY);
  const list = Array.isArray(saved) ? saved.filter((m): m is string => typeof m === 'string' && known.includes(m)).slice(0, MAX) : [];
  return list.length >= MIN ? list : [];
}

type Item = ReturnType<typeof pickerItems>[number];

/** Resolves to the 2–4 models ticked (and remembers them), or undefined when dismissed. */
export async function pickCompareModels(models: ModelService, memento: Memento): Promise<string[] | undefined> {
  const picker = vscode.window.createQuickPick<Item>();
  picker.title = 'AnyModel: Compare Models';
  picker.placeholder = `Tick ${MIN} to ${MAX} models to ask the same question, then press Enter`;
  picker.canSelectMany = true;
  picker.matchOnDescription = true;
  picker.busy = true;
  picker.show();
  const catalog = await models.catalog();
  const ids = catalog.models.map((m) => m.id);
  const remembered = rememberedCompareModels(memento, ids);
  picker.items = pickerItems(catalog.models, '');
  picker.selectedItems = picker.items.filter((i) => i.id !== undefined && remembered.includes(i.id));
  picker.busy = false;
  const count = () => picker.selectedItems.filter((i) => i.id).length;
  const say = () => {
    const n = count();
    picker.title = n >= MIN && n <= MAX ? `AnyModel: Compare Models (${n} ticked)` : `AnyModel: Compare Models (${n} ticked: tick ${MIN} to ${MAX})`;
  };
  say();
  const chosen = await new Promise<string[] | undefined>((resolve) => {
    picker.onDidChangeSelection(say);
    picker.onDidAccept(() => {
      const n = count();
      // Fewer than two or more than four: say so and stay open; nothing ticked is lost.
      if (n < MIN || n > MAX) { say(); return; }
      resolve(picker.selectedItems.flatMap((i) => (i.id ? [i.id] : [])));
      picker.hide();
    });
    picker.onDidHide(() => resolve(undefined));
  });
  picker.dispose();
  if (chosen) await memento.update(KEY, chosen);
  return chosen;
}

/** The question for "Compare Models on Selection"; undefined when dismissed. */
export function askCompareQuestion(where: string, models: readonly string[]): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'AnyModel: Compare Models on Selection',
    prompt: `Your question about ${where}, for ${models.join(', ')}`,
    placeHolder: 'e.g. Is there a faster way to write this?',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Type a question, or press Escape.' : undefined),
  });
}
