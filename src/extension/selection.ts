/**
 * The editor commands that send code to the chat: ask, explain, fix, add to chat. They send the
 * selection with its file name, language and line range; without a selection, the whole file;
 * without an editor, they say what is missing.
 */
import * as vscode from 'vscode';

/** Big enough for a large source file, small enough not to send a minified bundle by accident. */
const MAX_CHARS = 200_000;

export interface CodeContext {
  /** Markdown: where the code is from, then the code in a fence. */
  block: string;
  /** For messages: `src/a.ts lines 3–9`. */
  where: string;
}

/** The selection (or the file) as a markdown block; an Error says what is missing. */
export function codeContext(editor: vscode.TextEditor | undefined): CodeContext | Error {
  if (!editor) return new Error('Open a file and select the code to send (or leave nothing selected to send the whole file).');
  const doc = editor.document;
  const selection = editor.selection;
  const whole = selection.isEmpty;
  const text = whole ? doc.getText() : doc.getText(selection);
  if (text.trim() === '') return new Error(whole ? `${fileName(doc)} is empty: select some code or open another file.` : 'The selection holds only whitespace: select some code.');
  if (text.length > MAX_CHARS) return new Error(`${whole ? fileName(doc) : 'The selection'} is ${Math.round(text.length / 1000)} K characters, more than ${MAX_CHARS / 1000} K: select the part to ask about.`);
  const first = whole ? 1 : selection.start.line + 1;
  // A selection ending at column 0 of a line does not include that line.
  const last = whole ? doc.lineCount : selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1;
  const lines = first === last ? `line ${first}` : `lines ${first}–${last}`;
  const where = whole ? `${fileName(doc)} (whole file)` : `${fileName(doc)} ${lines}`;
  // A fence longer than any backtick run inside the code, so the code cannot close it.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const block = `From \`${fileName(doc)}\` (${doc.languageId}), ${whole ? 'the whole file' : lines}:\n\n${fence}${doc.languageId}\n${text.replace(/\n$/, '')}\n${fence}`;
  return { block, where };
}

function fileName(doc: vscode.TextDocument): string {
  return doc.isUntitled ? doc.uri.path : vscode.workspace.asRelativePath(doc.uri, false);
}

export const PROMPTS = {
  explain: 'Explain what this code does, step by step, and point out anything surprising.',
  fix: 'Find the bugs in this code and fix them. Answer with the corrected code in one block, then list what you changed and why.',
} as const;

/** The question for `anymodel.askAboutSelection`; undefined when dismissed. */
export function askQuestion(where: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'AnyModel: Ask About Selection',
    prompt: `Your question about ${where}`,
    placeHolder: 'e.g. Why does this loop never end?',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Type a question, or press Escape.' : undefined),
  });
}
