/**
 * How much of the model's context window a conversation uses, and what to leave out when it does
 * not fit (the user chose "drop the oldest turns"). No `vscode`: the controller's unit tests run it.
 * The window comes from the catalog (config `model_info`, then the price catalog); for Ollama it
 * is what the client will send as `num_ctx` at most (the model's limit from `/api/show`, capped
 * by the setting), since that, not the model card, is what Ollama keeps.
 */
import { estimatePromptTokens, getPreset } from '../../core';
import type { ChatMessage as CoreMessage } from '../../core';
import type { ChatMessage, ContextUsage } from '../../shared/protocol';
import type { Catalog } from '../catalog';
import { userContent } from './attachmentContent';
import { compareTurns } from './compare';
import type { Conversation } from './store';

/** The messages that are sent: from the first one kept after dropping the oldest turns. */
export function inContext(conversation: Conversation): ChatMessage[] {
  const start = conversation.contextStartId ? conversation.messages.findIndex((m) => m.id === conversation.contextStartId) : -1;
  return start > 0 ? conversation.messages.slice(start) : conversation.messages;
}

/** The thread as the core wants it: questions (with their attachments) and answers, without notices and failed answers. */
export function toCoreMessages(messages: readonly ChatMessage[]): CoreMessage[] {
  return messages
    .filter((m) => m.role !== 'notice' && !(m.role === 'assistant' && m.text === ''))
    // A comparison adds its question and the chosen answer once one was continued with.
    .flatMap((m): CoreMessage[] => m.role === 'compare' ? compareTurns(m)
      : [m.role === 'user' ? { role: 'user', content: userContent(m.text, m.attachments) } : { role: 'assistant', content: m.text }]);
}

export function historyTokens(messages: readonly ChatMessage[]): number {
  const core = toCoreMessages(messages);
  return core.length ? estimatePromptTokens(core) : 0;
}

export interface ModelLimits {
  contextWindow: number | null;
  vision: boolean;
}

/** The window and image support of `model`; unknown windows are null, unknown vision counts as yes. */
export async function modelLimits(catalog: Catalog, model: string): Promise<ModelLimits> {
  const entry = catalog.models.find((m) => m.id === model);
  const deployments = entry?.deployments ?? catalog.client.router.group(model);
  let window = entry?.contextWindow ?? null;
  let vision = true;
  for (const dep of deployments) {
    let declared = true;
    try {
      declared = getPreset(dep.provider).adapter.capabilities(dep).vision;
    } catch {
      // an unknown provider is reported when it is used
    }
    // LiteLLM's model_info flag narrows what the adapter can do to what this model can do.
    if (!declared || dep.modelInfo?.supports_vision === false) vision = false;
    if (getPreset(dep.provider).adapter.family === 'ollama' && dep.modelInfo?.max_input_tokens === undefined) {
      const info = await catalog.client.ollamaModelInfo(dep);
      if (info.capabilities && !info.capabilities.includes('vision')) vision = false;
      const ollamaWindow = await catalog.client.ollamaContextWindow(dep);
      if (ollamaWindow) window = window ? Math.min(window, ollamaWindow) : ollamaWindow;
    }
  }
  return { contextWindow: window, vision };
}

export async function contextUsage(catalog: Catalog, model: string, conversation: Conversation | undefined, attachmentTokens: number): Promise<ContextUsage> {
  const limits = await modelLimits(catalog, model);
  const start = conversation ? conversation.messages.length - inContext(conversation).length : 0;
  return {
    model,
    historyTokens: conversation ? historyTokens(inContext(conversation)) : 0,
    attachmentTokens,
    contextWindow: limits.contextWindow,
    vision: limits.vision,
    ...(start > 0 ? { droppedMessages: start } : {}),
  };
}

/**
 * Where the sent part of `messages` (the new question last) must start to fit `window`: null
 * when all of it fits, the id of the oldest question to keep otherwise, undefined when even the
 * new question alone does not fit. Cuts before a question, so no answer goes without its question.
 */
export function firstKept(messages: readonly ChatMessage[], window: number): string | null | undefined {
  if (historyTokens(messages) <= window) return null;
  for (let i = 1; i < messages.length; i++) {
    if (messages[i]!.role === 'user' && historyTokens(messages.slice(i)) <= window) return messages[i]!.id;
  }
  return undefined;
}

/** A string to refuse the send with, the oldest message to keep (the user chose to drop older ones), or undefined: it can go. */
export type SendCheck = string | { keepFrom: string; notice: string } | undefined;

/** Whether `message` can go after `history` (what is sent of the conversation) to a model with these limits. */
export function checkSend(limits: ModelLimits, history: readonly ChatMessage[], message: ChatMessage, model: string, dropOldest: boolean): SendCheck {
  if (!limits.vision && message.attachments?.some((a) => a.kind === 'image')) {
    return `${model} does not take images. Remove the image, or pick a model that reads images (e.g. GPT-4o, Claude, Gemini or an Ollama vision model).`;
  }
  const window = limits.contextWindow;
  if (!window) return undefined;
  const messages = [...history, message];
  const need = historyTokens(messages);
  if (need <= window) return undefined;
  const n = (x: number) => x.toLocaleString('en-US');
  if (!dropOldest) return `About ${n(need)} tokens do not fit the ${n(window)}-token context window of ${model}: drop the oldest turns, or pick a model with a larger window.`;
  const keep = firstKept(messages, window);
  if (!keep) return `This message and its attachments alone need about ${n(historyTokens([message]))} tokens, more than the ${n(window)} tokens ${model} holds: remove attachments, or pick a model with a larger window.`;
  const dropped = messages.findIndex((x) => x.id === keep);
  return { keepFrom: keep, notice: `The ${dropped} oldest message${dropped === 1 ? '' : 's'} of this conversation ${dropped === 1 ? 'is' : 'are'} no longer sent to ${model}, so the conversation fits its ${n(window)}-token context window.` };
}
