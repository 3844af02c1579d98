/**
 * Unified chat request → Anthropic Messages request body. https://docs.anthropic.com/en/api/messages
 */
import type { ChatRequest, ToolChoice, ToolDefinition } from '../../types/request';
import { reasoningBudget, stopList } from '../../types/request';
import type { Deployment } from '../../types/deployment';
import { AnyModelError } from '../../types/errors';
import { toAnthropicPrompt } from './convert-messages';
import { supportsStructuredOutputs } from './models';

/**
 * `max_tokens` is required by Anthropic. When the caller and the deployment's defaults give none,
 * we send LiteLLM's default, 4096 (DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS in litellm/constants.py), which
 * every current Claude model accepts as an output limit.
 */
export const DEFAULT_MAX_TOKENS = 4096;

export function messagesBody(req: ChatRequest, dep: Deployment, stream: boolean): Record<string, unknown> {
  const prompt = toAnthropicPrompt(req.messages, dep);
  const body: Record<string, unknown> = { model: dep.model, max_tokens: req.max_tokens ?? DEFAULT_MAX_TOKENS, messages: prompt.messages };
  const budget = reasoningBudget(req);
  if (req.thinking) body.thinking = req.thinking;
  else if (budget) body.thinking = { type: 'enabled', budget_tokens: budget };
  // "budget_tokens must be less than max_tokens" (extended thinking docs): without a max_tokens of
  // the caller's, the answer gets the default on top of the budget, as LiteLLM does.
  if (budget && req.max_tokens === undefined) body.max_tokens = budget + DEFAULT_MAX_TOKENS;
  if (prompt.system !== undefined) body.system = prompt.system;
  // Anthropic's temperature range is 0..1 where OpenAI's is 0..2: the top of one is the top of the other.
  if (req.temperature !== undefined) body.temperature = Math.min(req.temperature, 1);
  if (req.top_p !== undefined) body.top_p = req.top_p;
  const stop = stopSequences(req.stop, dep);
  if (stop?.length) body.stop_sequences = stop;
  const userId = metadataUserId(req.user);
  if (userId) body.metadata = { user_id: userId };
  if (req.tools?.length) {
    const strictOk = supportsStructuredOutputs(dep.model);
    body.tools = req.tools.map((t) => toolDefinition(t, strictOk));
    const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  const format = outputFormat(req.response_format, dep);
  if (format) body.output_config = { format };
  if (stream) body.stream = true;
  return body;
}

/**
 * Tools: `{name, description, input_schema}`; the schema must be an object schema.
 * `strict` (strict tool use) is sent only to models that have it: elsewhere it is a 400.
 */
function toolDefinition(t: ToolDefinition, strictOk: boolean): Record<string, unknown> {
  const tool: Record<string, unknown> = { name: t.function.name, input_schema: t.function.parameters ? { type: 'object', ...t.function.parameters } : { type: 'object', properties: {} } };
  if (t.function.description) tool.description = t.function.description;
  if (t.function.strict && strictOk) tool.strict = true;
  if (t.cache_control) tool.cache_control = t.cache_control;
  return tool;
}

/**
 * https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use:
 * auto / any (OpenAI "required") / tool (a named function) / none. `parallel_tool_calls: false`
 * is `disable_parallel_tool_use: true`, which `none` does not take (as LiteLLM's mapping).
 */
export function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Record<string, unknown> | undefined {
  if (choice === 'none') return { type: 'none' };
  const extra = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...extra } : undefined;
  if (choice === 'auto') return { type: 'auto', ...extra };
  if (choice === 'required') return { type: 'any', ...extra };
  return { type: 'tool', name: choice.function.name, ...extra };
}

/**
 * `response_format` → structured outputs, `output_config.format = {type:"json_schema", schema}`
 * (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs; GA, no beta header).
 * The adapter declares `response_format` only for models that have it. Anthropic has no JSON
 * mode without a schema, so `json_object` is refused (or dropped with drop_params).
 */
function outputFormat(format: ChatRequest['response_format'], dep: Deployment): Record<string, unknown> | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_schema' && format.json_schema.schema) return { type: 'json_schema', schema: format.json_schema.schema };
  if (dep.dropParams) return undefined;
  throw new AnyModelError({
    kind: 'UnsupportedParams',
    provider: dep.provider,
    model: dep.model,
    param: 'response_format',
    message: `Anthropic has no JSON mode without a schema: use response_format {"type":"json_schema","json_schema":{"name":...,"schema":{...}}}, or set drop_params: true to drop it.`,
  });
}

/**
 * Anthropic rejects stop sequences that are only whitespace; with drop_params they are left out,
 * as LiteLLM does (`_map_stop_sequences`); otherwise Anthropic's 400 tells the caller.
 */
function stopSequences(stop: ChatRequest['stop'], dep: Deployment): string[] | undefined {
  const list = stopList(stop);
  return dep.dropParams ? list?.filter((s) => s.trim() !== '') : list;
}

/**
 * `user` → `metadata.user_id`, which Anthropic wants opaque ("a uuid, hash value, or other opaque
 * identifier ... do not include any identifying information such as name, email address, or phone
 * number") and rejects when it looks like an email; LiteLLM (`_valid_user_id`) leaves such values
 * out, and so do we.
 */
function metadataUserId(user: string | undefined): string | undefined {
  if (!user) return undefined;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(user) || /^\+?[\d\s()-]{7,}$/.test(user)) return undefined;
  return user;
}
