/**
 * The status bar item that shows the current model, marked when it runs locally or when the
 * offline switch answers with a local model instead; clicking it opens the model picker. It
 * follows `anymodel.defaultModel` live, so a change in settings shows without a reload.
 */
import * as vscode from 'vscode';
import { readDefaultModel, isLocalModel, SECTION } from './settings';
import { PICK_MODEL_COMMAND } from './commands';

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

  refresh(): void {
    this.model = readDefaultModel();
    if (this.offlineModel) {
      this.item.text = `$(debug-disconnect) ${this.offlineModel} · offline`;
      this.item.tooltip = `AnyModel: ${this.model} is unreachable, so chats use the local ${this.offlineModel} until it answers again. Click to pick another model.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.accessibilityInformation = { label: `AnyModel model ${this.offlineModel}, offline fallback for ${this.model}. Pick model.`, role: 'button' };
      return;
    }
    const local = isLocalModel(this.model);
    this.item.text = `$(hubot) ${this.model}${local ? ' · local' : ''}`;
    this.item.tooltip = `AnyModel: new chats use ${this.model}${local ? ', which runs on this machine' : ''}. Click to pick another model.`;
    this.item.backgroundColor = undefined;
    this.item.accessibilityInformation = { label: `AnyModel model ${this.model}${local ? ', local' : ''}. Pick model.`, role: 'button' };
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
