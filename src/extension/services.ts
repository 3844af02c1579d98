/**
 * Everything behind the commands, built on first use (dist/services.js, a bundle of its own, so
 * activation loads none of it): keys, the model catalog and core client, the chat panel and its
 * controller, the offline switch, the editor proxy and the request log.
 */
import * as vscode from 'vscode';
import { KeyOrigins, KeyStore } from './keys';
import { checkKeysInSettings, clearApiKey, setApiKey } from './keyCommands';
import { ModelService } from './models';
import { providerOf, withheldKeyFor, type Catalog } from './catalog';
import { ollamaTag } from './chat/localModel';
import { discoverOllamaModels, type UsageRecord } from '../core';
import { pickModel } from './pickModel';
import { OfflineSwitch, probeOrigin, resolveOfflineModel, type OfflineChoice, type OfflinePolicy } from './offline';
import { EditorProxy } from './proxy';
import { formatUsageLine } from './requestLog';
import { askQuestion, codeContext, PROMPTS } from './selection';
import { ChatController } from './chat/controller';
import { ChatPanel } from './chat/panel';
import { ConversationStore } from './chat/store';
import { ContextAttachments } from './chat/attachments';
import { pickLargerModel } from './chat/largerModel';
import { EditorActions } from './chat/editorActions';
import { openInstructionFile, readInstructions, runThreadAction, searchConversationsCommand, watchInstructions } from './chat/threadCommands';
import { ReasoningEffort } from '../shared/protocol';
import { DEFAULT_MODEL_KEY, readDefaultModel, readSettings, readShowSpend, SECTION } from './settings';
import type { ModelStatusBar } from './statusBar';
import type { HostMessage } from '../shared/protocol';
import { LanguageModelBridge } from './lm/provider';
import { manageModels, useInVSCodeChat } from './lm/guide';
import { askCompareQuestion, pickCompareModels, rememberedCompareModels } from './chat/comparePick';
import { UsageStore } from './usage/store';
import { BudgetGuard } from './usage/guard';
import { UsageDashboard } from './usage/dashboard';

export interface Services {
  openChat(): Promise<void>;
  revivePanel(panel: vscode.WebviewPanel): void;
  pickModel(): Promise<string | undefined>;
  setApiKey(provider?: string): Promise<boolean>;
  clearApiKey(): Promise<boolean>;
  /** `question` comes from a keybinding's `args`; without it an input box asks. */
  askAboutSelection(question?: unknown): Promise<void>;
  explainSelection(): Promise<void>;
  fixSelection(): Promise<void>;
  addSelectionToChat(): Promise<void>;
  startProxy(): Promise<string>;
  stopProxy(): Promise<boolean>;
  /** A picker over the stored conversations, searched by text; opens the chosen one in the chat. */
  searchConversations(): Promise<void>;
  /** Leads through enabling AnyModel's models in VS Code's own Chat view. */
  useInVSCodeChat(): Promise<string>;
  /** The language model vendor's management command. */
  manageModels(): Promise<void>;
  /** Opens the chat in compare mode with the 2–4 models picked. */
  compareModels(): Promise<void>;
  /** Asks the compared models one question about the selection (or the file). */
  compareSelection(): Promise<void>;
  /** The usage dashboard. */
  showUsage(): Promise<void>;
  /** What VS Code's chat talks to (src/extension/lm/register.ts forwards to it). */
  readonly lm: LanguageModelBridge;
  /** The window closes: the history's pending write and the last OpenTelemetry spans go out. */
  close(): Promise<void>;
  /** For the integration tests: drive the chat as the webview does and see what it is sent. */
  readonly testing: {
    post(message: unknown): Promise<void>;
    onHostMessage(listener: (message: HostMessage) => void): vscode.Disposable;
    flush(): Promise<unknown>;
    refreshModels(): Promise<unknown>;
    /** Sends the finished OpenTelemetry spans now (anymodel.telemetry.otlpEndpoint). */
    flushTelemetry(): Promise<void>;
    proxyUrl(): string | undefined;
    /** SecretStorage through the extension's own store (the password box cannot be typed into from the host). */
    storeKey(envName: string, key: string): Promise<void>;
    hasKey(envName: string): Promise<boolean>;
    busy(): boolean;
    proxyKey(): Promise<string>;
    /** The warning about a key in settings.json is on screen, waiting for an answer. */
    keyPromptShown(): boolean;
    /** Today's spend in USD on the window's one client (the chat's and the proxy's). */
    spentToday(): number;
    /** Where the AnyModel output channel's log file is written. */
    logUri: vscode.Uri;
    /** The usage store, the budget refusal on screen (if any) and the dashboard's last summary. */
    usage: {
      dir: string;
      flush(): Promise<void>;
      spentToday(modelGroup?: string): number;
      asking(): { scope: string; limitUsd: number; spentUsd: number } | undefined;
      lastSummary(): unknown;
    };
  };
}

