/**
 * The composer's attachments, on the host side (docs/architecture.md#context-attachments): files
 * (a QuickPick over the workspace, `#` mentions, drops from the Explorer), the active editor, the
 * selection, the Problems of a file, and images. Everything is read here, never in the webview:
 * only in a trusted workspace, only files of its folders, never binary files or files hidden by
 * `files.exclude`, `search.exclude` or the folder's `.gitignore`; each refusal says why. The
 * attachments wait here until a send takes them, and are kept in the memento so a reload or a
 * failed send loses none. The compare view takes them from here too.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import ignore, { type Ignore } from 'ignore';
import { minimatch } from 'minimatch';
import type { Attachment, MessageOf, WebviewMessage } from '../../shared/protocol';
import {
  MAX_READ_BYTES, forView, imageAttachment, imageFromDataUrl, imageType, isBinary, problemsAttachment, refused, textAttachment, type Problem,
} from './attachmentContent';

const PENDING_KEY = 'anymodel.chat.attachments';
const MAX_PENDING = 20;
/** A file bigger than this is not read at all (it would be cut to its first 100K characters anyway). */
const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** The workspace's file list is reused this long by the picker and `#` completion. */
const FILE_LIST_MS = 10_000;
const MAX_LISTED = 20_000;

export interface AttachmentMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

type AttachMessage = MessageOf<WebviewMessage, 'attach'>;
type MenuItem = vscode.QuickPickItem & { source: 'files' | 'activeFile' | 'selection' | 'problems' };
type FileItem = vscode.QuickPickItem & { uri: vscode.Uri };

const FILE_PICK_TITLE = 'AnyModel: Attach File';
const FILE_PICK_PLACEHOLDER = 'Type to find a file of the workspace';

