/**
 * The chat webview panel: one per window, revived after a reload by the serializer registered at
 * activation. Scripts only with a per-load nonce, resources only from dist/ and media/
 * (vscode-extension-samples/webview-sample); every message is handed to the controller, which
 * validates it. Not kept alive while hidden: the view asks for the state again when shown.
 */
import * as vscode from 'vscode';
import { buildWebviewHtml, createNonce } from '../../shared/html';
import type { ChatController } from './controller';
import { CHAT_VIEW_TYPE } from './viewType';

export class ChatPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private listeners: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly controller: ChatController) {}

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  /** Opens the panel, or brings it forward; resolves once the view is ready for messages. */
  async show(preserveFocus = false): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
    } else {
      const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      this.setUp(vscode.window.createWebviewPanel(CHAT_VIEW_TYPE, 'AnyModel Chat', { viewColumn: column, preserveFocus }, this.options()));
    }
    await this.controller.whenReady();
  }

  /** A panel VS Code restored after a reload. */
  revive(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    panel.webview.options = this.options();
    this.setUp(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private setUp(panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    // Built first: if it throws, no half-set-up panel waits forever for a `ready` that cannot come.
    let html: string;
    try {
      html = buildWebviewHtml({
        cspSource: webview.cspSource,
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'chat.css')).toString(),
        nonce: createNonce(),
      });
    } catch (err) {
      panel.dispose();
      throw err;
    }
    this.panel = panel;
    // The codicon as files: this VS Code API takes URIs, not ThemeIcons, for panel icons.
    panel.iconPath = { light: vscode.Uri.joinPath(this.extensionUri, 'media', 'chat-light.svg'), dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'chat-dark.svg') };
    this.controller.attach((message) => void webview.postMessage(message));
    this.listeners = [
      webview.onDidReceiveMessage((message: unknown) => this.controller.handle(message).catch((err: Error) => {
        void vscode.window.showErrorMessage(`AnyModel: ${err.message}`);
      })),
      panel.onDidChangeViewState(() => { if (!panel.visible) this.controller.detachUntilReady(); }),
      panel.onDidDispose(() => {
        this.controller.detach();
        for (const l of this.listeners) l.dispose();
        this.listeners = [];
        if (this.panel === panel) this.panel = undefined;
      }),
    ];
    webview.html = html;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
