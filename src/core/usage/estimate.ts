/**
 * The prompt size estimate the router's pre-call context window check uses. Text counts at about
 * four characters a token; an image counts as the providers bill it, not as the length of its
 * base64 (a 300 KB screenshot is ~400K characters of base64 but under 2K tokens):
 * - OpenAI (https://platform.openai.com/docs/guides/images-vision, "Calculating costs"): `low`
 *   detail is 85 tokens; otherwise the image is fitted into 2048×2048, its short side scaled to
 *   768, and it costs 85 + 170 per 512-pixel tile;
 * - Anthropic (https://docs.anthropic.com/en/docs/build-with-claude/vision): about w×h/750
 *   tokens after it is scaled to fit 1568 pixels on the long edge, which caps it near 1,600.
 * The estimate runs before a deployment is picked, and a group may mix providers, so an image
 * counts as the larger of the two. When its size cannot be read (a remote URL, a format other than
 * PNG, JPEG or GIF) it counts as 1,600 tokens, the most either method gives.
 */
import type { ChatMessage, ChatRequest } from '../types/request';

/** What an image of unknown size counts as: the Anthropic cap, above OpenAI's 765 for a 1024² image. */
export const UNKNOWN_IMAGE_TOKENS = 1600;

const CHARS_PER_TOKEN = 4;

/** Estimated prompt tokens for a list of chat messages. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let imageTokens = 0;
  // Image parts are replaced by a short stand-in before the text is measured; the rest of the
  // message (roles, tool calls, names) counts as its JSON, as before.
  const text = JSON.stringify(messages, (key, value: unknown) => {
    if (key === 'image_url' && value && typeof value === 'object' && typeof (value as { url?: unknown }).url === 'string') {
      const { url, detail } = value as { url: string; detail?: string };
      imageTokens += imageTokenEstimate(url, detail);
      return {};
    }
    return value;
  });
  return Math.ceil(text.length / CHARS_PER_TOKEN) + imageTokens;
}

/** Estimated input tokens of a whole request: its messages and its tools' definitions. */
export function estimateRequestTokens(req: Pick<ChatRequest, 'messages' | 'tools'>): number {
  return Math.max(1, estimatePromptTokens(req.messages) + (req.tools?.length ? Math.ceil(JSON.stringify(req.tools).length / CHARS_PER_TOKEN) : 0));
}

/** Tokens for one image given as a URL (a `data:` URL is measured from its header). */
export function imageTokenEstimate(url: string, detail?: string): number {
  const size = url.startsWith('data:') ? imageSizeOfDataUrl(url) : undefined;
  if (!size) return UNKNOWN_IMAGE_TOKENS;
  return Math.max(openAIImageTokens(size.width, size.height, detail), anthropicImageTokens(size.width, size.height));
}

export function openAIImageTokens(width: number, height: number, detail?: string): number {
  if (detail === 'low') return 85;
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(w, h);
  if (short > 768) {
    w *= 768 / short;
    h *= 768 / short;
  }
  return 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512);
}

export function anthropicImageTokens(width: number, height: number): number {
  const fit = Math.min(1, 1568 / Math.max(width, height));
  return Math.min(UNKNOWN_IMAGE_TOKENS, Math.ceil((width * fit * height * fit) / 750));
}

/** Width and height from the first bytes of a base64 PNG, GIF or JPEG, or undefined. */
export function imageSizeOfDataUrl(url: string): { width: number; height: number } | undefined {
  const comma = url.indexOf(',');
  if (comma < 0 || !url.slice(0, comma).endsWith(';base64')) return undefined;
  // JPEG puts its size after the EXIF and colour profile blocks, which rarely pass 64 KB.
  const head = Buffer.from(url.slice(comma + 1, comma + 1 + 88_000), 'base64');
  return pngSize(head) ?? gifSize(head) ?? jpegSize(head);
}

function pngSize(b: Buffer): { width: number; height: number } | undefined {
  // Signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), big-endian.
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return positive(b.readUInt32BE(16), b.readUInt32BE(20));
}

function gifSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 10 || b.toString('latin1', 0, 3) !== 'GIF') return undefined;
  return positive(b.readUInt16LE(6), b.readUInt16LE(8));
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) { i++; continue; } // fill byte
    // Start-of-frame markers C0–CF hold the size, except C4 (Huffman), C8 (reserved) and CC (arithmetic).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return positive(b.readUInt16BE(i + 7), b.readUInt16BE(i + 5));
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; } // markers without a length
    i += 2 + b.readUInt16BE(i + 2);
  }
  return undefined;
}

function positive(width: number, height: number): { width: number; height: number } | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
