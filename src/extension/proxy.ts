/**
 * `anymodel.startProxy` / `anymodel.stopProxy`: the OpenAI-compatible proxy inside the extension
 * host, on 127.0.0.1, over the same models and keys as the chat. It serves the chat's own client
 * (one spend ledger, one set of budgets, cooldowns and cache for the window): when models or keys
 * change, that client is reconfigured and the proxy serves the new set on the same port without a
 * restart. It always has a master key (generated once, kept in SecretStorage), so other local
 * programs and browser pages cannot use the user's keys without it. The key is shown only when
 * the user asks to copy it.
 */
import * as vscode from 'vscode';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createProxyServer, type ProxyServer } from '../proxy/server';
import type { KeyStore } from './keys';
import type { ModelService } from './models';
import { readSettings } from './settings';

const MASTER_KEY_SECRET = 'proxyMasterKey';

interface Running {
  server: ProxyServer;
  port: number;
  url: string;
}

export class EditorProxy implements vscode.Disposable {
  private running: Running | undefined;
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
    const count = await this.launch(readSettings().proxyPort);
    const url = this.url!;
    this.log.info(`Proxy listening at ${url} (${count} models; requests need the proxy key).`);
    void this.offerCopy(`AnyModel proxy running at ${url}.`);
    return url;
  }

  /** Starts the server over the window's client; resolves to the number of models it serves. */
  private async launch(port: number): Promise<number> {
    const catalog = await this.models.catalog();
    const server = createProxyServer({
      client: catalog.client,
      masterKey: await this.masterKey(),
      maxBodyBytes: catalog.config.settings.maxRequestBytes,
      log: (line) => this.log.info(`proxy: ${line}`),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'EADDRINUSE' ? `Port ${port} on 127.0.0.1 is already in use` : `Cannot listen on 127.0.0.1:${port}: ${err.message}`)));
      server.listen(port, '127.0.0.1', resolve);
    });
    const actual = (server.address() as AddressInfo).port;
    const running: Running = { server, port: actual, url: `http://127.0.0.1:${actual}` };
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
    await close(running.server, 2000, (line) => this.log.info(line));
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
    if (this.running) void close(this.running.server, 0, (line) => this.log.info(line));
  }
}

/**
 * Stops accepting, lets open requests finish for up to `graceMs`, then cuts what is left the way
 * the CLI's proxy does (src/proxy/start.ts): each stream ends with a `server_shutdown` error event,
 * each unanswered request gets a 503, and the log says how many.
 */
async function close(server: ProxyServer, graceMs: number, log: (line: string) => void): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.beginShutdown();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => { timer = setTimeout(resolve, graceMs, false); })]);
  clearTimeout(timer);
  if (drained) return;
  const seconds = `${+(graceMs / 1000).toFixed(1)} s`;
  const cut = server.cutOpen(`The AnyModel proxy is shutting down: this answer was cut after the ${seconds} grace period`);
  log(`proxy: shutdown: cut ${cut.streams} stream(s) and ${cut.requests} request(s) still open after the ${seconds} grace period`);
  // A client that stopped reading would hold its connection open for ever: close what is left after a moment.
  const force = setTimeout(() => server.closeAllConnections(), 1000);
  force.unref();
  await closed;
  clearTimeout(force);
}
