/**
 * The editor's side of the thread features: where the instruction files are read from (and when
 * to read them again), the clipboard and file dialogs behind copy / export / import, and the
 * `AnyModel: Search Conversations` picker. The rules themselves are in plain modules
 * (instructions.ts, transcript.ts, history-search.ts) tested without VS Code.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { SECTION } from '../settings';
import type { ChatController } from './controller';
import { searchConversations } from './history-search';
import { INSTRUCTION_FILES, loadInstructions, readFileStart, type Instructions } from './instructions';
import type { Conversation, ConversationStore } from './store';
import { parseExport, toExportJson, toMarkdown } from './transcript';

export function readInstructions(): Promise<Instructions> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const prompt = config.get<unknown>('systemPrompt');
  return loadInstructions({
    root: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    trusted: vscode.workspace.isTrusted,
    useFiles: config.get<unknown>('chat.useInstructionFiles') !== false,
    systemPrompt: typeof prompt === 'string' ? prompt : '',
    read: readFileStart,
  });
}

/** Calls `changed` when an instruction file, the settings or the workspace trust change. */
export function watchInstructions(changed: () => void): vscode.Disposable[] {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const watchers = folder
    ? INSTRUCTION_FILES.map((name) => vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, name)))
    : [];
  for (const w of watchers) { w.onDidCreate(changed); w.onDidChange(changed); w.onDidDelete(changed); }
  return [
    ...watchers,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.systemPrompt`) || e.affectsConfiguration(`${SECTION}.chat.useInstructionFiles`)) changed();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(changed),
  ];
}

export async function openInstructionFile(file: string): Promise<void> {
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
}

export async function runThreadAction(kind: 'copyMarkdown' | 'export' | 'import', conversation: Conversation | undefined, store: ConversationStore, controller: ChatController, log: vscode.LogOutputChannel): Promise<void> {
  if (kind === 'import') return importConversation(store, controller, log);
  if (!conversation || conversation.messages.length === 0) {
    void vscode.window.showInformationMessage('AnyModel: this conversation is empty; there is nothing to copy or export yet.');
    return;
  }
  if (kind === 'copyMarkdown') {
    await vscode.env.clipboard.writeText(toMarkdown(conversation));
    void vscode.window.showInformationMessage(`AnyModel: the conversation (${conversation.messages.length} messages) was copied as Markdown.`);
    return;
  }
  const name = `${(conversation.title || 'chat').replace(/[^\w.-]+/g, '-').slice(0, 40)}.anymodel-chat.json`;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Export Conversation', saveLabel: 'Export', filters: { 'AnyModel conversation': ['json'] },
    ...(base ? { defaultUri: vscode.Uri.joinPath(base, name) } : {}),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(toExportJson(conversation), 'utf8'));
  log.info(`Exported conversation ${conversation.id} to ${target.toString()}.`);
  void vscode.window.showInformationMessage(`AnyModel: conversation exported to ${vscode.workspace.asRelativePath(target)}.`);
}

/** Imports as a new conversation: a bad file is refused with what is wrong, nothing stored changes. */
async function importConversation(store: ConversationStore, controller: ChatController, log: vscode.LogOutputChannel): Promise<void> {
  const [source] = await vscode.window.showOpenDialog({ title: 'Import Conversation', openLabel: 'Import', canSelectMany: false, filters: { 'AnyModel conversation': ['json'] } }) ?? [];
  if (!source) return;
  const where = vscode.workspace.asRelativePath(source);
  let text: string;
  try {
    text = Buffer.from(await vscode.workspace.fs.readFile(source)).toString('utf8');
  } catch (err) {
    void vscode.window.showErrorMessage(`AnyModel: could not read ${where}: ${(err as Error).message}`);
    return;
  }
  const parsed = parseExport(text);
  if (!parsed.ok) {
    log.warn(`Import of ${where} refused: ${parsed.error}`);
    void vscode.window.showErrorMessage(`AnyModel: ${where} was not imported: ${parsed.error}`);
    return;
  }
  const conversation = store.create(parsed.conversation.title, `c-${randomUUID()}`);
  conversation.messages = parsed.conversation.messages;
  if (parsed.conversation.branches) conversation.branches = parsed.conversation.branches;
  await store.save(conversation);
  await controller.openConversation(conversation.id);
  void vscode.window.showInformationMessage(`AnyModel: imported "${conversation.title}" (${conversation.messages.length} messages).`);
}

/** `AnyModel: Search Conversations`: a picker over the stored conversations, searched by text. */
export async function searchConversationsCommand(store: ConversationStore, open: (id: string) => Promise<void>): Promise<void> {
  const all = await store.all();
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { id: string }>();
  pick.title = 'AnyModel: Search Conversations';
  pick.placeholder = all.length ? 'Type words that occur in the conversation' : 'No conversations yet';
  // Our own search decides what matches (every word, anywhere in the thread); the picker's filter would hide hits.
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  const show = (query: string) => {
    pick.items = searchConversations(all, query).map((hit) => ({
      id: hit.id, label: hit.title || 'Untitled chat', alwaysShow: true,
      description: `${new Date(hit.updatedAt).toLocaleString()}${hit.matches ? ` · ${hit.matches} message${hit.matches === 1 ? '' : 's'}` : ''}`,
      detail: hit.snippet,
    }));
  };
  show('');
  const chosen = await new Promise<string | undefined>((resolve) => {
    pick.onDidChangeValue(show);
    pick.onDidAccept(() => { resolve(pick.selectedItems[0]?.id); pick.hide(); });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (chosen) await open(chosen);
}