export class ContextAttachments implements vscode.Disposable {
  private pending: Attachment[];
  /** The text editor the user was last in: the chat has the focus when its buttons are pressed. */
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private files: { at: number; uris: Promise<vscode.Uri[]> } | undefined;
  private readonly ignores = new Map<string, Promise<Ignore | undefined>>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly memento: AttachmentMemento, private readonly onChange: (attachments: Attachment[]) => void) {
    const saved = memento.get<unknown>(PENDING_KEY);
    this.pending = Array.isArray(saved) ? (saved as Attachment[]).filter((a) => typeof a?.id === 'string' && typeof a.name === 'string') : [];
    this.disposables = [
      vscode.window.onDidChangeActiveTextEditor((e) => { if (e && e.document.uri.scheme !== 'anymodel-proposal') this.lastEditor = e; }),
      vscode.workspace.onDidCreateFiles(() => { this.files = undefined; }),
      vscode.workspace.onDidDeleteFiles(() => { this.files = undefined; }),
      vscode.workspace.onDidRenameFiles(() => { this.files = undefined; }),
      vscode.workspace.onDidSaveTextDocument((d) => { if (path.posix.basename(d.uri.path) === '.gitignore') this.ignores.clear(); }),
    ];
  }

  /** The attachments waiting in the composer, as the webview shows them. */
  shown(): Attachment[] {
    return this.pending.map(forView);
  }

  tokens(): number {
    return this.pending.reduce((sum, a) => sum + a.tokens, 0);
  }

  /** Reads what the message asks for and adds it; throws an AnyModelError saying why not. */
  async attach(m: AttachMessage): Promise<void> {
    const added = await this.read(m);
    if (added.length === 0) return;
    if (this.pending.length + added.length > MAX_PENDING) throw refused(`At most ${MAX_PENDING} attachments go with one message: remove some first.`);
    // The same file twice is one attachment, the newer reading.
    const names = new Set(added.map((a) => `${a.kind}:${a.name}`));
    this.pending = [...this.pending.filter((a) => a.kind === 'image' || !names.has(`${a.kind}:${a.name}`)), ...added];
    await this.changed();
  }

  async remove(id: string): Promise<void> {
    this.pending = this.pending.filter((a) => a.id !== id);
    await this.changed();
  }

  /** The attachments `ids` name, in order, taken out of the composer; an Error when one is gone. */
  take(ids: readonly string[]): Attachment[] | Error {
    const taken = ids.map((id) => this.pending.find((a) => a.id === id));
    if (taken.some((a) => !a)) return new Error('An attachment of this message is no longer there (removed, or the window reloaded): attach it again, then send.');
    this.pending = this.pending.filter((a) => !ids.includes(a.id));
    void this.changed();
    return taken as Attachment[];
  }

  /** Puts back what a refused send took, so nothing attached is lost. */
  restore(attachments: readonly Attachment[]): void {
    const back = attachments.filter((a) => !this.pending.some((p) => p.id === a.id));
    this.pending = [...back, ...this.pending];
    void this.changed();
  }

  /** Workspace paths for a `#` mention: the file name matches first, then the path. */
  async mentions(query: string): Promise<string[]> {
    const q = query.toLowerCase();
    const paths = (await this.workspaceFiles()).map((u) => this.relative(u));
    const byName = paths.filter((p) => path.posix.basename(p).toLowerCase().startsWith(q));
    const byPath = paths.filter((p) => !byName.includes(p) && p.toLowerCase().includes(q));
    return [...byName.sort((a, b) => a.length - b.length), ...byPath.sort((a, b) => a.length - b.length)].slice(0, 12);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async changed(): Promise<void> {
    this.onChange(this.shown());
    await this.memento.update(PENDING_KEY, this.pending);
  }

  private async read(m: AttachMessage): Promise<Attachment[]> {
    switch (m.source) {
      case 'menu': return this.fromMenu();
      case 'files': return this.pickFiles();
      case 'activeFile': return [await this.activeFile()];
      case 'selection': return [this.selection()];
      case 'problems': return [await this.problems()];
      case 'path': {
        if (!m.path) throw refused('No file named to attach.');
        return [await this.readFile(await this.resolvePath(m.path))];
      }
      case 'uris': return Promise.all((m.uris ?? []).map((raw) => this.readFile(parseUri(raw))));
      case 'image': return [imageFromDataUrl(newId(), cleanName(m.name) || 'pasted image', m.dataUrl ?? '')];
    }
  }

  /**
   * The "+" button: one QuickPick over what can be attached, the editor's state in the
   * descriptions. "Files…" turns the same QuickPick into the file list rather than closing it and
   * opening another: closing hands the focus back to the chat webview, and when the webview took
   * it after the second picker had opened, that picker closed on the blur and the typed file
   * name went nowhere.
   */
  private async fromMenu(): Promise<Attachment[]> {
    const editor = this.editor();
    const file = editor ? this.relative(editor.document.uri) : undefined;
    const problems = editor ? vscode.languages.getDiagnostics(editor.document.uri).length : 0;
    const selection = editor && !editor.selection.isEmpty ? lineRange(editor.selection) : undefined;
    const items: MenuItem[] = [
      { source: 'files', label: '$(file) Files…', description: 'pick a file of the workspace' },
      { source: 'activeFile', label: '$(go-to-file) Active Editor', description: file ?? 'no editor open' },
      { source: 'selection', label: '$(selection) Selection', description: selection && file ? `${file} ${selection}` : 'nothing selected' },
      { source: 'problems', label: '$(warning) Problems', description: file ? `${problems} in ${file}` : 'no editor open' },
    ];
    const pick = await pickInSteps(items, { title: 'AnyModel: Attach to the Message', placeholder: 'What the model should see' }, async () => ({
      title: FILE_PICK_TITLE, placeholder: FILE_PICK_PLACEHOLDER, items: await this.fileItems(),
    }));
    if (!pick) return [];
    if ('uri' in pick) return [await this.readFile(pick.uri)];
    return this.read({ type: 'attach', source: pick.source });
  }

  private async pickFiles(): Promise<Attachment[]> {
    const pick = await vscode.window.showQuickPick(await this.fileItems(), { title: FILE_PICK_TITLE, placeHolder: FILE_PICK_PLACEHOLDER, matchOnDescription: true });
    return pick ? [await this.readFile(pick.uri)] : [];
  }

  private async fileItems(): Promise<FileItem[]> {
    const uris = await this.workspaceFiles();
    if (uris.length === 0) throw refused('No files to attach: open a folder, or check files.exclude, search.exclude and .gitignore.');
    return uris.map((uri) => ({ label: path.posix.basename(uri.path), description: this.relative(uri), uri }));
  }

  private editor(): vscode.TextEditor | undefined {
    const e = this.lastEditor;
    return e && !e.document.isClosed ? e : vscode.window.visibleTextEditors[0];
  }

  private async activeFile(): Promise<Attachment> {
    const editor = this.editor();
    if (!editor) throw refused('No editor is open: open the file to attach, or pick one with "Files…".');
    return this.readFile(editor.document.uri);
  }

  private selection(): Attachment {
    const editor = this.editor();
    if (!editor || editor.selection.isEmpty) throw refused('Nothing is selected: select code in the editor first.');
    const doc = editor.document;
    const { path: where } = this.checkedSync(doc.uri);
    return textAttachment({ id: newId(), kind: 'selection', path: where, range: lineRange(editor.selection), languageId: doc.languageId, text: doc.getText(editor.selection) });
  }

  private async problems(): Promise<Attachment> {
    const editor = this.editor();
    if (!editor) throw refused('No editor is open: open the file whose problems to attach.');
    const uri = editor.document.uri;
    await this.check(uri);
    const list: Problem[] = vscode.languages.getDiagnostics(uri).map((d) => ({
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: (['error', 'warning', 'info', 'hint'] as const)[d.severity] ?? 'info',
      message: d.message,
      ...(d.source ? { source: d.source } : {}),
      ...(d.code !== undefined ? { code: String(typeof d.code === 'object' ? d.code.value : d.code) } : {}),
    }));
    return problemsAttachment(newId(), this.relative(uri), list);
  }

  /** Reads a workspace file after every check; an open editor's unsaved text wins over the disk. */
  private async readFile(uri: vscode.Uri): Promise<Attachment> {
    const where = await this.check(uri);
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      throw refused(`${where} does not exist (any more).`);
    }
    if (stat.type & vscode.FileType.Directory) throw refused(`${where} is a folder: attach the files in it one by one.`);
    if (stat.size > MAX_FILE_BYTES) throw refused(`${where} is ${Math.round(stat.size / 1024 / 1024)} MB, too large to attach: select the part that matters and attach the selection.`);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const bytes = open ? undefined : await vscode.workspace.fs.readFile(uri);
    if (bytes && imageType(bytes)) return imageAttachment(newId(), where, bytes);
    if (bytes && isBinary(bytes)) throw refused(`${where} is a binary file; only text files and PNG, JPEG, GIF or WebP images can be attached.`);
    const text = open ? open.getText() : new TextDecoder().decode(bytes!.subarray(0, MAX_READ_BYTES));
    return textAttachment({
      id: newId(), kind: 'file', path: where, languageId: open?.languageId ?? languageOf(uri),
      text, totalChars: open ? undefined : bytes!.length > MAX_READ_BYTES ? bytes!.length : undefined,
    });
  }

  /** A `#` mention's path: relative to a workspace folder (`folder/path` in a multi-root workspace). */
  private async resolvePath(p: string): Promise<vscode.Uri> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) throw refused('No folder is open: open one to attach its files.');
    const clean = p.replace(/^#/, '').replace(/\\/g, '/');
    if (path.posix.isAbsolute(clean) || clean.split('/').includes('..')) throw refused(`${clean} is not a path inside the workspace.`);
    const [first, ...rest] = clean.split('/');
    const named = folders.length > 1 ? folders.find((f) => f.name === first) : undefined;
    return named ? vscode.Uri.joinPath(named.uri, ...rest) : vscode.Uri.joinPath(folders[0]!.uri, clean);
  }

  /** Trust and workspace membership, for text already open (a selection). */
  private checkedSync(uri: vscode.Uri): { path: string } {
    if (!vscode.workspace.isTrusted) throw refused(untrusted(this.relative(uri)));
    if (!vscode.workspace.getWorkspaceFolder(uri)) throw refused(outside(uri));
    return { path: this.relative(uri) };
  }

  /** Every check a file must pass; returns its workspace-relative path. */
  private async check(uri: vscode.Uri): Promise<string> {
    const { path: where } = this.checkedSync(uri);
    const folder = vscode.workspace.getWorkspaceFolder(uri)!;
    const rel = path.posix.relative(folder.uri.path, uri.path);
    if (rel === '' || rel.startsWith('../')) throw refused(outside(uri));
    const setting = excludedBy(rel, folder.uri);
    if (setting) throw refused(`${where} is hidden by your ${setting} setting, so it is not attached. Change the setting to attach it.`);
    if ((await this.gitignore(folder.uri))?.ignores(rel)) throw refused(`${where} is ignored by .gitignore, so it is not attached.`);
    return where;
  }

  private gitignore(folder: vscode.Uri): Promise<Ignore | undefined> {
    const key = folder.toString();
    let rules = this.ignores.get(key);
    if (!rules) {
      rules = Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, '.gitignore')))
        .then((bytes) => ignore().add(new TextDecoder().decode(bytes)), () => undefined);
      this.ignores.set(key, rules);
    }
    return rules;
  }

  /**
   * The workspace's files for the picker and `#` completion. findFiles applies the exclude glob
   * we give it instead of files.exclude, so both settings go in; .gitignore is applied after
   * (findFiles in VS Code 1.104 cannot be told to use ignore files).
   */
  private workspaceFiles(): Promise<vscode.Uri[]> {
    if (this.files && Date.now() - this.files.at < FILE_LIST_MS) return this.files.uris;
    const globs = [...excludeGlobs('files.exclude'), ...excludeGlobs('search.exclude')];
    const exclude = globs.length ? `{${globs.join(',')}}` : null;
    const uris = Promise.resolve(vscode.workspace.findFiles('**/*', exclude, MAX_LISTED)).then(async (found) => {
      const kept: vscode.Uri[] = [];
      for (const uri of found) {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        if (!folder) continue;
        if (!(await this.gitignore(folder.uri))?.ignores(path.posix.relative(folder.uri.path, uri.path))) kept.push(uri);
      }
      return kept.sort((a, b) => a.path.localeCompare(b.path));
    });
    this.files = { at: Date.now(), uris };
    return uris;
  }

  private relative(uri: vscode.Uri): string {
    return uri.scheme === 'untitled' ? uri.path : vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  }
}

