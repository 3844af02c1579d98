/**
 * Attachments read by the host inside the real extension host (src/extension/chat/attachments.ts):
 * a workspace file by its `#` path, cut when large; binary files, files hidden by files.exclude or
 * .gitignore and files outside the workspace refused with a message naming why; `#` completion
 * lists only what may be attached; the selection and the Problems of the active editor attach.
 * The suite posts what the webview posts, through the extension's test hook.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Attachment, HostMessage, MessageOf, WebviewMessage } from '../../src/shared/protocol';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, waitFor } from './helpers';

describe('attachments (extension host)', function () {
  this.timeout(30_000);
  let services: Services;
  let seen: HostMessage[] = [];
  let listener: vscode.Disposable;
  let root: string;
  let outside: string;
  const diagnostics = vscode.languages.createDiagnosticCollection('anymodel-test');
  const G = vscode.ConfigurationTarget.Global;
  let n = 0;

  const write = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  /** Posts an attach request and resolves with the host's reply. */
  const attach = async (request: Omit<MessageOf<WebviewMessage, 'attach'>, 'type' | 'requestId'>) => {
    const requestId = `r-att-${++n}`;
    await services.testing.post({ type: 'attach', requestId, ...request });
    return waitFor(() => seen.find((m): m is MessageOf<HostMessage, 'reply'> => m.type === 'reply' && m.inReplyTo === requestId), `the reply to ${requestId}`);
  };
  const shown = (): Attachment[] => ([...seen].reverse().find((m) => m.type === 'attachments') as MessageOf<HostMessage, 'attachments'> | undefined)?.attachments ?? [];

  before(async () => {
    services = await anyModelExtension().exports.services();
    listener = services.testing.onHostMessage((m) => seen.push(m));
    root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    write('notes/plan.md', '# Plan\n\nShip the meter first.\n');
    write('assets/logo.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01]));
    write('.gitignore', 'dist/\n*.secret\n');
    write('dist/out.js', 'console.log(1);\n');
    write('keys.secret', 'nothing to see\n');
    write('generated/api.ts', 'export {};\n');
    write('logs/huge.log', `${'0123456789'.repeat(9)}\n`.repeat(4000));
    outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anymodel-outside-')), 'elsewhere.ts');
    fs.writeFileSync(outside, 'export const elsewhere = true;\n');
    await vscode.workspace.getConfiguration('files').update('exclude', { '**/generated': true }, G);
  });

  after(async () => {
    listener.dispose();
    diagnostics.dispose();
    await vscode.workspace.getConfiguration('files').update('exclude', undefined, G);
    for (const rel of ['notes', 'assets', 'dist', 'generated', 'logs', '.gitignore', 'keys.secret']) fs.rmSync(path.join(root, rel), { recursive: true, force: true });
    fs.rmSync(path.dirname(outside), { recursive: true, force: true });
    for (const a of shown()) await services.testing.post({ type: 'detach', id: a.id });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    for (const a of shown()) await services.testing.post({ type: 'detach', id: a.id });
    seen = [];
  });

  it('attaches a workspace file named by a # mention, with its content in the host only', async () => {
    const reply = await attach({ source: 'path', path: 'notes/plan.md' });
    assert.deepEqual([reply.ok, reply.error], [true, undefined]);
    const [chip] = shown();
    assert.equal(chip?.name, 'notes/plan.md');
    assert.equal(chip?.kind, 'file');
    assert.ok(chip && chip.tokens > 5);
    assert.equal(chip?.content, undefined, 'the view is not sent the content');
  });

  it('cuts a large file with a note on its chip', async () => {
    assert.equal((await attach({ source: 'path', path: 'logs/huge.log' })).ok, true);
    assert.match(shown()[0]?.note ?? '', /^cut to the first 1,098 lines \(99,918 of 364,000 characters\)$/);
  });

  it('refuses binary, excluded, ignored and outside files, each saying why, and attaches none of them', async () => {
    const refusals = [
      await attach({ source: 'path', path: 'assets/logo.bin' }),
      await attach({ source: 'path', path: 'generated/api.ts' }),
      await attach({ source: 'path', path: 'dist/out.js' }),
      await attach({ source: 'path', path: 'keys.secret' }),
      await attach({ source: 'uris', uris: [vscode.Uri.file(outside).toString()] }),
      await attach({ source: 'path', path: '../outside.ts' }),
    ];
    assert.deepEqual(refusals.map((r) => r.ok), [false, false, false, false, false, false]);
    const errors = refusals.map((r) => r.error ?? '');
    assert.match(errors[0]!, /^assets\/logo\.bin is a binary file; only text files and PNG, JPEG, GIF or WebP images can be attached\.$/);
    assert.match(errors[1]!, /^generated\/api\.ts is hidden by your files\.exclude setting, so it is not attached\./);
    assert.match(errors[2]!, /^dist\/out\.js is ignored by \.gitignore, so it is not attached\.$/);
    assert.match(errors[3]!, /^keys\.secret is ignored by \.gitignore/);
    assert.match(errors[4]!, /elsewhere\.ts is outside the workspace; only files of the open folders can be attached\.$/);
    assert.match(errors[5]!, /is not a path inside the workspace/);
    assert.deepEqual(shown(), []);
  });

  it('completes # mentions with workspace files only, not excluded or ignored ones', async () => {
    const requestId = `r-m-${++n}`;
    await services.testing.post({ type: 'mentionQuery', requestId, query: '' });
    const paths = (await waitFor(() => seen.find((m): m is MessageOf<HostMessage, 'mentions'> => m.type === 'mentions' && m.inReplyTo === requestId), 'mentions')).paths;
    assert.ok(paths.includes('notes/plan.md'), `listed: ${paths.join(', ')}`);
    assert.ok(!paths.some((p) => p.startsWith('dist/') || p.startsWith('generated/') || p === 'keys.secret'), `nothing ignored or excluded: ${paths.join(', ')}`);
    await services.testing.post({ type: 'mentionQuery', requestId: `${requestId}-b`, query: 'out' });
    const out = (await waitFor(() => seen.find((m): m is MessageOf<HostMessage, 'mentions'> => m.type === 'mentions' && m.inReplyTo === `${requestId}-b`), 'mentions')).paths;
    assert.deepEqual(out, [], 'dist/out.js is gitignored');
    await services.testing.post({ type: 'mentionQuery', requestId: `${requestId}-c`, query: 'pla' });
    const plan = (await waitFor(() => seen.find((m): m is MessageOf<HostMessage, 'mentions'> => m.type === 'mentions' && m.inReplyTo === `${requestId}-c`), 'mentions')).paths;
    assert.deepEqual(plan, ['notes/plan.md']);
    await services.testing.post({ type: 'mentionQuery', requestId: `${requestId}-d`, query: 'api' });
    const api = (await waitFor(() => seen.find((m): m is MessageOf<HostMessage, 'mentions'> => m.type === 'mentions' && m.inReplyTo === `${requestId}-d`), 'mentions')).paths;
    assert.deepEqual(api, [], 'generated/ is excluded');
  });

  it('attaches the selection and the Problems of the active editor', async () => {
    const uri = vscode.Uri.file(path.join(root, 'notes/plan.md'));
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(2, 0, 2, 21);
    diagnostics.set(uri, [
      new vscode.Diagnostic(new vscode.Range(2, 0, 2, 4), 'Ship what?', vscode.DiagnosticSeverity.Error),
      new vscode.Diagnostic(new vscode.Range(0, 0, 0, 6), 'Heading too short', vscode.DiagnosticSeverity.Warning),
    ]);
    assert.equal((await attach({ source: 'selection' })).ok, true);
    assert.equal((await attach({ source: 'problems' })).ok, true);
    assert.deepEqual(shown().map((a) => [a.kind, a.name]), [['selection', 'notes/plan.md line 3'], ['problems', 'Problems in notes/plan.md (1 error, 1 warning)']]);
    diagnostics.clear();
    const none = await attach({ source: 'problems' });
    assert.match(none.error ?? '', /^notes\/plan\.md has no problems to attach/);
  });
});
