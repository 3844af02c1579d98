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

  constructor(private readonly models: ModelService, private readonly keys: KeyStore, private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'AnyModel: Proxy';
    this.item.command = 'anymodel.stopProxy';
  }

  get url(): string | undefined {
    return this.running ? `${this.running.url}/v1` : undefined;
  }

  async start(): Promise<string> {
    if (this.running) {
      void this.offerCopy(`AnyModel proxy is already running at ${this.url}.`);
      return this.url!;
    }
    const catalog = await this.models.catalog();
    const masterKey = await this.masterKey();
    const port = readSettings().proxyPort;
    this.running = await startProxy({
      config: catalog.config,
      host: '127.0.0.1',
      port,
      masterKey,
      log: (line) => this.log.info(`proxy: ${line}`),
      clientOptions: { env: catalog.env, allowUnconfiguredModels: true },
    });
    const url = this.url!;
    this.log.info(`Proxy listening at ${url} (${catalog.models.length} models; requests need the proxy key).`);
    this.item.text = `$(radio-tower) ${this.running.port}`;
    this.item.tooltip = `AnyModel proxy at ${url}. Click to stop it.`;
    this.item.accessibilityInformation = { label: `AnyModel proxy running on port ${this.running.port}. Stop proxy.` };
    this.item.show();
    void this.offerCopy(`AnyModel proxy running at ${url}.`);
    return url;
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
    this.item.dispose();
    void this.running?.close(0);
  }
}
