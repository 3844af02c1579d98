/**
 * Unified request → Gemini `generateContent` request.
 * https://ai.google.dev/api/generate-content
 * - Roles are `user` and `model`; system/developer text goes to `systemInstruction`.
 * - Tool results are `functionResponse` parts in a user turn and must name the function; OpenAI
 *   tool messages carry only the call id, so the name is found from the earlier assistant call.
 * - Images: `inlineData` from data URLs. Remote URLs need the Files API (`fileData.fileUri`), which
 *   this adapter does not upload to, so they are refused with a clear error.
 * - Function declarations accept an OpenAPI subset: JSON Schema keywords Gemini rejects are
 *   removed (https://ai.google.dev/api/caching#Schema; LiteLLM strips the same ones).
 */
import type { ChatRequest, ContentPart, ToolChoice } from '../../types/request';
import { contentText, reasoningBudget, stopList } from '../../types/request';
import type { Deployment } from '../../types/deployment';
import { AnyModelError } from '../../types/errors';
import { parseDataUrl, parseToolArguments } from '../shared';

type Part = Record<string, unknown>;
interface Content { role: 'user' | 'model'; parts: Part[] }

export function generateContentBody(req: ChatRequest, dep: Deployment): Record<string, unknown> {
  const system: string[] = [];
  const contents: Content[] = [];
  const callNames = new Map<string, string>();
  const push = (role: Content['role'], parts: Part[]) => {
    if (!parts.length) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(contentText(m.content));
    else if (m.role === 'user') push('user', userParts(m.content, dep));
    else if (m.role === 'assistant') {
      const parts: Part[] = [];
      const text = m.content ? contentText(m.content) : '';
      if (text) parts.push({ text });
      for (const tc of m.tool_calls ?? []) {
        callNames.set(tc.id, tc.function.name);
        parts.push({ functionCall: { name: tc.function.name, args: parseToolArguments(tc.function.arguments, dep, tc.function.name) } });
      }
      push('model', parts);
    } else {
      const name = callNames.get(m.tool_call_id);
      if (!name) throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'messages', message: `The tool result for call "${m.tool_call_id}" has no matching assistant tool call; Gemini needs the function name` });
      push('user', [{ functionResponse: { name, response: toolResponse(contentText(m.content)) } }]);
    }
  }
  const body: Record<string, unknown> = { contents };
  if (system.length) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const config: Record<string, unknown> = {};
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.top_p !== undefined) config.topP = req.top_p;
  if (req.max_tokens !== undefined) config.maxOutputTokens = req.max_tokens;
  if (req.seed !== undefined) config.seed = req.seed;
  if (req.presence_penalty !== undefined) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty !== undefined) config.frequencyPenalty = req.frequency_penalty;
  const stop = stopList(req.stop);
  if (stop?.length) config.stopSequences = stop;
  if (req.response_format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (req.response_format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    // responseJsonSchema takes standard JSON Schema (https://ai.google.dev/gemini-api/docs/structured-output).
    if (req.response_format.json_schema.schema) config.responseJsonSchema = req.response_format.json_schema.schema;
  }
  // reasoning_effort / thinking → thinkingConfig (https://ai.google.dev/gemini-api/docs/thinking):
  // a budget of 0 switches thinking off; includeThoughts returns the thought summaries as parts.
  const budget = reasoningBudget(req);
  if (budget !== undefined) config.thinkingConfig = budget ? { thinkingBudget: budget, includeThoughts: true } : { thinkingBudget: 0 };
  if (Object.keys(config).length) body.generationConfig = config;
  if (req.tools?.length) {
    body.tools = [{ functionDeclarations: req.tools.map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters ? cleanSchema(t.function.parameters) : undefined })) }];
    const tc = toolConfig(req.tool_choice);
    if (tc) body.toolConfig = tc;
  }
  return body;
}

function userParts(content: string | ContentPart[], dep: Deployment): Part[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  return content.map((p) => {
    if (p.type === 'text') return { text: p.text };
    const data = parseDataUrl(p.image_url.url);
    if (!data) throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'messages', message: 'Gemini takes images inline as base64 data URLs (data:image/png;base64,...); a remote URL would have to be uploaded through the Files API first' });
    return { inlineData: { mimeType: data.mediaType, data: data.data } };
  });
}

/** functionResponse.response must be an object; a JSON object result is passed as is. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* plain text result */ }
  return { content: text };
}

function toolConfig(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

const UNSUPPORTED_SCHEMA_KEYS = new Set(['$schema', 'additionalProperties', '$id', '$ref', '$defs', 'definitions', 'strict', 'examples', 'default']);

/** Removes JSON Schema keywords the Gemini Schema object rejects, at every depth. */
export function cleanSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (UNSUPPORTED_SCHEMA_KEYS.has(k)) continue;
    // `properties` maps names to schemas: its keys are property names, not keywords.
    out[k] = k === 'properties' && v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([n, s]) => [n, cleanSchema(s)])) : cleanSchema(v);
  }
  return out;
}
