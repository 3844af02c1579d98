/**
 * The common shape of a chat completion request, checked by hand before zod. Nearly every request
 * is a model, a few text messages and some scalar parameters; zod's `safeParse` of it (which walks
 * a discriminated union per message and copies everything) was the largest single cost of our own
 * code per request in the proxy profile (bench/README.md). The check accepts only what
 * `chatRequestSchema` accepts, and gives back what zod would: a fresh object with the schema's
 * keys in the schema's order, each message rebuilt the same way. A nested object with a key zod
 * would strip is not taken; neither is anything else uncommon (tools, content parts, tool
 * messages, a wrong type or a value out of range anywhere): it goes through the schema, so errors
 * still name the field (unit-tested against the schema path).
 */
import { chatRequestSchema, type ChatRequest } from '../core';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `z.number()`: finite (JSON.parse makes Infinity of 1e400). */
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** `z.number().int()`: a safe integer. */
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const inRange = (v: unknown, min: number, max: number) => isNum(v) && v >= min && v <= max;

/** The checks of the scalar fields, by key; a key not here (tools, response_format, …) goes to zod. */
const SCALARS: Record<string, (v: unknown) => boolean> = {
  model: (v) => typeof v === 'string' && v.length > 0,
  parallel_tool_calls: (v) => typeof v === 'boolean',
  reasoning_effort: (v) => v === 'minimal' || v === 'low' || v === 'medium' || v === 'high',
  n: (v) => isInt(v) && v >= 1 && v <= 8,
  temperature: (v) => inRange(v, 0, 2),
  top_p: (v) => inRange(v, 0, 1),
  max_tokens: (v) => isInt(v) && v > 0,
  max_completion_tokens: (v) => isInt(v) && v > 0,
  stop: (v) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
  seed: isInt,
  presence_penalty: isNum,
  frequency_penalty: isNum,
  user: (v) => typeof v === 'string',
  stream: (v) => typeof v === 'boolean',
};

/** Objects of optional booleans (`stream_options`, `cache`): their one key, rebuilt as zod does. */
const FLAGS: Record<string, string> = { stream_options: 'include_usage', cache: 'no-cache' };

/** The schema's keys in its order: zod's output has them in this order. */
const ORDER = Object.keys(chatRequestSchema.shape);

const TEXT_ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** A text message as zod gives it back (role, content, name), or undefined for any other. */
function textMessage(m: unknown): Obj | undefined {
  if (!isObj(m)) return undefined;
  const { role, content, name } = m;
  if (typeof role !== 'string' || !TEXT_ROLES.has(role)) return undefined;
  if (typeof content !== 'string' && !(content === null && role === 'assistant')) return undefined;
  let keys = 2;
  if (name !== undefined) {
    if (typeof name !== 'string') return undefined;
    keys++;
  }
  // An unknown key would be stripped by zod (and tool_calls, thinking_blocks need the schema).
  for (const k in m) if (--keys < 0 || (k !== 'role' && k !== 'content' && k !== 'name')) return undefined;
  return name === undefined ? { role, content } : { role, content, name };
}

function flags(v: unknown, key: string): Obj | undefined {
  if (!isObj(v)) return undefined;
  const out: Obj = {};
  for (const k in v) {
    if (k !== key || typeof v[k] !== 'boolean') return undefined;
    out[k] = v[k];
  }
  return out;
}

/**
 * `body` as `chatRequestSchema.parse` would return it, when it has the common shape; undefined
 * when the schema must decide. Keys outside the schema are left out, as zod strips them (the
 * caller has refused any it does not ignore).
 */
export function commonChatRequest(body: Obj): ChatRequest | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const out: Obj = {};
  for (const key of ORDER) {
    const v = body[key];
    if (v === undefined) continue;
    if (key === 'messages') {
      const copied = new Array<Obj>(messages.length);
      for (let i = 0; i < messages.length; i++) {
        const m = textMessage(messages[i]);
        if (!m) return undefined;
        copied[i] = m;
      }
      out.messages = copied;
    } else if (key in FLAGS) {
      const f = flags(v, FLAGS[key]!);
      if (!f) return undefined;
      out[key] = f;
    } else {
      const check = SCALARS[key];
      if (!check?.(v)) return undefined;
      out[key] = key === 'stop' && Array.isArray(v) ? [...(v as string[])] : v;
    }
  }
  return out.model === undefined ? undefined : (out as ChatRequest);
}
