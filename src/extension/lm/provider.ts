/**
 * AnyModel's models in VS Code's own chat (the Chat view, inline chat, agent mode) through the
 * `LanguageModelChatProvider` API (final in VS Code 1.104). A bridge, like the chat controller:
 * the same catalog and long-lived client (router, fallbacks, budgets, response cache, one usage
 * line per request with its cost), the same offline switch, the same error wording. The README's
 * "AnyModel's models in VS Code's own chat" says what a user sees.
 */
import * as vscode from 'vscode';
import { AnyModelError, getPreset, isAnyModelError, type ChatMessage, type ChatRequest } from '../../core';
import type { Catalog, CatalogModel } from '../catalog';
import { chatError } from '../chat/chatError';
import type { ModelService } from '../models';
import { offlineTarget, type OfflinePolicy, type OfflineSwitch } from '../offline';
import { ResponseAssembler, toCoreMessages, toRequestParams } from './convert';
import { estimateTokens } from './tokens';

/** Context window assumed when neither the config's model_info nor the price catalog knows it. */
const UNKNOWN_CONTEXT = 32_768;
/** Output limit assumed when model_info gives none (Anthropic's adapter sends 4096 by default). */
const DEFAULT_MAX_OUTPUT = 4_096;

export interface AnyModelChatInformation extends vscode.LanguageModelChatInformation {
  /** Adapter family of the model's first deployment, for token estimates. */
  readonly adapterFamily: string;
}

export interface BridgeDeps {
  models: ModelService;
  offline: OfflineSwitch;
  policy: OfflinePolicy;
  log: vscode.LogOutputChannel;
  /** The "Set API Key" flow for a provider (resolves true when a key was stored). */
  setKey(provider?: string): Promise<boolean>;
  pickModel(): Promise<unknown>;
  /** The daily budgets (usage/guard.ts): resolves when the request may go, throws BudgetExceeded otherwise. */
  admit?(model: string, free: boolean): Promise<void>;
}

export class LanguageModelBridge implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when models or keys change: VS Code then asks for the model information again. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly loggedDrops = new Set<string>();
  private keyPromptShown = false;

  constructor(private readonly deps: BridgeDeps) {
    this.subscription = deps.models.onDidChange(() => this.changed.fire());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  async provideLanguageModelChatInformation(options: vscode.PrepareLanguageModelChatModelOptions): Promise<AnyModelChatInformation[]> {
    const catalog = await this.deps.models.catalog();
    const infos = catalog.models.map((m) => describe(m));
    const missing = catalog.models.filter((m) => m.missingKey);
    // Not silent: VS Code asks on the user's behalf (e.g. "Manage Language Models"), so offer the key.
    if (!options.silent && missing.length && !this.keyPromptShown) {
      this.keyPromptShown = true;
      const names = missing.map((m) => m.id).slice(0, 3).join(', ');
      void vscode.window.showInformationMessage(`AnyModel: ${missing.length === 1 ? `${names} needs` : `${missing.length} models (${names}${missing.length > 3 ? ', …' : ''}) need`} an API key before it can answer.`, 'Set API Key')
        .then(async (choice) => { if (choice && await this.deps.setKey(missing[0]!.provider)) await this.deps.models.refresh(); });
    }
    return infos;
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => abort.abort());
    if (token.isCancellationRequested) abort.abort();
    let catalog: Catalog | undefined;
    try {
      catalog = await this.deps.models.catalog();
      const converted = toCoreMessages(messages);
      for (const note of converted.notes) this.deps.log.debug(`VS Code chat → ${model.id}: ${note}`);
      const { params, dropped } = toRequestParams(options);
      for (const name of dropped) {
        if (this.loggedDrops.has(name)) continue;
        this.loggedDrops.add(name);
        this.deps.log.info(`VS Code chat: modelOptions.${name} dropped (AnyModel maps temperature, top_p, max_tokens, stop, seed, penalties, reasoning_effort and tool_choice).`);
      }
      if (!converted.messages.length) throw new AnyModelError({ kind: 'BadRequest', provider: 'anymodel', message: 'The request holds no text, image or tool result to send.' });
      await this.answer(catalog, model.id, converted.messages, params, progress, abort.signal, false);
    } catch (err) {
      if (abort.signal.aborted) return; // cancelled: VS Code stopped listening, nothing to report
      throw this.languageModelError(err, model.id, catalog);
    } finally {
      cancelled.dispose();
    }
  }

  async provideTokenCount(model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    const family = (model as Partial<AnyModelChatInformation>).adapterFamily ?? familyOf((await this.deps.models.catalog()).models.find((m) => m.id === model.id));
    return estimateTokens(text, family);
  }

  /** One answer; an outage of a cloud model before it started answers with the local model instead (offline.ts). */
  private async answer(catalog: Catalog, requested: string, messages: ChatMessage[], params: Omit<ChatRequest, 'model' | 'messages'>,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>, signal: AbortSignal, switched: boolean): Promise<void> {
    const route: { model: string; fallback?: unknown } = switched ? { model: requested } : this.deps.offline.route(requested);
    let handle;
    try {
      await this.deps.admit?.(route.model, catalog.models.find((m) => m.id === route.model)?.local ?? false);
      handle = await catalog.client.streamChat({ model: route.model, messages, ...params, stream: true }, { signal, usage: { source: 'vscode-chat', ...(switched || route.fallback ? { offline: true } : {}) } });
    } catch (err) {
      const local = switched || route.fallback ? undefined : offlineTarget(err, route.model, catalog, this.deps.policy);
      if (!local || signal.aborted) throw err;
      this.deps.offline.activate(route.model, local, isAnyModelError(err) ? err.message : String(err));
      return this.answer(catalog, local, messages, params, progress, signal, true);
    }
    const assembler = new ResponseAssembler((part) => progress.report(part));
    for await (const part of handle.parts) {
      if (signal.aborted) return; // leaving the loop closes the upstream connection
      const error = assembler.push(part);
      if (error) throw error;
    }
    if (signal.aborted) return;
    assembler.finish();
    if (!switched && !route.fallback) this.deps.offline.cloudAnswered(route.model);
  }

  /** The error VS Code shows, saying what to do; the fixes that need a click are offered as buttons too. */
  private languageModelError(err: unknown, model: string, catalog: Catalog | undefined): vscode.LanguageModelError {
    const { kind, message: chatMessage } = chatError(err, model);
    let message = chatMessage;
    const entry = catalog?.models.find((m) => m.id === model);
    if (entry?.local && (kind === 'APIConnection' || kind === 'Timeout')) {
      const base = entry.deployments[0]?.apiBase ?? 'its api_base';
      message = `${model} runs locally at ${base}, which does not answer: start it (for Ollama: "ollama serve"), or pick another model. (${chatMessage})`;
    } else if (kind === 'BudgetExceeded') {
      message = `${chatMessage} Pick a local model (free) meanwhile, or raise the budget in the settings (anymodel.budget.*) or the config file.`;
    }
    this.deps.log.warn(`VS Code chat → ${model}: ${kind}: ${message}`);
    const actions = kind === 'Authentication' ? ['Set API Key', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`AnyModel: ${message}`, ...actions).then(async (choice) => {
      if (choice === 'Set API Key' && await this.deps.setKey(entry?.provider)) await this.deps.models.refresh();
      if (choice === 'Show Log') this.deps.log.show(true);
    });
    if (kind === 'Authentication' || kind === 'PermissionDenied') return vscode.LanguageModelError.NoPermissions(message);
    if (kind === 'NotFound') return vscode.LanguageModelError.NotFound(message);
    if (kind === 'BudgetExceeded' || kind === 'ContentPolicyViolation') return vscode.LanguageModelError.Blocked(message);
    return new vscode.LanguageModelError(message);
  }
}

