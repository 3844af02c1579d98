/**
 * The system prompt of the chat: `anymodel.systemPrompt`, then the instruction files developers
 * already keep at the workspace root (`AGENTS.md`, `.github/copilot-instructions.md`), when
 * `anymodel.chat.useInstructionFiles` is on. Files are read by the host only, only in a trusted
 * workspace (an untrusted repository must not steer the model), and cut at a size cap with a
 * note the header shows and the model reads: never silently.
 * Plain Node (the reader is passed in), so the rules are unit-tested without VS Code.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { InstructionsInfo } from '../../shared/protocol';

/** Looked for in this order, relative to the first workspace folder. */
export const INSTRUCTION_FILES = ['AGENTS.md', '.github/copilot-instructions.md'] as const;
/** About 8,000 tokens for all files together: instructions, not a second context window. */
export const MAX_INSTRUCTION_CHARS = 32_000;

export interface InstructionInputs {
  /** The first workspace folder's path; undefined without a folder. */
  root: string | undefined;
  trusted: boolean;
  useFiles: boolean;
  systemPrompt: string;
  /** Reads at most `maxChars` characters (plus one, to tell a cut); undefined when the file is absent. */
  read(file: string, maxChars: number): Promise<string | undefined>;
}

export interface Instructions {
  /** The system message, or undefined when there is nothing to say. */
  system: string | undefined;
  /** What the header shows; null when no instructions are in use. */
  info: InstructionsInfo | null;
  /** The files in use by name, for opening one when its badge is clicked. */
  paths: Map<string, string>;
}

export async function loadInstructions(inputs: InstructionInputs, maxChars = MAX_INSTRUCTION_CHARS): Promise<Instructions> {
  const parts: string[] = [];
  const setting = inputs.systemPrompt.trim();
  if (setting) parts.push(setting);
  const files: InstructionsInfo['files'] = [];
  const paths = new Map<string, string>();
  const notes: string[] = [];
  if (inputs.useFiles && inputs.root) {
    let budget = maxChars;
    for (const name of INSTRUCTION_FILES) {
      const file = path.join(inputs.root, name);
      if (!inputs.trusted) {
        // Only said when a file is there: an untrusted folder without one needs no note.
        if (await inputs.read(file, 0) !== undefined) notes.push(`${name} not used: the workspace is not trusted.`);
        continue;
      }
      const text = await inputs.read(file, budget);
      if (text === undefined || text.trim() === '') continue;
      const truncated = text.length > budget;
      const kept = truncated ? text.slice(0, budget) : text;
      budget -= kept.length;
      files.push({ name, truncated });
      paths.set(name, file);
      if (truncated) notes.push(`${name} was cut to ${kept.length.toLocaleString('en-US')} characters (instruction files are capped at ${maxChars.toLocaleString('en-US')}).`);
      parts.push(`Instructions from ${name}:\n\n${kept.trimEnd()}${truncated ? `\n\n[${name} continues; the rest was cut at the size cap.]` : ''}`);
    }
  }
  const info: InstructionsInfo | null = files.length || setting || notes.length
    ? { files, setting: setting !== '', ...(notes.length ? { note: notes.join(' ').slice(0, 2000) } : {}) }
    : null;
  return { system: parts.length ? parts.join('\n\n') : undefined, info, paths };
}

/** Reads the start of a file (UTF-8); undefined when it does not exist or is not a file. */
export async function readFileStart(file: string, maxChars: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
    if (!(await handle.stat()).isFile()) return undefined;
    // Up to 4 bytes a character, and one character more than asked, to tell that it was cut.
    const buffer = Buffer.alloc((maxChars + 1) * 4);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').slice(0, maxChars + 1);
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
