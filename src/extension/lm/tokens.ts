/**
 * Token counts for VS Code's chat (it trims the conversation to `maxInputTokens` with them). These
 * are estimates, not tokenizer output: the exact tokenizers (OpenAI's o200k BPE ranks, Gemini's
 * SentencePiece model, Llama's) are megabytes of data each, too big for an extension bundle that
 * serves every provider, and Anthropic publishes none. The estimate counts the way BPE tokenizers
 * split text: a short word (with its leading space) is one token, a longer one about one per 4
 * letters (a bit less per token for Anthropic and Llama, whose vocabularies are smaller), digits
 * in groups of three, each punctuation mark or symbol one, each CJK character one, and images at
 * the providers' documented fixed or typical costs. It leans high on purpose:
 * an over-count trims a little early, an under-count sends a request the model refuses.
 */
import type * as vscode from 'vscode';

/** Characters per token of a plain word, per adapter family. */
const CHARS_PER_TOKEN: Record<string, number> = { openai: 4, azure: 4, gemini: 4, anthropic: 3.5, ollama: 3.6 };

/**
 * Tokens an image costs: OpenAI's high-detail 1024×1024 tile cost (765), Anthropic's
 * width×height/750 for a 1092×1092 image (about 1,600), Gemini's fixed 258 per image.
 * https://platform.openai.com/docs/guides/images-vision#calculating-costs
 * https://docs.anthropic.com/en/docs/build-with-claude/vision#calculate-image-costs
 * https://ai.google.dev/gemini-api/docs/tokens#multimodal-tokens
 */
const IMAGE_TOKENS: Record<string, number> = { openai: 765, azure: 765, anthropic: 1600, gemini: 258, ollama: 765 };

/** Per-message framing (role markers): OpenAI documents 3 tokens a message plus 3 for the reply. */
const MESSAGE_OVERHEAD = 4;

/** Words up to this length are mostly one token (with their leading space) in BPE vocabularies. */
const WHOLE_WORD = 6;

const PIECE = /[\p{L}\p{N}_]+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s\p{L}\p{N}_]/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function estimateTextTokens(text: string, family: string): number {
  const perToken = CHARS_PER_TOKEN[family] ?? 4;
  let tokens = 0;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    if (CJK.test(piece)) {
      // A run of CJK characters matched as a word: one token per character.
      tokens += [...piece].filter((c) => CJK.test(c)).length + Math.ceil([...piece].filter((c) => !CJK.test(c)).length / perToken);
    } else if (/^\p{N}+$/u.test(piece)) tokens += Math.ceil(piece.length / 3); // digits go in groups of up to 3
    else if (/^[\p{L}\p{N}_]/u.test(piece)) tokens += piece.length <= WHOLE_WORD ? 1 : Math.ceil(piece.length / perToken);
    else tokens += 1;
  }
  // Runs of whitespace beyond single spaces (indentation) cost tokens too: about one per 4.
  for (const run of text.matchAll(/\s{2,}/g)) tokens += Math.ceil(run[0].length / 4);
  return tokens;
}

/** Tokens of a string or a whole message (its text, tool calls, tool results and images). */
export function estimateTokens(input: string | vscode.LanguageModelChatRequestMessage, family: string): number {
  if (typeof input === 'string') return estimateTextTokens(input, family);
  let tokens = MESSAGE_OVERHEAD;
  for (const part of input.content) tokens += partTokens(part, family);
  return tokens;
}

function partTokens(part: unknown, family: string): number {
  if (typeof part !== 'object' || part === null) return typeof part === 'string' ? estimateTextTokens(part, family) : 0;
  const p = part as { value?: unknown; mimeType?: unknown; data?: unknown; name?: unknown; input?: unknown; content?: unknown };
  if (typeof p.value === 'string') return estimateTextTokens(p.value, family);
  if (typeof p.mimeType === 'string') {
    if (p.mimeType.startsWith('image/')) return IMAGE_TOKENS[family] ?? 765;
    if (p.data instanceof Uint8Array && /^(text\/|application\/json)/.test(p.mimeType)) return estimateTextTokens(Buffer.from(p.data).toString('utf8'), family);
    return 0;
  }
  if (typeof p.name === 'string' && 'input' in p) return estimateTextTokens(p.name, family) + estimateTextTokens(JSON.stringify(p.input ?? {}), family) + 3;
  if (Array.isArray(p.content)) return p.content.reduce((n: number, c) => n + partTokens(c, family), 3);
  if ('value' in p) return estimateTextTokens(JSON.stringify(p.value ?? ''), family);
  return 0;
}
