/**
 * Prices and context windows. The catalog is @pydantic/genai-prices: maintained (frequent
 * releases), no dependencies, bundled data (no network at run time; we never call its
 * updatePrices), and a calculator that already knows cache-read/-write rates, tiered prices and
 * price changes over time, with the same meaning of input tokens as ours (cached ones included).
 * LiteLLM's JSON map is not published on npm, and models.dev would need a fetch at run time.
 * Per-deployment prices in config (LiteLLM's `input_cost_per_token`, ...) win over the catalog;
 * local providers cost nothing.
 */
import { calcPrice } from '@pydantic/genai-prices';
import type { Deployment } from '../types/deployment';
import type { Usage } from '../types/result';

/** Our provider prefixes → the catalog's provider ids. */
const CATALOG_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai', azure: 'azure', anthropic: 'anthropic', gemini: 'google', groq: 'groq', deepseek: 'deepseek',
  mistral: 'mistral', xai: 'x-ai', openrouter: 'openrouter', together_ai: 'together',
};

export interface Cost {
  usd: number;
  /** Where the price came from; `unknown` means the catalog has no price (cost is then 0). */
  source: 'config' | 'catalog' | 'local' | 'unknown';
}

export function costOf(usage: Usage, dep: Deployment, local: boolean): Cost {
  if (local) return { usd: 0, source: 'local' };
  const info = dep.modelInfo ?? {};
  const input = num(info.input_cost_per_token);
  const output = num(info.output_cost_per_token);
  if (input !== undefined || output !== undefined) {
    const cached = usage.cachedInputTokens ?? 0;
    const written = usage.cacheWriteInputTokens ?? 0;
    const plain = Math.max(0, usage.inputTokens - cached - written);
    const usd = plain * (input ?? 0) + cached * (num(info.cache_read_input_token_cost) ?? input ?? 0)
      + written * (num(info.cache_creation_input_token_cost) ?? input ?? 0) + usage.outputTokens * (output ?? 0);
    return { usd, source: 'config' };
  }
  const price = catalogPrice(dep.model, dep.provider, {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_read_tokens: usage.cachedInputTokens,
    cache_write_tokens: usage.cacheWriteInputTokens,
  });
  return price ? { usd: price.total_price, source: 'catalog' } : { usd: 0, source: 'unknown' };
}

/** Price per million input and output tokens, for pickers and cost-based routing. */
export function unitPrices(dep: Deployment, local: boolean): { inputPerMTok: number; outputPerMTok: number } | undefined {
  if (local) return { inputPerMTok: 0, outputPerMTok: 0 };
  const info = dep.modelInfo ?? {};
  const input = num(info.input_cost_per_token);
  const output = num(info.output_cost_per_token);
  if (input !== undefined || output !== undefined) return { inputPerMTok: (input ?? 0) * 1e6, outputPerMTok: (output ?? 0) * 1e6 };
  // Priced on a small request and scaled: a million-token request crosses the long-context tier
  // (Claude Sonnet 4.5 and Gemini 2.5 Pro charge more past 200K input tokens), which is not the
  // price a person comparing models expects to read.
  const p = catalogPrice(dep.model, dep.provider, { input_tokens: 1_000, output_tokens: 1_000 });
  return p ? { inputPerMTok: perMillion(p.input_price), outputPerMTok: perMillion(p.output_price) } : undefined;
}

/** The model's context window in tokens: config `model_info` first, then the catalog. */
export function contextWindowOf(dep: Deployment): number | undefined {
  const info = dep.modelInfo ?? {};
  return num(info.max_input_tokens) ?? num(info.max_tokens) ?? catalogPrice(dep.model, dep.provider, { input_tokens: 1 })?.model.context_window;
}

// Which (provider, model) pairs the catalog lacks. A lookup scans the whole catalog, so a model it
// does not know (a local or self-hosted one) would pay that scan on every request. The catalog is
// immutable data bundled with the package, so remembering its misses never goes stale.
const MISSES = new Set<string>();

function catalogPrice(model: string, provider: string, usage: Parameters<typeof calcPrice>[0]) {
  const key = `${provider}/${model}`;
  if (MISSES.has(key)) return null;
  const providerId = CATALOG_PROVIDER[provider];
  try {
    const price = calcPrice(usage, model, providerId ? { providerId } : {});
    if (!price) MISSES.add(key);
    return price;
  } catch {
    return null; // the catalog throws on usage it cannot split; a missing price is not an error
  }
}

/** A price of 1,000 tokens as USD per million, without the float noise of the multiplication. */
function perMillion(per1k: number): number {
  return Math.round(per1k * 1000 * 1e9) / 1e9;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
