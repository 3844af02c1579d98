/**
 * Exact-match response cache: in memory, LRU with a TTL and a size cap. The key is a hash of the
 * normalised request (model group, messages, tools and sampling parameters; never credentials,
 * and not `stream`, so a streamed request can be answered from a non-streamed one and back).
 * Only complete answers are stored: errors and cut-off streams never are.
 */
import { createHash } from 'node:crypto';
import type { ChatRequest } from '../types/request';
import type { ChatResult, StreamPart, Warning } from '../types/result';

/** Request fields that do not change the answer. */
const IGNORED = new Set(['stream', 'stream_options', 'user', 'cache']);

export function cacheKey(req: ChatRequest): string {
  const entries = Object.entries(req).filter(([k, v]) => !IGNORED.has(k) && v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(stableJson(Object.fromEntries(entries))).digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export interface CachedAnswer {
  result: ChatResult;
  /** The deployment id that produced it. */
  deployment: string;
  /** The model group the request asked for (the key hashes it too). */
  modelGroup?: string;
}

export class ResponseCache {
  private readonly entries = new Map<string, { value: CachedAnswer; expires: number }>();

  constructor(private ttlMs: number, private maxEntries: number, private readonly now: () => number = Date.now) {}

  /** New limits for entries stored from now on; entries over the new size cap go, oldest first. */
  resize(ttlMs: number, maxEntries: number): void {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.trim();
  }

  /** Keeps only the entries `keep` accepts (a config change: answers of deployments that are gone). */
  retain(keep: (value: CachedAnswer) => boolean): void {
    for (const [key, e] of this.entries) if (!keep(e.value)) this.entries.delete(key);
  }

  get(key: string): CachedAnswer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert to mark it most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: CachedAnswer): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    this.trim();
  }

  private trim(): void {
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Replays a cached answer as stream parts, the way a provider would have streamed it. */
export function* replayAsStream(r: ChatResult): Generator<StreamPart> {
  yield { type: 'response-metadata', id: r.id, model: r.model, created: r.created };
  for (const warning of r.warnings ?? []) yield { type: 'warning', warning };
  if (r.thinkingBlocks?.length) {
    for (const b of r.thinkingBlocks) {
      if (b.type === 'redacted_thinking') yield { type: 'reasoning-redacted', data: b.data };
      else {
        yield { type: 'reasoning-delta', text: b.thinking };
        if (b.signature !== undefined) yield { type: 'reasoning-signature', signature: b.signature };
      }
    }
  } else if (r.reasoning) yield { type: 'reasoning-delta', text: r.reasoning };
  if (r.content) yield { type: 'text-delta', text: r.content };
  for (const [index, tc] of r.toolCalls.entries()) {
    yield { type: 'tool-call-start', index, id: tc.id, name: tc.function.name };
    yield { type: 'tool-call-delta', index, argumentsDelta: tc.function.arguments };
  }
  yield { type: 'finish', finishReason: r.finishReason, ...(r.rawFinishReason !== undefined ? { rawFinishReason: r.rawFinishReason } : {}), ...(r.stopSequence !== undefined ? { stopSequence: r.stopSequence } : {}), usage: r.usage };
}

/** Folds stream parts back into a result (to cache a streamed answer). */
export class StreamAccumulator {
  private text = '';
  private reasoning = '';
  /** Thinking text since the last signed block. */
  private thinking = '';
  private readonly blocks: NonNullable<ChatResult['thinkingBlocks']> = [];
  private readonly tools: { id: string; name: string; args: string }[] = [];
  private meta: { id?: string; model?: string; created?: number } = {};
  private readonly warnings: Warning[] = [];

  add(part: StreamPart): void {
    if (part.type === 'text-delta') this.text += part.text;
    else if (part.type === 'reasoning-delta') { this.reasoning += part.text; this.thinking += part.text; }
    else if (part.type === 'reasoning-signature') { this.blocks.push({ type: 'thinking', thinking: this.thinking, signature: part.signature }); this.thinking = ''; }
    else if (part.type === 'reasoning-redacted') this.blocks.push({ type: 'redacted_thinking', data: part.data });
    else if (part.type === 'tool-call-start') this.tools[part.index] = { id: part.id, name: part.name, args: '' };
    else if (part.type === 'tool-call-delta' && this.tools[part.index]) this.tools[part.index]!.args += part.argumentsDelta;
    else if (part.type === 'response-metadata') this.meta = { ...this.meta, ...part };
    else if (part.type === 'warning') this.warnings.push(part.warning);
  }

  result(finish: Extract<StreamPart, { type: 'finish' }>, fallbackModel: string): ChatResult {
    const r: ChatResult = {
      id: this.meta.id ?? `chatcmpl-${Date.now()}`,
      model: this.meta.model ?? fallbackModel,
      created: this.meta.created ?? Math.floor(Date.now() / 1000),
      content: this.text || (this.tools.length ? null : ''),
      toolCalls: this.tools.filter(Boolean).map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.args } })),
      finishReason: finish.finishReason,
      usage: finish.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    };
    if (this.reasoning) r.reasoning = this.reasoning;
    if (this.blocks.length) r.thinkingBlocks = this.thinking ? [...this.blocks, { type: 'thinking', thinking: this.thinking }] : [...this.blocks];
    if (finish.rawFinishReason !== undefined) r.rawFinishReason = finish.rawFinishReason;
    if (finish.stopSequence !== undefined) r.stopSequence = finish.stopSequence;
    if (this.warnings.length) r.warnings = [...this.warnings];
    return r;
  }
}
