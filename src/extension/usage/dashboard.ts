/**
 * The usage dashboard (`AnyModel: Show Usage`): a webview panel made like the chat panel (a strict
 * CSP with a per-load nonce, resources only from dist/ and media/), with its own bundle,
 * dist/usage.js. The host reads the usage store and adds it up (aggregate.ts); the webview only
 * draws the summary it is sent. It is sent again when a request is recorded while it is open,
 * and CSV export asks where to save in the host.
 */
import * as vscode from 'vscode';
import { buildWebviewHtml, createNonce } from '../../shared/html';
import { UsageWebviewMessage, type UsageHostMessage, type UsageSummary } from '../../shared/usage-protocol';
import { summarize, toCsv } from './aggregate';
import { dayBefore, utcDay, type UsageStore } from './store';

export const USAGE_VIEW_TYPE = 'anymodel.usage';
const DAYS = 30;

export class UsageDashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly appended: { dispose(): void };
  /** The last summary sent, for the tests. */
  lastSummary: UsageSummary | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly store: UsageStore, private readonly log: vscode.LogOutputChannel, private readonly now: () => number = Date.now) {
    // Requests recorded while the dashboard is open show up; a burst is one refresh.
    this.appended = store.onDidAppend(() => {
      if (!this.panel || this.refreshTimer) return;
      this.refreshTimer = setTimeout(() => { this.refreshTimer = undefined; void this.send(); }, 500);
    });
  }

  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      await this.send();
      return;
    }
    const panel = vscode.window.createWebviewPanel(USAGE_VIEW_TYPE, 'AnyModel Usage', vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    });
    const webview = panel.webview;
    const html = buildWebviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'usage.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'usage.css')).toString(),
      nonce: createNonce(),
      title: 'AnyModel Usage',
      appClass: 'usage-app',
    });
    this.panel = panel;
    this.ready = false;
    panel.iconPath = { light: vscode.Uri.joinPath(this.extensionUri, 'media', 'usage-light.svg'), dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'usage-dark.svg') };
    const listeners = [
      webview.onDidReceiveMessage((raw: unknown) => void this.handle(raw)),
      panel.onDidDispose(() => {
        for (const l of listeners) l.dispose();
        if (this.panel === panel) this.panel = undefined;
      }),
    ];
    webview.html = html;
  }

  private async handle(raw: unknown): Promise<void> {
    const parsed = UsageWebviewMessage.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`Usage dashboard: ignored a message that is not one it sends (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') this.ready = true;
    if (message.type === 'exportCsv') await this.exportCsv();
    else await this.send();
  }

  private range(): { from: string; to: string } {
    const to = utcDay(this.now());
    return { from: dayBefore(to, DAYS - 1), to };
  }

  private async send(): Promise<void> {
    if (!this.panel || !this.ready) return;
    await this.store.flush();
    const { records, damaged } = await this.store.read(this.range());
    if (damaged) this.log.warn(`Usage store: ${damaged} damaged line${damaged === 1 ? '' : 's'} skipped in ${this.store.dir}.`);
    const summary = summarize(records, { today: this.range().to, days: DAYS, damaged, storeDir: this.store.dir });
    this.lastSummary = summary;
    await this.post({ type: 'summary', summary });
  }

  private async exportCsv(): Promise<void> {
    await this.store.flush();
    const { from, to } = this.range();
    const { records } = await this.store.read({ from, to });
    const target = await vscode.window.showSaveDialog({
      title: 'Export AnyModel usage as CSV',
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.store.dir), `anymodel-usage-${from}-to-${to}.csv`),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(toCsv(records)));
    this.log.info(`Usage: ${records.length} records exported to ${target.fsPath}.`);
    await this.post({ type: 'exported', file: target.fsPath });
    void vscode.window.showInformationMessage(`AnyModel: ${records.length} usage records exported to ${target.fsPath}.`);
  }

  private async post(message: UsageHostMessage): Promise<void> {
    await this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.appended.dispose();
    this.panel?.dispose();
  }
}
