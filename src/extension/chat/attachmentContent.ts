/**
 * What an attachment holds and how the model gets it, without `vscode` (so it runs in unit
 * tests): binary files refused, large files cut at a line with a note on the chip and in the
 * text, problems as a list, images checked by their bytes and re-encoded as a `data:` URL the
 * host made (docs/architecture.md#context-attachments). attachments.ts does the editor's part:
 * workspace trust, excludes, .gitignore, reading.
 */
import { estimatePromptTokens, imageTokenEstimate, AnyModelError } from '../../core';
import type { ContentPart } from '../../core';
import { MAX_IMAGE_BYTES, type Attachment, type ChatMessage } from '../../shared/protocol';

/** About 25K tokens: a large source file whole, a minified bundle or a log cut. */
export const MAX_ATTACHMENT_CHARS = 100_000;
/** What is read of a file at most; beyond this it is cut anyway. */
export const MAX_READ_BYTES = 4 * MAX_ATTACHMENT_CHARS;

export function refused(message: string): AnyModelError {
  return new AnyModelError({ kind: 'BadRequest', provider: 'anymodel', message });
}

/** A NUL byte in the first 8 KB, or bytes that are not UTF-8: what git and VS Code call binary. */
export function isBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  try {
    // A multi-byte character cut by the 8 KB boundary is not a sign of binary: `stream` keeps it pending.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}

export interface TextSource {
  id: string;
  kind: 'file' | 'selection';
  /** Workspace-relative path (the chip and the model see it). */
  path: string;
  /** `lines 3–9` for a selection. */
  range?: string;
  languageId: string;
  text: string;
  /** The file was longer than what was read (MAX_READ_BYTES). */
  totalChars?: number;
}

/** A file or selection as an attachment: cut at a line when too long, with a note saying so. */
export function textAttachment(source: TextSource): Attachment {
  const total = source.totalChars ?? source.text.length;
  let text = source.text;
  let note: string | undefined;
  if (text.length > MAX_ATTACHMENT_CHARS || total > text.length) {
    const cutAt = text.lastIndexOf('\n', MAX_ATTACHMENT_CHARS);
    text = text.slice(0, cutAt > MAX_ATTACHMENT_CHARS / 2 ? cutAt + 1 : MAX_ATTACHMENT_CHARS);
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    note = `cut to the first ${lines.toLocaleString('en-US')} lines (${text.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} characters)`;
  }
  const name = source.range ? `${source.path} ${source.range}` : source.path;
  const fence = fenceFor(text);
  const content = `${source.kind === 'selection' ? 'Selected code from' : 'File'} \`${name}\`${note ? ` (${note})` : ''}:\n\n${fence}${source.languageId}\n${text.replace(/\n$/, '')}\n${fence}`;
  return { id: source.id, kind: source.kind, name, tokens: tokensOf(content), content, ...(note ? { note } : {}) };
}

export interface Problem {
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  source?: string;
  code?: string;
}

/** The Problems of one file as a list the model can read, errors first. */
export function problemsAttachment(id: string, path: string, problems: readonly Problem[]): Attachment {
  if (problems.length === 0) throw refused(`${path} has no problems to attach (the Problems view lists none for it).`);
  const order = { error: 0, warning: 1, info: 2, hint: 3 };
  const sorted = [...problems].sort((a, b) => order[a.severity] - order[b.severity] || a.line - b.line);
  const lines = sorted.map((p) => `- ${path}:${p.line}:${p.column} ${p.severity}: ${p.message.replace(/\s+/g, ' ').trim()}${p.source || p.code ? ` (${[p.source, p.code].filter(Boolean).join(' ')})` : ''}`);
  let content = `Problems VS Code reports in \`${path}\` (${problems.length}):\n\n${lines.join('\n')}`;
  let note: string | undefined;
  if (content.length > MAX_ATTACHMENT_CHARS) {
    content = content.slice(0, content.lastIndexOf('\n', MAX_ATTACHMENT_CHARS));
    note = `cut to the first ${content.split('\n').length - 2} of ${problems.length} problems`;
  }
  const counts = (['error', 'warning'] as const).map((s) => [s, problems.filter((p) => p.severity === s).length] as const).filter(([, n]) => n > 0);
  const summary = counts.length ? counts.map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`).join(', ') : `${problems.length} notes`;
  return { id, kind: 'problems', name: `Problems in ${path} (${summary})`, tokens: tokensOf(content), content, ...(note ? { note } : {}) };
}

const IMAGE_TYPES: readonly [string, (b: Uint8Array) => boolean][] = [
  ['image/png', (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/gif', (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38],
  ['image/webp', (b) => String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP'],
];

/** The media type the bytes are (PNG, JPEG, GIF, WebP: what every vision provider takes), or undefined. */
export function imageType(bytes: Uint8Array): string | undefined {
  return IMAGE_TYPES.find(([, test]) => bytes.length >= 12 && test(bytes))?.[0];
}

/** An image from its bytes: the type read from the bytes, never from a name or a claimed type. */
export function imageAttachment(id: string, name: string, bytes: Uint8Array): Attachment {
  const type = imageType(bytes);
  if (!type) throw refused(`${name} is not a PNG, JPEG, GIF or WebP image, the formats models read.`);
  if (bytes.length > MAX_IMAGE_BYTES) throw refused(`${name} is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; images up to ${MAX_IMAGE_BYTES / 1024 / 1024} MB can be sent (the Anthropic limit). Make it smaller and paste it again.`);
  const dataUrl = `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
  return { id, kind: 'image', name, tokens: imageTokenEstimate(dataUrl), dataUrl };
}

/** An image the webview pasted or dropped, as a data URL: decoded, checked and made again here. */
export function imageFromDataUrl(id: string, name: string, dataUrl: string): Attachment {
  const match = /^data:[^;,]*;base64,([A-Za-z0-9+/]*={0,2})$/.exec(dataUrl);
  if (!match) throw refused(`${name} did not arrive as an image (expected base64 image data).`);
  return imageAttachment(id, name, Buffer.from(match[1]!, 'base64'));
}

/**
 * A user message as the core wants it: the attached text first (the question refers to it),
 * then the question, then images as image parts, which each adapter turns into its provider's
 * format. Plain text when nothing is attached.
 */
export function userContent(text: string, attachments: readonly Attachment[] | undefined): string | ContentPart[] {
  if (!attachments?.length) return text;
  const parts: ContentPart[] = [];
  for (const a of attachments) if (a.kind !== 'image' && a.content) parts.push({ type: 'text', text: a.content });
  parts.push({ type: 'text', text });
  for (const a of attachments) if (a.kind === 'image' && a.dataUrl) parts.push({ type: 'image_url', image_url: { url: a.dataUrl } });
  return parts;
}

/** An attachment as the webview gets it: everything but the content, which stays in the host. */
export function forView(a: Attachment): Attachment {
  const { content: _content, ...shown } = a;
  return shown;
}

/** A message as the view gets it: attachments without their content (it stays in the host). */
export function viewMessage(m: ChatMessage): ChatMessage {
  return m.attachments ? { ...m, attachments: m.attachments.map(forView) } : m;
}

function tokensOf(text: string): number {
  return estimatePromptTokens([{ role: 'user', content: text }]);
}

/** A fence longer than any backtick run in the text, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}