/** The patterns a files.exclude-style setting turns on (`true`; a `when` clause counts as on). */
function excludeGlobs(setting: 'files.exclude' | 'search.exclude', scope?: vscode.Uri): string[] {
  const value = vscode.workspace.getConfiguration(undefined, scope).get<Record<string, unknown>>(setting) ?? {};
  return Object.entries(value).filter(([, on]) => on === true || (typeof on === 'object' && on !== null)).map(([glob]) => glob);
}

/** Which setting hides `rel` (or one of its folders), if any. */
function excludedBy(rel: string, folder: vscode.Uri): string | undefined {
  const parts = rel.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  for (const setting of ['files.exclude', 'search.exclude'] as const) {
    for (const glob of excludeGlobs(setting, folder)) {
      if (prefixes.some((p) => minimatch(p, glob, { dot: true }))) return setting;
    }
  }
  return undefined;
}

/**
 * A QuickPick of `menu` whose "files" row swaps in the file list (`files()`) in place; resolves
 * with the menu row or the file picked, undefined when dismissed, and rejects with what
 * `files()` threw (after closing).
 */
function pickInSteps(menu: MenuItem[], first: { title: string; placeholder: string }, files: () => Promise<{ title: string; placeholder: string; items: FileItem[] }>): Promise<MenuItem | FileItem | undefined> {
  const qp = vscode.window.createQuickPick<MenuItem | FileItem>();
  Object.assign(qp, { title: first.title, placeholder: first.placeholder, items: menu });
  return new Promise<MenuItem | FileItem | undefined>((resolve, reject) => {
    let listingFiles = false;
    qp.onDidAccept(() => {
      const picked = qp.activeItems[0];
      if (!picked || listingFiles) return;
      if (!('source' in picked) || picked.source !== 'files') { resolve(picked); qp.hide(); return; }
      listingFiles = true;
      qp.busy = true;
      files().then((next) => {
        Object.assign(qp, { title: next.title, placeholder: next.placeholder, matchOnDescription: true, value: '', items: next.items, busy: false });
        listingFiles = false;
      }, (error: unknown) => { reject(error); qp.hide(); });
    });
    qp.onDidHide(() => { resolve(undefined); qp.dispose(); });
    qp.show();
  });
}

function parseUri(raw: string): vscode.Uri {
  try {
    return vscode.Uri.parse(raw.trim(), true);
  } catch {
    throw refused(`Not a file that can be attached: ${raw.slice(0, 200)}`);
  }
}

function lineRange(s: vscode.Selection): string {
  const first = s.start.line + 1;
  const last = s.end.character === 0 && s.end.line > s.start.line ? s.end.line : s.end.line + 1;
  return first === last ? `line ${first}` : `lines ${first}–${last}`;
}

function languageOf(uri: vscode.Uri): string {
  return path.posix.extname(uri.path).slice(1).toLowerCase();
}

function cleanName(name: string | undefined): string {
  return (name ?? '').replace(/[\\/]/g, '_').trim().slice(0, 200);
}

function untrusted(where: string): string {
  return `This workspace is not trusted, and AnyModel reads files for the chat only in trusted workspaces: ${where} was not attached. Trust it with "Workspaces: Manage Workspace Trust".`;
}

function outside(uri: vscode.Uri): string {
  return `${uri.scheme === 'file' ? uri.fsPath : uri.toString(true)} is outside the workspace; only files of the open folders can be attached.`;
}

function newId(): string {
  return `att-${randomUUID()}`;
}
