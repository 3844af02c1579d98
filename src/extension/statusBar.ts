/**
 * The status bar item that shows the current model, marked when it runs locally or when the
 * offline switch answers with a local model instead; clicking it opens the model picker. It
 * follows `anymodel.defaultModel` live, so a change in settings shows without a reload. With
 * `anymodel.statusBar.showSpend` it also shows today's spend (from the usage store, set by the
 * services); its tooltip links to the usage dashboard.
 */
import * as vscode from 'vscode';
import { readDefaultModel, isLocalModel, SECTION } from './settings';
import { PICK_MODEL_COMMAND, SHOW_USAGE_COMMAND } from './commands';
import type { BudgetLimits } from './usage/budget';
import { usd } from './usage/money';

/** Today's spend as the status bar shows it. */
export interface SpendShown {
  todayUsd: number;
  limits: BudgetLimits;
}

/** A read-only view of the item, exposed to tests and other extensions through the extension's exports. */
export interface StatusBarSnapshot {
  text: string;
  tooltip: string;
  command: string | undefined;
  model: string;
  /** The local model answering instead of `model`, while offline. */
  offlineModel: string | undefined;
}

export class ModelStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly listener: vscode.Disposable;
  private model = '';
  private offlineModel: string | undefined;
  private spend: SpendShown | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('anymodel.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'AnyModel: Current Model';
    this.item.command = PICK_MODEL_COMMAND;
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.refresh();
    });
    this.refresh();
    this.item.show();
  }

  /** Shows that `localModel` answers instead of the chosen model (undefined: back online). */
  setOffline(localModel: string | undefined): void {
    this.offlineModel = localModel;
    this.refresh();
  }

  /** Shows today's spend next to the model (undefined: not shown). */
  setSpend(spend: SpendShown | undefined): void {
    this.spend = spend;
    this.refresh();
  }

  refresh(): void {
    this.model = readDefaultModel();
    const spent = this.spendText();
    if (this.offlineModel) {
      this.item.text = `$(debug-disconnect) ${this.offlineModel} · offline${spent ? ` · ${spent.short}` : ''}`;
      this.item.tooltip = this.tooltip(`AnyModel: ${this.model} is unreachable, so chats use the local ${this.offlineModel} until it answers again. Click to pick another model.`, spent?.long);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.accessibilityInformation = { label: `AnyModel model ${this.offlineModel}, offline fallback for ${this.model}.${spent ? ` ${spent.long}.` : ''} Pick model.`, role: 'button' };
      return;
    }
    const local = isLocalModel(this.model);
    this.item.text = `$(hubot) ${this.model}${local ? ' · local' : ''}${spent ? ` · ${spent.short}` : ''}`;
    this.item.tooltip = this.tooltip(`AnyModel: new chats use ${this.model}${local ? ', which runs on this machine' : ''}. Click to pick another model.`, spent?.long);
    this.item.backgroundColor = spent?.over ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `AnyModel model ${this.model}${local ? ', local' : ''}.${spent ? ` ${spent.long}.` : ''} Pick model.`, role: 'button' };
  }

  private spendText(): { short: string; long: string; over: boolean } | undefined {
    if (!this.spend) return undefined;
    const { todayUsd, limits } = this.spend;
    const limit = limits.dailyUsd;
    return {
      short: `${usd(todayUsd)} today`,
      long: `Spent today (UTC) ${usd(todayUsd)}${limit !== undefined ? ` of the ${usd(limit)} daily budget` : ''}`,
      over: limit !== undefined && todayUsd >= limit,
    };
  }

  /** Markdown, for the link to the dashboard (only that command may run from it). */
  private tooltip(text: string, spent: string | undefined): vscode.MarkdownString {
    const md = new vscode.MarkdownString(`${text}${spent ? `\n\n${spent}.` : ''}\n\n[$(graph) Show usage](command:${SHOW_USAGE_COMMAND})`, true);
    md.isTrusted = { enabledCommands: [SHOW_USAGE_COMMAND] };
    return md;
  }

  snapshot(): StatusBarSnapshot {
    const command = this.item.command;
    return {
      text: this.item.text,
      tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? ''),
      command: typeof command === 'string' ? command : command?.command,
      model: this.model,
      offlineModel: this.offlineModel,
    };
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}
