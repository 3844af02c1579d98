/**
 * Extension entry point. Activation must stay cheap (it runs on onStartupFinished for every
 * window): it creates an output channel, the status bar item and the command registrations, and
 * nothing else. The services behind the commands (the core, zod, the chat) are a separate bundle,
 * dist/services.js, required on first use.
 */
import * as vscode from 'vscode';
import { SERVICE_COMMANDS, SHOW_LOG_COMMAND } from './commands';
import { ModelStatusBar, type StatusBarSnapshot } from './statusBar';
import { MODELS_KEY, SECTION, readShowSpend, settingsHoldKey } from './settings';
import type { Services } from './services';

/** Set by the bundle's last line (esbuild.js footer); absent when the sources run unbundled. */
declare const __anymodelLoadMs: number | undefined;
import { CHAT_VIEW_TYPE } from './chat/viewType';
import { registerChatModels } from './lm/register';


/** What `vscode.extensions.getExtension('anymodel.anymodel').exports` returns. */
export interface AnyModelApi {
  /** Milliseconds spent inside activate(). */
  readonly activationMs: number;
  /** Milliseconds to load dist/extension.js (its esbuild banner to its footer); absent when unbundled. */
  readonly loadMs: number | undefined;
  /** The status bar item as a user sees it. */
  statusBar(): StatusBarSnapshot;
  /** The services, loading them if needed (for tests and other extensions). */
  services(): Promise<Services>;
}

export function activate(context: vscode.ExtensionContext): AnyModelApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('AnyModel', { log: true });
  const statusBar = new ModelStatusBar();
  let services: Promise<Services> | undefined;
  const load = (): Promise<Services> => {
    services ??= (async () => {
      const t0 = performance.now();
      // Not bundled into this file (esbuild marks it external): loaded only when a command needs it.
      const mod = require('./services.js') as typeof import('./services');
      const s = await mod.createServices(context, log, statusBar);
      chatModels.attach(s);
      log.info(`Services loaded in ${(performance.now() - t0).toFixed(0)} ms.`);
      return s;
    })().catch((err: unknown) => {
      services = undefined; // the next command tries again instead of failing forever
      throw err;
    });
    return services;
  };
  // VS Code's chat sees AnyModel's models from the start; the bridge loads when it first asks.
  const chatModels = registerChatModels(load);
  closeServices = async () => (await services?.catch(() => undefined))?.close();
  context.subscriptions.push(
    log,
    statusBar,
    chatModels,
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => log.show()),
    vscode.window.registerWebviewPanelSerializer(CHAT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => (await load()).revivePanel(panel),
    }),
  );
  for (const [command, method] of Object.entries(SERVICE_COMMANDS)) {
    context.subscriptions.push(vscode.commands.registerCommand(command, async (...args: unknown[]) => {
      try {
        const s = await load();
        return await (s[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        log.error(`${command} failed: ${err instanceof Error ? err.message : String(err)}`);
        void vscode.window.showErrorMessage(`AnyModel: ${err instanceof Error ? err.message : String(err)}`, 'Show Log').then((c) => c && log.show(true));
        return undefined;
      }
    }));
  }
  // A key pasted into settings.json is warned about at once (the services make the offer to move it).
  const checkKeys = (): void => { if (settingsHoldKey()) load().catch(() => undefined); };
  checkKeys();
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${SECTION}.${MODELS_KEY}`)) checkKeys(); }));
  // Today's spend comes from the usage store in the services: load them when it is to be shown.
  const showSpend = (): void => { if (readShowSpend()) load().catch(() => undefined); };
  showSpend();
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${SECTION}.statusBar.showSpend`)) showSpend(); }));
  const activationMs = performance.now() - started;
  log.info(`AnyModel ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}).`);
  return { activationMs, loadMs: typeof __anymodelLoadMs === 'number' ? __anymodelLoadMs : undefined, statusBar: () => statusBar.snapshot(), services: load };
}

/** Set by activate: what deactivate waits for (nothing when the services never loaded). */
let closeServices: (() => Promise<void>) | undefined;
/** VS Code waits a few seconds for deactivate; a collector that does not answer must not hold the window. */
const CLOSE_WAIT_MS = 3000;

export async function deactivate(): Promise<void> {
  // The rest is in context.subscriptions, which VS Code disposes after this.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closeServices?.(), new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); })]);
  clearTimeout(timer);
}
