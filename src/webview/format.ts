/** Short human strings for a message's footer: tokens, cost, how the answer ended. */
import type { ChatMessage, FinishReason, ModelOption, Usage } from '../shared/protocol';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatTokens(usage: Usage): string {
  return `${integer.format(usage.totalTokens)} tokens (${integer.format(usage.inputTokens)} in, ${integer.format(usage.outputTokens)} out)`;
}

/**
 * Dollars with enough digits to be meaningful: chat turns often cost fractions of a cent, and
 * "$0.00" would hide the difference between models. Unknown prices say so rather than "$0".
 */
export function formatCost(cost: number | null | undefined): string {
  if (cost === undefined) return '';
  if (cost === null) return 'cost unknown';
  if (cost === 0) return '$0';
  if (cost < 0.0001) return '< $0.0001';
  if (cost < 0.01) return `$${cost.toFixed(4).replace(/0+$/, '')}`;
  return `$${cost.toFixed(cost < 1 ? 3 : 2)}`;
}

export function describeFinish(reason: FinishReason | undefined): string {
  switch (reason) {
    case 'length': return 'cut off at the length limit';
    case 'content_filter': return 'stopped by the provider\'s content filter';
    case 'tool_calls': return 'asked for a tool call';
    case 'stopped': return 'stopped';
    default: return '';
  }
}

/** The footer line of an answer: tokens · cost · how it ended, leaving out what is unknown. */
export function formatMeta(message: Pick<ChatMessage, 'usage' | 'cost' | 'finishReason'>): string {
  return [message.usage ? formatTokens(message.usage) : '', formatCost(message.cost), describeFinish(message.finishReason)]
    .filter((part) => part !== '')
    .join(' · ');
}

/** The option text in the model switch: the friendly name if there is one (the id is its tooltip). */
export function modelLabel(model: ModelOption): string {
  const name = model.label || model.id;
  const marks = [model.local ? 'local' : '', model.missingKey ? 'no key' : ''].filter(Boolean);
  return marks.length > 0 ? `${name} — ${marks.join(', ')}` : name;
}
