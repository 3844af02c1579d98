/**
 * Keeps the catalog (models + core client) current: rebuilt when an `anymodel.*` setting or a
 * stored key changes, so changes apply without a reload. The core client is one for the window:
 * each rebuild reconfigures it (spend, budgets, cooldowns and cache survive a model pick), and the
 * editor's proxy serves the same instance. Ollama and the gateway are asked again only when their
 * settings or the keys changed, or on an explicit refresh. Problems are logged once per distinct
 * text and shown once as a warning with a way to the log.
 */
import * as vscode from 'vscode';
import { AnyModelClient, buildConfig } from '../core';
import { buildCatalog, type Catalog, type Discovery } from './catalog';
import type { KeyStore } from './keys';
import { MODELS_KEY, SECTION, readDefaultModel, ollamaMaxContextTokens, readSettings } from './settings';
import type { UsageRecord } from '../core';
import type { ModelOption } from '../shared/protocol';
import { ClientTelemetry } from './telemetry';

export class ModelService implements vscode.Disposable {
  private current: Promise<Catalog> | undefined;
  private latestModels: ModelOption[] = [];
  private readonly reported = new Set<string>();
  /** What the last catalog served, to tell a real change from a rebuild that changed nothing. */
  private fingerprint = '';
  private readonly changed = new vscode.EventEmitter<Catalog>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private rebuildTimer: ReturnType<typeof setTimeout> | undefined;
  /** The window's one client; built empty, given its config by the first build. */
  readonly client = new AnyModelClient(buildConfig({ model_list: [] }, {}));
  private discovery: Discovery | undefined;
  /** The next scheduled rebuild asks Ollama and the gateway again. */
  private rediscover = false;
  /** OpenTelemetry for the client, when anymodel.telemetry.otlpEndpoint is set. */
  private readonly telemetry: ClientTelemetry;

  constructor(
    private readonly keys: KeyStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly onUsage: (record: UsageRecord) => void,
    /** `ENV_NAME@origin` pairs the user allowed a default key to go to (item kept in globalState). */
    private readonly allowedKeyOrigins: () => ReadonlySet<string> = () => new Set(),
  ) {
    this.telemetry = new ClientTelemetry(log);
    this.disposables.push(
      this.telemetry,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        if (e.affectsConfiguration(`${SECTION}.ollamaBaseUrl`) || e.affectsConfiguration(`${SECTION}.gatewayUrl`)) this.rediscover = true;
        this.scheduleRebuild();
      }),
      keys.onDidChange(() => { this.rediscover = true; this.scheduleRebuild(); }),
    );
  }

  /** The current catalog, built on first use. */
  catalog(): Promise<Catalog> {
    this.current ??= this.build(true);
    return this.current;
  }

  /** What the webview's model switch lists; empty until the first build finished. */
  options(): ModelOption[] {
    return this.latestModels;
  }

  /** Rebuilds now, asking Ollama and the gateway again (the picker's refresh, a test). */
  refresh(): Promise<Catalog> {
    return this.rebuild(true);
  }

  /** Sends the finished OpenTelemetry spans now, instead of with the exporter's next batch. */
  flushTelemetry(): Promise<void> {
    return this.telemetry.flush();
  }

  /** Builds after the one under way (if any), so the client is reconfigured in order. */
  private rebuild(rediscover: boolean): Promise<Catalog> {
    const previous = this.current;
    this.current = (previous ?? Promise.resolve()).catch(() => undefined).then(() => this.build(rediscover));
    return this.current;
  }

  private scheduleRebuild(): void {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    // Settings writes come in bursts (one per key of a JSON edit): build once after them.
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      const rediscover = this.rediscover;
      this.rediscover = false;
      void this.rebuild(rediscover);
    }, 150);
  }

  private async build(rediscover = true): Promise<Catalog> {
    const settings = readSettings();
    const telemetry = await this.telemetry.observers(settings);
    const catalog = await buildCatalog({
      settings,
      modelsSetting: vscode.workspace.getConfiguration(SECTION).get<unknown>(MODELS_KEY),
      defaultModel: readDefaultModel(),
      keyEnv: await this.keys.env(),
      processEnv: process.env,
      clientOptions: { logPrompts: settings.logPrompts, onUsage: this.onUsage, observers: telemetry.observers, connectTimeoutMs: settings.connectTimeoutSeconds * 1000, headersTimeoutMs: settings.firstByteTimeoutSeconds * 1000 || undefined, ollamaMaxContextTokens: ollamaMaxContextTokens() },
      client: this.client,
      discovery: rediscover ? undefined : this.discovery,
      allowedKeyOrigins: this.allowedKeyOrigins(),
    });
    this.discovery = catalog.discovery;
    this.latestModels = catalog.models.map((m) => ({ id: m.id, local: m.local, missingKey: m.missingKey, ...(m.reasoning ? { reasoning: true } : {}) }));
    this.report(telemetry.problem ? [...catalog.problems, telemetry.problem] : catalog.problems);
    for (const note of catalog.notes) if (!this.reported.has(note)) { this.reported.add(note); this.log.info(note); }
    // Any anymodel.* write rebuilds (a model pick too); only a different set of models or keys is news.
    const fingerprint = JSON.stringify([catalog.config, catalog.models.map((m) => [m.id, m.missingKey]), catalog.discovery.ollamaReachable]);
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.changed.fire(catalog);
    }
    return catalog;
  }

  private report(problems: string[]): void {
    const fresh = problems.filter((p) => !this.reported.has(p));
    for (const p of fresh) {
      this.reported.add(p);
      this.log.warn(p);
    }
    if (fresh.length === 0) return;
    void vscode.window.showWarningMessage(`AnyModel: ${fresh[0]}${fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : ''}. The other models keep working.`, 'Show Log', 'Open Settings')
      .then((choice) => {
        if (choice === 'Show Log') this.log.show(true);
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', '@ext:anymodel.anymodel');
      });
  }

  dispose(): void {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    for (const d of this.disposables) d.dispose();
  }
}
