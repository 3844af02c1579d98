/**
 * `anymodel.startProxy` / `anymodel.stopProxy`: the OpenAI-compatible proxy inside the extension
 * host, on 127.0.0.1, over the same models and keys as the chat. It always has a master key
 * (generated once, kept in SecretStorage), so other local programs and browser pages cannot use
 * the user's keys without it. The key is shown only when the user asks to copy it.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { startProxy, type RunningProxy } from '../proxy/start';
import type { KeyStore } from './keys';
import type { ModelService } from './models';
import { readSettings } from './settings';

const MASTER_KEY_SECRET = 'proxyMasterKey';

export class EditorProxy implements vscode.Disposable {
  private running: RunningProxy | undefined;
  private readonly item = vscode.window.createStatusBarItem('anymodel.proxy', vscode.StatusBarAlignment.Right, 99);

  private readonly listener: vscode.Disposable;

  constructor(private readonly models: ModelService, private readonly keys: KeyStore, private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'AnyModel: Proxy';
    this.item.command = 'anymodel.stopProxy';
    // Models or keys changed: serve the new set on the same port, so clients keep their URL.
    this.listener = models.onDidChange(() => void this.restart());
  }

  private async restart(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    await running.close(2000);
    try {
      const count = await this.launch(running.port);
      this.log.info(`Proxy restarted at ${this.url} with the changed models (${count}).`);
    } catch (err) {
      this.item.hide();
      this.log.error(`Proxy could not restart with the changed models: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`AnyModel: the proxy stopped and could not restart: ${(err as Error).message}`);
    }
  }

  get url(): string | undefined {
    return this.running ? `${this.running.url}/v1` : undefined;
  }

  async start(): Promise<string> {
    if (this.running) {
      void this.offerCopy(`AnyModel proxy is already running at ${this.url}.`);
      return this.url!;
    }
    const count = await this.launch(readSettings().proxyPort);
    const url = this.url!;
    this.log.info(`Proxy listening at ${url} (${count} models; requests need the proxy key).`);
    void this.offerCopy(`AnyModel proxy running at ${url}.`);
    return url;
  }

  /** Starts the server over the current catalog; resolves to the number of models it serves. */
  private async launch(port: number): Promise<number> {
    const catalog = await this.models.catalog();
    const running = await startProxy({
      config: catalog.config,
      host: '127.0.0.1',
      port,
      masterKey: await this.masterKey(),
      log: (line) => this.log.info(`proxy: ${line}`),
      clientOptions: { env: catalog.env, allowUnconfiguredModels: true },
    });
    this.running = running;
    this.item.text = `$(radio-tower) ${running.port}`;
    this.item.tooltip = `AnyModel proxy at ${this.url}. Click to stop it.`;
    this.item.accessibilityInformation = { label: `AnyModel proxy running on port ${running.port}. Stop proxy.` };
    this.item.show();
    return catalog.models.length;
  }

  async stop(): Promise<boolean> {
    const running = this.running;
    if (!running) {
      void vscode.window.showInformationMessage('AnyModel: the proxy is not running.');
      return false;
    }
    this.running = undefined;
    this.item.hide();
    await running.close(2000);
    this.log.info('Proxy stopped.');
    void vscode.window.showInformationMessage('AnyModel: proxy stopped.');
    return true;
  }

  /** The proxy's key: generated on first start, then reused so clients keep working across restarts. */
  async masterKey(): Promise<string> {
    let key = await this.keys.getOther(MASTER_KEY_SECRET);
    if (!key) {
      key = `sk-anymodel-${randomBytes(24).toString('base64url')}`;
      await this.keys.storeOther(MASTER_KEY_SECRET, key);
    }
    return key;
  }

  private async offerCopy(message: string): Promise<void> {
    const choice = await vscode.window.showInformationMessage(message, 'Copy Base URL', 'Copy Key', 'Stop');
    if (choice === 'Copy Base URL' && this.url) await vscode.env.clipboard.writeText(this.url);
    if (choice === 'Copy Key') await vscode.env.clipboard.writeText(await this.masterKey());
    if (choice === 'Stop') await this.stop();
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
    void this.running?.close(0);
  }
}
