/**
 * What the chat's code blocks and links do in the editor: copy, insert at the cursor, apply as a
 * diff the user reviews first, and open a link after asking. The webview only asks; every check
 * is made again here (the link scheme, that a file is open, that it did not change under the diff).
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { safeLinkUrl } from '../../shared/links';
import type { MessageOf, WebviewMessage } from '../../shared/protocol';

const PROPOSAL_SCHEME = 'anymodel-proposal';

export class EditorActions implements vscode.Disposable {
  /** The text editor the user was last in: the chat panel has the focus when a button is pressed. */
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly proposals = new Map<string, string>();
  private readonly disposables: vscode.Disposable[];
  private nextProposal = 1;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables = [
      vscode.window.onDidChangeActiveTextEditor((editor) => { if (editor && editor.document.uri.scheme !== PROPOSAL_SCHEME) this.lastEditor = editor; }),
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, { provideTextDocumentContent: (uri) => this.proposals.get(uri.toString()) ?? '' }),
    ];
  }

  async run(message: MessageOf<WebviewMessage, 'copyCode' | 'insertCode' | 'applyCode' | 'openLink'>): Promise<void> {
    switch (message.type) {
      case 'copyCode':
        await vscode.env.clipboard.writeText(message.code);
        return;
      case 'insertCode': return this.insert(message.code);
      case 'applyCode': return this.apply(message.code);
      case 'openLink': return this.openLink(message.url);
    }
  }

  private editor(): vscode.TextEditor | undefined {
    const editor = this.lastEditor && vscode.window.visibleTextEditors.includes(this.lastEditor) ? this.lastEditor : vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme !== PROPOSAL_SCHEME);
    if (!editor) void vscode.window.showWarningMessage('AnyModel: open the file the code is for, put the cursor where it goes, then press the button again.');
    return editor;
  }

  private async insert(code: string): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    await editor.edit((edit) => { for (const s of editor.selections) edit.replace(s, code); });
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  }

  /** Shows the file next to the file with the code in place of the selection (or at the cursor), and applies it only on "Apply". */
  private async apply(code: string): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const document = editor.document;
    const range = editor.selection.isEmpty ? new vscode.Range(editor.selection.active, editor.selection.active) : new vscode.Range(editor.selection.start, editor.selection.end);
    const original = document.getText();
    const proposed = original.slice(0, document.offsetAt(range.start)) + code + original.slice(document.offsetAt(range.end));
    const name = path.basename(document.uri.path);
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${this.nextProposal++}/${name}` });
    this.proposals.set(proposalUri.toString(), proposed);
    const version = document.version;
    try {
      await vscode.commands.executeCommand('vscode.diff', document.uri, proposalUri, `${name} ↔ AnyModel proposal`, { preview: true });
      const choice = await vscode.window.showInformationMessage(`Apply the proposed change to ${name}?`, 'Apply', 'Discard');
      if (choice !== 'Apply') return;
      if (document.version !== version) {
        void vscode.window.showWarningMessage(`AnyModel: ${name} changed while the proposal was open; nothing was applied. Press Apply in the chat again to review the new diff.`);
        return;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, range, code);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code refused the edit to ${name}`);
      this.log.info(`Applied a code block from the chat to ${name}.`);
    } finally {
      this.proposals.delete(proposalUri.toString());
    }
  }

  private async openLink(raw: string): Promise<void> {
    const url = safeLinkUrl(raw);
    if (!url) {
      this.log.warn(`The chat asked to open a link that is not http(s) or mailto; not opened: ${raw.slice(0, 100)}`);
      void vscode.window.showWarningMessage('AnyModel: that link is not a web or mail link, so it was not opened.');
      return;
    }
    const choice = await vscode.window.showWarningMessage(`Open this link from the model's answer?\n${url}`, { modal: true }, 'Open');
    if (choice === 'Open') await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
