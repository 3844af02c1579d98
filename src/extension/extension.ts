/**
 * Extension entry point. Activation must stay cheap (it runs on onStartupFinished for every
 * window): it creates an output channel, a status bar item and two command registrations, and
 * nothing else. Anything heavier is loaded on first use.
 */
import * as vscode from 'vscode';
import { PICK_MODEL_COMMAND, SHOW_LOG_COMMAND } from './commands';
import { pickModel } from './pickModel';
import { ModelStatusBar, type StatusBarSnapshot } from './statusBar';

/** What `vscode.extensions.getExtension('anymodel.anymodel').exports` returns. */
export interface AnyModelApi {
  /** Milliseconds spent inside activate(). */
  readonly activationMs: number;
  /** The status bar item as a user sees it. */
  statusBar(): StatusBarSnapshot;
}

export function activate(context: vscode.ExtensionContext): AnyModelApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('AnyModel', { log: true });
  const statusBar = new ModelStatusBar();
  context.subscriptions.push(
    log,
    statusBar,
    vscode.commands.registerCommand(PICK_MODEL_COMMAND, () => pickModel(log)),
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => log.show()),
  );
  const activationMs = performance.now() - started;
  log.info(`AnyModel ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}).`);
  return { activationMs, statusBar: () => statusBar.snapshot() };
}

export function deactivate(): void {
  // Everything is in context.subscriptions, which VS Code disposes.
}
