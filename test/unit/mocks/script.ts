/**
 * The scripted behaviour every provider mock follows, so one end-to-end suite can drive them all.
 * A mock reads its own wire format into a `Conversation`, asks `decide` what to answer, and writes
 * the answer back in its own wire format.
 */

export interface Conversation {
  lastUserText: string;
  /** Media types of the images in the last user turn. */
  imageTypes: string[];
  /** Names of the tools offered. */
  tools: string[];
  /** Content of the latest tool result, if the conversation holds one. */
  toolResult?: string;
}

export type Answer = { kind: 'text'; text: string } | { kind: 'tool'; name: string; args: { location: string } };

export const USAGE = { input: 11, output: 7, cached: 3 } as const;
export const TOOL_ARGS = { location: 'Paris' } as const;

export function decide(family: string, c: Conversation): Answer {
  if (c.toolResult !== undefined) return { kind: 'text', text: `Tool said: ${c.toolResult}` };
  if (c.tools.length) return { kind: 'tool', name: c.tools[0]!, args: { ...TOOL_ARGS } };
  if (c.imageTypes.length) return { kind: 'text', text: `I see ${c.imageTypes.length} image(s): ${c.imageTypes.join(', ')}` };
  return { kind: 'text', text: `Hello from ${family}: ${c.lastUserText}` };
}

/** Cuts an answer before the first stop sequence it contains, as the providers do (the sequence itself is not sent). */
export function cutAtStop(text: string, stops: unknown): { text: string; matched?: string } {
  const list = typeof stops === 'string' ? [stops] : Array.isArray(stops) ? stops.filter((s): s is string => typeof s === 'string' && s !== '') : [];
  let best: { at: number; stop: string } | undefined;
  for (const stop of list) {
    const at = text.indexOf(stop);
    if (at >= 0 && (!best || at < best.at)) best = { at, stop };
  }
  return best ? { text: text.slice(0, best.at), matched: best.stop } : { text };
}

/** Splits a text into `n` roughly equal pieces (at least one character each), for streaming. */
export function pieces(text: string, n = 3): string[] {
  const chars = [...text];
  const size = Math.max(1, Math.ceil(chars.length / n));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** The embedding every mock returns for an input string. */
export const embeddingOf = (s: string) => [s.length, 0.5, -0.25];

/** Media type of a base64 image, from its magic bytes (what a real API inspects). */
export function sniffImage(base64: string): string {
  const b = Buffer.from(base64.slice(0, 16), 'base64');
  if (b[0] === 0x89 && b[1] === 0x50) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b.subarray(0, 3).toString() === 'GIF') return 'image/gif';
  return 'application/octet-stream';
}