export async function createServices(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, statusBar: ModelStatusBar): Promise<Services> {
  const keys = new KeyStore(context.secrets);
  const keyOrigins = new KeyOrigins(context.globalState);
  const usage = await UsageStore.open({
    dir: vscode.Uri.joinPath(context.globalStorageUri, 'usage').fsPath,
    keepPrompts: () => readSettings().logPrompts,
    onWarning: (line) => log.warn(line),
  });
  const budget = new BudgetGuard(usage, context.globalState, log);
  const models = new ModelService(keys, log, (record) => {
    log.info(formatUsageLine(record));
    void usage.append(record);
    budget.afterUsage(record);
  }, () => keyOrigins.allowed());
  // The core's own budgets (a config file's max_budget) count today's spend from before a reload too.
  const today = new Date().toISOString().slice(0, 10);
  for (const r of (await usage.read({ from: today, to: today })).records) models.client.spend.add(r as UsageRecord);
  const dashboard = new UsageDashboard(context.extensionUri, usage, log);
  const showSpend = () => statusBar.setSpend(readShowSpend() ? { todayUsd: usage.spentToday(), limits: budget.limits() } : undefined);
  showSpend();
  context.subscriptions.push(dashboard, usage.onDidAppend(showSpend), vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${SECTION}.statusBar.showSpend`) || e.affectsConfiguration(`${SECTION}.budget`)) showSpend();
  }));
  const windowState = await windowMemento(context);
  const store = await ConversationStore.open(vscode.Uri.joinPath(context.globalStorageUri, 'conversations').fsPath, windowState, (line) => log.warn(line));
  const editorActions = new EditorActions(log);
  const hostListeners = new Set<(message: HostMessage) => void>();
  // eslint-disable-next-line prefer-const -- the offline switch reports to the controller built after it
  let controller: ChatController;
  const attachments = new ContextAttachments(windowState, (list) => controller.notify({ type: 'attachments', attachments: list }));
  context.subscriptions.push(attachments);
  const offline = new OfflineSwitch({
    recheckSeconds: () => readSettings().offlineRecheckSeconds,
    outageCheckMs: () => readSettings().connectTimeoutSeconds * 1000,
    probe: async (model) => {
      const catalog = await models.catalog();
      const deps = catalog.client.router.group(model);
      const bases = deps.length ? deps.map((d) => d.apiBase) : [catalog.models.find((m) => m.id === model)?.deployments[0]?.apiBase];
      for (const base of bases) if (base && await probeOrigin(base, readSettings().connectTimeoutSeconds * 1000)) return true;
      return false;
    },
    onChange: (notice) => {
      statusBar.setOffline(notice.active ? notice.model : undefined);
      log.info(notice.message);
      controller.notify({ type: 'offline', notice });
    },
  });
  const setModel = async (model: string): Promise<void> => {
    await vscode.workspace.getConfiguration(SECTION).update(DEFAULT_MODEL_KEY, model, vscode.ConfigurationTarget.Global);
  };
  const doSetKey = (provider?: string) => setApiKey(keys, log, provider);
  const doPick = () => pickModel(models, log, doSetKey);
  // One policy for the panel and VS Code's chat, so both switch to the same local model alike.
  const offlinePolicy: OfflinePolicy = {
    offlineModel: (catalog) => offlineChoice(catalog).model,
    autoOfflineSwitch: () => readSettings().autoOfflineSwitch,
  };
  controller = new ChatController({
    store,
    catalog: () => models.catalog(),
    modelOptions: () => models.options(),
    offline,
    currentModel: readDefaultModel,
    setModel,
    offlineModel: offlinePolicy.offlineModel,
    autoOfflineSwitch: offlinePolicy.autoOfflineSwitch,
    runAction: async (kind, model) => {
      if (kind === 'setKey') {
        const provider = providerOf((await models.catalog()).models, model);
        if (await doSetKey(provider)) await models.refresh();
      } else if (kind === 'allowKey') {
        await allowKey(await models.catalog(), model);
      } else if (kind === 'startOllama' || kind === 'pullModel') {
        await runOllama(kind, await models.catalog(), model);
      } else await doPick();
    },
    editorAction: (message) => editorActions.run(message),
    warn: (line) => log.warn(line),
    observe: (message) => { for (const l of hostListeners) l(message); },
    pickCompareModels: () => pickCompareModels(models, context.globalState),
    instructions: readInstructions,
    openInstructions: openInstructionFile,
    reasoningEffort: () => {
      const stored = ReasoningEffort.safeParse(context.globalState.get('anymodel.chat.reasoningEffort'));
      return stored.success ? stored.data : 'medium';
    },
    setReasoningEffort: (effort) => Promise.resolve(context.globalState.update('anymodel.chat.reasoningEffort', effort)),
    threadAction: (kind, conversation) => runThreadAction(kind, conversation, store, controller, log),
    admit: (model, free) => budget.admit(model, free),
    attachments,
    pickModelFor: async (tokens) => pickLargerModel(await models.catalog(), tokens, readDefaultModel(), setModel),
  });
  context.subscriptions.push(...watchInstructions(() => void controller.notifyInstructions()));
  const panel = new ChatPanel(context.extensionUri, controller);
  const lm = new LanguageModelBridge({ models, offline, policy: offlinePolicy, log, setKey: doSetKey, pickModel: doPick, admit: (model, free) => budget.admit(model, free) });
  context.subscriptions.push(lm);

  /** Asks (modal) whether the default key may go to the custom address; remembered per key and origin. */
  async function allowKey(catalog: Catalog, model: string): Promise<void> {
    const w = withheldKeyFor(catalog, model);
    if (!w) return;
    const allow = 'Allow';
    const choice = await vscode.window.showWarningMessage(
      `Send your ${w.envName} to ${w.origin}?`,
      { modal: true, detail: `${model} is served at ${w.origin}, which is not ${w.provider}'s own endpoint. AnyModel sends your stored or environment ${w.envName} there only if you allow it; it remembers the answer for this address. To use another key for it, set litellm_params.api_key to os.environ/NAME.` },
      allow, 'Don\'t Allow',
    );
    if (choice !== allow) return;
    await keyOrigins.allow(w.envName, w.origin);
    log.info(`Allowed ${w.envName} to be sent to ${w.origin} (for ${model}).`);
    await models.refresh();
  }

  /**
   * Opens a terminal with `ollama serve` or `ollama pull <tag>` (the user sees what runs), then
   * rebuilds the models once Ollama answers or lists the tag, so the chat's advice goes away.
   */
  async function runOllama(kind: 'startOllama' | 'pullModel', catalog: Catalog, model: string): Promise<void> {
    const tag = ollamaTag(catalog, model);
    if (kind === 'pullModel' && !tag) return;
    const terminal = vscode.window.createTerminal({ name: 'Ollama' });
    context.subscriptions.push(terminal);
    terminal.show();
    terminal.sendText(kind === 'startOllama' ? 'ollama serve' : `ollama pull ${tag}`);
    const base = catalog.discovery.ollamaBase;
    const done = async () => {
      const listed = await discoverOllamaModels(base, { timeoutMs: 1500 }).catch(() => undefined);
      return kind === 'startOllama' ? listed !== undefined : !!listed?.some((m) => m.name === tag || m.name === `${tag}:latest`);
    };
    // In the background, bounded: a pull of a large model may take minutes; past that, the picker's refresh does it.
    const deadline = Date.now() + (kind === 'startOllama' ? 60_000 : 15 * 60_000);
    void (async () => {
      while (Date.now() < deadline) {
        if (await done()) {
          await models.refresh();
          return;
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
  }

  const refreshModelsInView = () => void controller.notifyModels();
  context.subscriptions.push(
    keys, models, editorActions, panel, { dispose: () => offline.dispose() },
    models.onDidChange(refreshModelsInView),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${SECTION}.${DEFAULT_MODEL_KEY}`)) refreshModelsInView(); }),
  );
  // anymodel.offlineModel is checked when it is set (and once the models are listed), not when the
  // network is already gone: a name that matches no pulled model is shown once per distinct value.
  const warnedOffline = new Set<string>();
  const checkOfflineModel = async () => {
    const { problem } = offlineChoice(await models.catalog());
    if (!problem || warnedOffline.has(problem)) return;
    warnedOffline.add(problem);
    log.warn(problem);
    void vscode.window.showWarningMessage(`AnyModel: ${problem}`, 'Open Settings')
      .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.offlineModel`); });
  };
  void checkOfflineModel();
  context.subscriptions.push(
    models.onDidChange(() => void checkOfflineModel()),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${SECTION}.offlineModel`)) void checkOfflineModel(); }),
  );
  const proxy = new EditorProxy(models, keys, log);
  context.subscriptions.push(proxy);
  let keyPrompts = 0;
  const keyHooks = { onPrompt: (shown: boolean) => { keyPrompts += shown ? 1 : -1; } };
  void checkKeysInSettings(keys, log, keyHooks);
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${SECTION}.models`)) void checkKeysInSettings(keys, log, keyHooks);
  }));

  /** Sends code from the editor with an instruction; errors are shown, the text is never lost. */
  const sendCode = async (instruction: string | ((where: string) => Thenable<string | undefined>)): Promise<void> => {
    const ctx = codeContext(vscode.window.activeTextEditor);
    if (ctx instanceof Error) {
      void vscode.window.showWarningMessage(`AnyModel: ${ctx.message}`);
      return;
    }
    const question = typeof instruction === 'string' ? instruction : await instruction(ctx.where);
    if (question === undefined) return;
    await panel.show(true);
    try {
      await controller.sendFromCommand(`${question.trim()}\n\n${ctx.block}`);
    } catch (err) {
      void vscode.window.showWarningMessage(`AnyModel: ${(err as Error).message}`);
    }
  };

  return {
    openChat: () => panel.show(),
    revivePanel: (p) => panel.revive(p),
    pickModel: doPick,
    setApiKey: doSetKey,
    clearApiKey: () => clearApiKey(keys, log),
    askAboutSelection: (question) => sendCode(typeof question === 'string' && question.trim() ? question : askQuestion),
    explainSelection: () => sendCode(PROMPTS.explain),
    fixSelection: () => sendCode(PROMPTS.fix),
    addSelectionToChat: async () => {
      const ctx = codeContext(vscode.window.activeTextEditor);
      if (ctx instanceof Error) {
        void vscode.window.showWarningMessage(`AnyModel: ${ctx.message}`);
        return;
      }
      await panel.show();
      controller.notify({ type: 'setDraft', text: `${ctx.block}\n\n`, mode: 'append' });
    },
    startProxy: () => proxy.start(),
    stopProxy: () => proxy.stop(),
    searchConversations: () => searchConversationsCommand(store, async (id) => {
      await panel.show();
      await controller.openConversation(id);
    }),
    useInVSCodeChat: () => useInVSCodeChat({ models, log, setKey: doSetKey, pickModel: doPick }),
    manageModels: () => manageModels({ models, log, setKey: doSetKey, pickModel: doPick }),
    compareModels: async () => {
      await panel.show();
      await controller.compare.pickModels();
    },
    compareSelection: async () => {
      const ctx = codeContext(vscode.window.activeTextEditor);
      if (ctx instanceof Error) {
        void vscode.window.showWarningMessage(`AnyModel: ${ctx.message}`);
        return;
      }
      const known = (await models.catalog()).models.map((m) => m.id);
      const compared = rememberedCompareModels(context.globalState, known).length ? rememberedCompareModels(context.globalState, known) : await pickCompareModels(models, context.globalState);
      if (!compared) return;
      const question = await askCompareQuestion(ctx.where, compared);
      if (question === undefined) return;
      await panel.show(true);
      try {
        await controller.compare.startFromCommand(`${question.trim()}\n\n${ctx.block}`, compared);
      } catch (err) {
        void vscode.window.showWarningMessage(`AnyModel: ${(err as Error).message}`);
      }
    },
    showUsage: () => dashboard.show(),
    lm,
    close: async () => { await Promise.all([store.flush().catch(() => undefined), models.flushTelemetry()]); },
    testing: {
      post: (message) => controller.handle(message),
      onHostMessage: (listener) => {
        hostListeners.add(listener);
        return { dispose: () => hostListeners.delete(listener) };
      },
      flush: () => store.flush(),
      refreshModels: () => models.refresh(),
      flushTelemetry: () => models.flushTelemetry(),
      proxyUrl: () => proxy.url,
      storeKey: (envName, key) => keys.store(envName, key),
      hasKey: (envName) => keys.has(envName),
      busy: () => controller.busy,
      proxyKey: () => proxy.masterKey(),
      keyPromptShown: () => keyPrompts > 0,
      spentToday: () => models.client.spend.spentOn(new Date().toISOString().slice(0, 10)),
      logUri: context.logUri,
      usage: {
        dir: usage.dir,
        flush: () => usage.flush(),
        spentToday: (group) => usage.spentToday(group),
        asking: () => budget.asking,
        lastSummary: () => dashboard.lastSummary,
      },
    },
  };
}