function familyOf(model: CatalogModel | undefined): string {
  if (!model) return 'openai';
  try {
    return getPreset(model.provider).adapter.family;
  } catch {
    return 'openai';
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** What VS Code's picker shows for one catalog model; capabilities are what every deployment can do. */
export function describe(m: CatalogModel): AnyModelChatInformation {
  const first = m.deployments[0];
  const caps = m.deployments.map((d) => {
    const declared = getPreset(d.provider).adapter.capabilities(d);
    const info = d.modelInfo ?? {};
    // LiteLLM's model_info flags narrow what the adapter can do to what this model can do.
    return {
      tools: declared.tools && info.supports_function_calling !== false,
      vision: declared.vision && info.supports_vision !== false,
    };
  });
  const context = m.contextWindow ?? UNKNOWN_CONTEXT;
  const maxOutput = Math.min(num(first?.modelInfo?.max_output_tokens) ?? DEFAULT_MAX_OUTPUT, Math.floor(context / 2));
  const price = m.local ? 'local, free, works offline' : m.price ? `$${fmt(m.price.input)} in / $${fmt(m.price.output)} out per million tokens` : 'cloud, price unknown';
  const where = m.deployments.length > 1 ? `${m.deployments.length} deployments (${[...new Set(m.deployments.map((d) => d.provider))].join(', ')})` : `${m.provider}/${first?.model ?? m.id}`;
  return {
    id: m.id,
    name: m.id,
    family: first?.model ?? m.id,
    version: m.provider,
    adapterFamily: familyOf(m),
    maxInputTokens: context - maxOutput,
    maxOutputTokens: maxOutput,
    detail: m.missingKey ? 'no API key: run "AnyModel: Set API Key"' : m.local ? 'local' : m.price ? `$${fmt(m.price.input)}/$${fmt(m.price.output)} per M` : 'cloud',
    tooltip: `${where} · ${price} · ${m.contextWindow ? `${m.contextWindow.toLocaleString('en-US')} tokens context` : 'context window unknown'}${m.missingKey ? ' · needs an API key: run "AnyModel: Set API Key"' : ''}. Routed by AnyModel (fallbacks, offline switch, budgets, cost in the AnyModel log).`,
    capabilities: { toolCalling: caps.every((c) => c.tools), imageInput: caps.every((c) => c.vision) },
  };
}

function fmt(usd: number): string {
  return usd >= 1 ? usd.toFixed(2).replace(/\.00$/, '') : usd.toPrecision(2);
}
