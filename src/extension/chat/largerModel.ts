/**
 * The context meter's "pick a model with a larger window": a QuickPick of the models whose window
 * holds what the conversation needs, smallest first (usually the cheapest that fits). Models whose
 * window nobody knows are listed after them, marked so.
 */
import * as vscode from 'vscode';
import type { Catalog } from '../catalog';
import { compact } from '../../shared/meter';
import { modelLimits } from './contextWindow';

export async function pickLargerModel(catalog: Catalog, tokens: number, current: string, setModel: (model: string) => Promise<void>): Promise<void> {
  const sized = await Promise.all(catalog.models.filter((m) => m.id !== current).map(async (m) => ({ m, window: (await modelLimits(catalog, m.id).catch(() => ({ contextWindow: null }))).contextWindow })));
  const fits = sized.filter((s) => s.window !== null && s.window >= tokens).sort((a, b) => a.window! - b.window!);
  const unknown = sized.filter((s) => s.window === null);
  const items = [
    ...fits.map((s) => ({ label: s.m.id, description: `${compact(s.window!)} tokens${s.m.local ? ' · local' : ''}`, id: s.m.id })),
    ...unknown.map((s) => ({ label: s.m.id, description: 'context window unknown', id: s.m.id })),
  ];
  if (items.length === 0) {
    void vscode.window.showWarningMessage(`AnyModel: no configured model holds ${tokens.toLocaleString('en-US')} tokens. Drop the oldest turns, or remove attachments.`);
    return;
  }
  const pick = await vscode.window.showQuickPick(items, { title: `AnyModel: Models That Hold ${compact(tokens)} Tokens`, placeHolder: 'The conversation and the draft go to the model you pick' });
  if (pick) await setModel(pick.id);
}
