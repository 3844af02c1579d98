/**
 * Leading a person to AnyModel's models in VS Code's own chat: "AnyModel: Use AnyModel Models in
 * VS Code Chat" checks what is missing (a model, a key, VS Code's AI features switched off) and
 * runs VS Code's "Chat: Manage Language Models" (which, without a Copilot sign-in, is what enables
 * the chat for bring-your-own-key models), then opens the Chat view. "AnyModel: Manage Models and
 * Keys" is the `managementCommand` VS Code shows next to the AnyModel vendor.
 */
import * as vscode from 'vscode';
import type { ModelService } from '../models';
import { SECTION } from '../settings';

/** VS Code's command ids (the workbench's "Chat: Manage Language Models" and "Chat: Open Chat"). */
export const MANAGE_LANGUAGE_MODELS = 'workbench.action.chat.manage';
export const OPEN_CHAT_VIEW = 'workbench.action.chat.open';

export interface GuideDeps {
  models: ModelService;
  log: vscode.LogOutputChannel;
  setKey(provider?: string): Promise<boolean>;
  pickModel(): Promise<unknown>;
}

/** Returns what it did, for the log and the tests: 'done' or the step it stopped at. */
export async function useInVSCodeChat(deps: GuideDeps): Promise<string> {
  let catalog = await deps.models.refresh();
  if (!catalog.models.length) {
    const choice = await vscode.window.showWarningMessage('AnyModel has no models yet: add one to "anymodel.models" (or a config file), or start Ollama, then run this again.', 'Open Settings');
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:anymodel.anymodel`);
    return 'no models';
  }
  if (catalog.models.every((m) => m.missingKey)) {
    const choice = await vscode.window.showWarningMessage('None of your AnyModel models has its API key yet: set one so they can answer in VS Code Chat.', 'Set API Key', 'Continue Anyway');
    if (choice === undefined) return 'no key';
    if (choice === 'Set API Key' && await deps.setKey(catalog.models[0]!.provider)) catalog = await deps.models.refresh();
  }
  const chat = vscode.workspace.getConfiguration('chat');
  if (chat.get<boolean>('disableAIFeatures') === true) {
    const choice = await vscode.window.showInformationMessage(
      'VS Code\'s AI features are turned off ("chat.disableAIFeatures"), which hides its Chat view. Turn them on so AnyModel\'s models can be used there?',
      { modal: true }, 'Turn On');
    if (choice !== 'Turn On') return 'ai features off';
    await chat.update('disableAIFeatures', false, vscode.ConfigurationTarget.Global);
  }
  try {
    // Without a Copilot sign-in, running this once is what lets the Chat view use other vendors' models.
    await vscode.commands.executeCommand(MANAGE_LANGUAGE_MODELS);
  } catch (err) {
    deps.log.warn(`"Chat: Manage Language Models" could not run: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showWarningMessage('AnyModel: this VS Code has no "Chat: Manage Language Models" (AnyModel\'s models in VS Code Chat need VS Code 1.104 or later).');
    return 'no manage command';
  }
  await vscode.commands.executeCommand(OPEN_CHAT_VIEW).then(undefined, () => undefined);
  const noTools = catalog.models.filter((m) => m.deployments.some((d) => d.modelInfo?.supports_function_calling === false)).map((m) => m.id);
  deps.log.info(`VS Code Chat: AnyModel offers ${catalog.models.length} model(s) under "AnyModel" in the Chat view's model picker.`);
  void vscode.window.showInformationMessage(
    `AnyModel's ${catalog.models.length} model(s) are in the Chat view's model picker under "AnyModel". Each answer's cost is written to the AnyModel log.${noTools.length ? ` ${noTools.join(', ')} cannot call tools, so VS Code lists ${noTools.length === 1 ? 'it' : 'them'} but does not offer ${noTools.length === 1 ? 'it' : 'them'} in Agent mode.` : ''}`,
    'Show Log',
  ).then((c) => { if (c) deps.log.show(true); });
  return 'done';
}

interface Step extends vscode.QuickPickItem { run(): Thenable<unknown> }

/** The vendor's management command: the setup steps of AnyModel in one list. */
export async function manageModels(deps: GuideDeps): Promise<void> {
  const catalog = await deps.models.catalog();
  const missing = catalog.models.filter((m) => m.missingKey).length;
  const steps: Step[] = [
    { label: '$(key) Set API Key', description: missing ? `${missing} model(s) need a key` : 'keys live in VS Code\'s secret storage', run: async () => { if (await deps.setKey()) await deps.models.refresh(); } },
    { label: '$(hubot) Pick Default Model', description: 'for AnyModel\'s own chat', run: () => deps.pickModel() },
    { label: '$(settings-gear) Edit Models', description: `${SECTION}.models, config file, Ollama, gateway`, run: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:anymodel.anymodel') },
    { label: '$(sparkle) Use AnyModel Models in VS Code Chat', run: () => useInVSCodeChat(deps) },
    { label: '$(output) Show Log', description: 'one line per request, with its cost', run: async () => deps.log.show(true) },
  ];
  const chosen = await vscode.window.showQuickPick(steps, { title: `AnyModel: ${catalog.models.length} model(s)`, placeHolder: 'What to set up' });
  await chosen?.run();
}
