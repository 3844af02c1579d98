/**
 * The status bar item that shows the current model; clicking it opens the model picker.
 * It follows `anymodel.defaultModel` live, so a change in settings shows without a reload.
 */
import * as vscode from 'vscode';
import { readDefaultModel, SECTION, DEFAULT_MODEL_KEY } from './settings';
import { PICK_MODEL_COMMAND } from './commands';

/** A read-only view of the item, exposed to tests and other extensions through the extension's exports. */
export interface StatusBarSnapshot {
  text: string;
  tooltip: string;
  command: string | undefined;
  model: string;
}

export class ModelStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly listener: vscode.Disposable;
  private model = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('anymodel.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'AnyModel: Current Model';
    this.item.command = PICK_MODEL_COMMAND;
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${DEFAULT_MODEL_KEY}`)) this.refresh();
    });
    this.refresh();
    this.item.show();
  }

  refresh(): void {
    this.model = readDefaultModel();
    this.item.text = `$(hubot) ${this.model}`;
    this.item.tooltip = `AnyModel: new chats use ${this.model}. Click to pick another model.`;
    this.item.accessibilityInformation = { label: `AnyModel model ${this.model}. Pick model.`, role: 'button' };
  }

  snapshot(): StatusBarSnapshot {
    const command = this.item.command;
    return {
      text: this.item.text,
      tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? ''),
      command: typeof command === 'string' ? command : command?.command,
      model: this.model,
    };
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}
