/**
 * A conversation out of and into the editor: the whole thread as Markdown (for the clipboard) and
 * as a JSON file that can be imported again. The file is validated with zod on import; a file
 * that does not fit is refused with what is wrong in it, and nothing stored is touched.
 */
import * as z from 'zod/mini';
import { ChatMessage } from '../../shared/protocol';
import type { Branches } from './branches';

export const EXPORT_FORMAT = 'anymodel.conversation';
export const EXPORT_VERSION = 1;

export const BranchesSchema = z.record(z.string(), z.object({
  versions: z.array(z.nullable(z.array(ChatMessage))),
  active: z.int().check(z.nonnegative()),
}));

const ExportFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  title: z.string().check(z.maxLength(2_000)),
  updatedAt: z.number(),
  messages: z.array(ChatMessage).check(z.maxLength(10_000)),
  branches: z.optional(BranchesSchema),
});
export type ExportFile = z.infer<typeof ExportFile>;

export interface Transcript {
  title: string;
  updatedAt: number;
  messages: ChatMessage[];
  branches?: Branches;
}

export function toMarkdown(conversation: Transcript): string {
  const out = [`# ${conversation.title || 'Chat'}`];
  for (const m of conversation.messages) {
    if (m.role === 'notice') { out.push(`> ${m.text.replace(/\n/g, '\n> ')}`); continue; }
    if (m.role === 'user') { out.push('## You', m.text); continue; }
    out.push(`## AnyModel${m.model ? ` (${m.model})` : ''}`);
    if (m.reasoning?.text) out.push(`<details><summary>Thinking</summary>\n\n${m.reasoning.text.trim()}\n\n</details>`);
    if (m.text) out.push(m.text);
    if (m.error) out.push(`> Error: ${m.error.message}`);
  }
  return `${out.join('\n\n')}\n`;
}

export function toExportJson(conversation: Transcript): string {
  const file: ExportFile = {
    format: EXPORT_FORMAT, version: EXPORT_VERSION, title: conversation.title, updatedAt: conversation.updatedAt,
    messages: conversation.messages, ...(conversation.branches ? { branches: conversation.branches } : {}),
  };
  return JSON.stringify(file, null, 2);
}

/** Parses an exported file; the error names the first problems by their path in the file. */
export function parseExport(text: string): { ok: true; conversation: Transcript } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message})` };
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== EXPORT_FORMAT) return { ok: false, error: `not an AnyModel conversation: "format" must be "${EXPORT_FORMAT}"${format === undefined ? ', and it is missing' : ''}` };
  const parsed = ExportFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(file)'}: ${describe(i)}`);
    return { ok: false, error: problems.join('; ') };
  }
  const { title, updatedAt, messages, branches } = parsed.data;
  return { ok: true, conversation: { title, updatedAt, messages, ...(branches ? { branches } : {}) } };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_value') return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  if (issue.code === 'too_big') return `too long (at most ${issue.maximum})`;
  if (issue.code === 'too_small') return 'must not be empty';
  return issue.code.replace(/_/g, ' ');
}
