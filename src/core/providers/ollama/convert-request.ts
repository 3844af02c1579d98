/**
 * Unified request → Ollama `/api/chat` and `/api/generate` bodies.
 * https://github.com/ollama/ollama/blob/main/docs/api.md
 * - `stream` defaults to true in Ollama, so it is always sent explicitly.
 * - Images are bare base64 strings in `images` (no data: prefix); remote URLs cannot be sent.
 * - Tool call arguments are objects, not JSON strings; tool results are role `tool` messages
 *   with `tool_name`.
 * - Sampling parameters go in `options` (max_tokens → num_predict); response_format maps to
 *   `format` ("json" or a JSON schema).
 */
import type { ChatRequest, CompletionRequest } from '../../types/request';
import { contentText, reasoningBudget, stopList } from '../../types/request';
import type { Deployment } from '../../types/deployment';
import { AnyModelError } from '../../types/errors';
import { parseDataUrl, parseToolArguments } from '../shared';

type Msg = Record<string, unknown>;

export function chatBody(req: ChatRequest, dep: Deployment, stream: boolean): Record<string, unknown> {
  const callNames = new Map<string, string>();
  const messages: Msg[] = req.messages.map((m): Msg => {
    switch (m.role) {
      case 'system': case 'developer':
        return { role: 'system', content: contentText(m.content) };
      case 'user': {
        if (typeof m.content === 'string') return { role: 'user', content: m.content };
        const images = m.content.filter((p) => p.type === 'image_url').map((p) => {
          const data = parseDataUrl(p.image_url.url);
          if (!data) throw new AnyModelError({ kind: 'BadRequest', provider: dep.provider, param: 'messages', message: 'Ollama takes images as base64 data URLs (data:image/png;base64,...), not remote URLs' });
          return data.data;
        });
        return images.length ? { role: 'user', content: contentText(m.content), images } : { role: 'user', content: contentText(m.content) };
      }
      case 'assistant': {
        const out: Msg = { role: 'assistant', content: m.content ? contentText(m.content) : '' };
        if (m.tool_calls?.length) {
          out.tool_calls = m.tool_calls.map((tc) => {
            callNames.set(tc.id, tc.function.name);
            return { function: { name: tc.function.name, arguments: parseToolArguments(tc.function.arguments, dep, tc.function.name) } };
          });
        }
        return out;
      }
      case 'tool': {
        const name = callNames.get(m.tool_call_id);
        return name ? { role: 'tool', content: contentText(m.content), tool_name: name } : { role: 'tool', content: contentText(m.content) };
      }
    }
  });
  const body: Record<string, unknown> = { model: dep.model, messages, stream };
  if (req.tools?.length && req.tool_choice !== 'none') body.tools = req.tools.map((t) => ({ type: 'function', function: t.function }));
  // `think` switches a thinking model's reasoning on or off (https://ollama.com/blog/thinking); the
  // thoughts come back in `message.thinking`.
  const budget = reasoningBudget(req);
  if (budget !== undefined) body.think = budget > 0;
  addCommon(body, req, dep);
  return body;
}

export function generateBody(req: CompletionRequest, dep: Deployment, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { model: dep.model, prompt: typeof req.prompt === 'string' ? req.prompt : req.prompt[0], stream };
  if (req.suffix !== undefined) body.suffix = req.suffix;
  addCommon(body, req, dep);
  return body;
}

function addCommon(body: Record<string, unknown>, req: ChatRequest | CompletionRequest, dep: Deployment): void {
  const options: Record<string, unknown> = {};
  if (req.temperature !== undefined) options.temperature = req.temperature;
  if (req.top_p !== undefined) options.top_p = req.top_p;
  if (req.seed !== undefined) options.seed = req.seed;
  if (req.max_tokens !== undefined) options.num_predict = req.max_tokens;
  if (req.presence_penalty !== undefined) options.presence_penalty = req.presence_penalty;
  if (req.frequency_penalty !== undefined) options.frequency_penalty = req.frequency_penalty;
  const stop = stopList(req.stop);
  if (stop?.length) options.stop = stop;
  // Sized per request by the client (context-length.ts), or fixed by the config's `num_ctx`.
  const numCtx = dep.providerOptions?.num_ctx;
  if (typeof numCtx === 'number') options.num_ctx = numCtx;
  if (Object.keys(options).length) body.options = options;
  const format = 'response_format' in req ? req.response_format : undefined;
  if (format?.type === 'json_object') body.format = 'json';
  if (format?.type === 'json_schema') body.format = format.json_schema.schema ?? 'json';
  const keepAlive = dep.providerOptions?.keep_alive;
  if (keepAlive !== undefined) body.keep_alive = keepAlive;
}
