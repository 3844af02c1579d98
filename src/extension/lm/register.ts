/**
 * The provider VS Code's chat sees, registered at activation. It is a thin forwarder kept in the
 * small activation bundle: the bridge behind it (provider.ts, in dist/services.js with the core)
 * is loaded only when VS Code first asks for model information, a response or a token count.
 */
import * as vscode from 'vscode';
import type { Services } from '../services';

/** The vendor in package.json `contributes.languageModelChatProviders`. */
export const LM_VENDOR = 'anymodel';

export interface RegisteredChatModels extends vscode.Disposable {
  /** Wires the change event once the services exist (whoever loaded them first). */
  attach(services: Services): void;
}

export function registerChatModels(load: () => Promise<Services>): RegisteredChatModels {
  const changed = new vscode.EventEmitter<void>();
  let wired: vscode.Disposable | undefined;
  const attach = (s: Services): void => { wired ??= s.lm.onDidChange(() => changed.fire()); };
  const bridge = async () => {
    const s = await load();
    attach(s);
    return s.lm;
  };
  // Older hosts (before 1.104) have no such API: the panel still works there.
  const registration = typeof vscode.lm?.registerLanguageModelChatProvider === 'function'
    ? vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, {
      onDidChangeLanguageModelChatInformation: changed.event,
      provideLanguageModelChatInformation: async (options) => (await bridge()).provideLanguageModelChatInformation(options),
      provideLanguageModelChatResponse: async (model, messages, options, progress, token) => (await bridge()).provideLanguageModelChatResponse(model, messages, options, progress, token),
      provideTokenCount: async (model, text) => (await bridge()).provideTokenCount(model, text),
    })
    : undefined;
  return {
    attach,
    dispose: () => {
      registration?.dispose();
      wired?.dispose();
      changed.dispose();
    },
  };
}
