/**
 * The common shape of a whole chat completion, checked by hand. zod's parse copies the whole
 * answer and cost more CPU than the rest of its handling in the proxy (`npm run bench`, proxy
 * profile). The check accepts only bodies the schema accepts and whose schema output has the same
 * values in every field the mapping reads; anything else (tool calls, a wrong type anywhere,
 * anything unusual) goes through the schema, so errors still name the field, and the result is the
 * same either way (unit-tested against the schema path).
 */
import type { ChatCompletion, OpenAIUsage } from './schemas';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `z.string().nullish()` */
const optStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';
/** `z.number().nullish()`: zod refuses Infinity, which JSON.parse makes of 1e400. */
const optNum = (v: unknown) => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));

const MESSAGE_TEXT_FIELDS = ['role', 'content', 'refusal', 'reasoning_content', 'reasoning'] as const;

export function isCommonChatCompletion(body: unknown): body is ChatCompletion {
  if (!isObj(body) || !optStr(body.id) || !optStr(body.model) || !optNum(body.created)) return false;
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const choice of choices) {
    if (!isObj(choice) || !optNum(choice.index) || !optStr(choice.finish_reason)) return false;
    const m = choice.message;
    if (!isObj(m) || m.tool_calls != null) return false;
    for (const f of MESSAGE_TEXT_FIELDS) if (!optStr(m[f])) return false;
  }
  return body.usage == null || isCommonUsage(body.usage);
}

/** A usage object `usageSchema` accepts (then give `schemaLikeUsage` of it to read it as the schema's output). */
export function isCommonUsage(u: unknown): u is OpenAIUsage {
  if (!isObj(u) || !optNum(u.prompt_tokens) || !optNum(u.completion_tokens) || !optNum(u.total_tokens)) return false;
  const p = u.prompt_tokens_details;
  const c = u.completion_tokens_details;
  return (p == null || (isObj(p) && optNum(p.cached_tokens))) && (c == null || (isObj(c) && optNum(c.reasoning_tokens)));
}

/**
 * The usage object as the schema gives it back (kept as `usage.raw`): every top-level field (the
 * schema is loose there), but only the known field inside each details object (it is strict there).
 */
export function schemaLikeUsage(u: OpenAIUsage | null | undefined): OpenAIUsage | null | undefined {
  if (!u) return u;
  const out: Obj = { ...u };
  const p = u.prompt_tokens_details;
  const c = u.completion_tokens_details;
  if (p) out.prompt_tokens_details = 'cached_tokens' in p ? { cached_tokens: p.cached_tokens } : {};
  if (c) out.completion_tokens_details = 'reasoning_tokens' in c ? { reasoning_tokens: c.reasoning_tokens } : {};
  return out as OpenAIUsage;
}