/** What anymodel.offlineModel names in this catalog (see resolveOfflineModel). */
function offlineChoice(catalog: Catalog): OfflineChoice {
  const settings = readSettings();
  const isOllama = (m: Catalog['models'][number]) => m.deployments.length > 0 && m.deployments.every((d) => d.provider === 'ollama' || d.provider === 'ollama_chat');
  const discovered = catalog.models.filter((m) => m.source === 'ollama');
  // Pulled models first, as the first one is the choice when the setting is empty.
  const local = [...discovered, ...catalog.models.filter((m) => m.local && m.source !== 'ollama')]
    .map((m) => ({ id: m.id, ...(isOllama(m) ? { ollamaTag: m.deployments[0]!.model } : {}) }));
  // catalog.ts notes an Ollama that did not answer; then its tags are unknown, not empty.
  const answered = discovered.length > 0 || !catalog.notes.some((n) => n.startsWith('No local models listed'));
  const tags = answered ? discovered.map((m) => m.deployments[0]?.model ?? m.id) : undefined;
  return resolveOfflineModel(settings.offlineModel, catalog.models.map((m) => m.id), local, tags, settings.ollamaBaseUrl);
}

/**
 * Where the draft and the pending attachments live: workspaceState. VS Code echoes every
 * globalState write back to the extension host and replaces the whole memento with that echo, so
 * a draft saved while an earlier write is still in flight can be rolled back to the earlier value
 * (a sent question came back as the next chat's draft). workspaceState has no echo, and a draft
 * belongs to its window anyway (docs/architecture.md#the-draft). Values an earlier version kept in
 * globalState move over once.
 */
async function windowMemento(context: vscode.ExtensionContext): Promise<vscode.Memento> {
  for (const key of ['anymodel.chat.draft', 'anymodel.chat.attachments']) {
    const old = context.globalState.get<unknown>(key);
    if (old === undefined) continue;
    if (context.workspaceState.get<unknown>(key) === undefined) await context.workspaceState.update(key, old);
    await context.globalState.update(key, undefined);
  }
  return context.workspaceState;
}
