/**
 * One streamed answer read into its thread entry: thoughts into `reasoning` (with how long the
 * model thought, from its first thought to the first word of the answer), text into `text`, each
 * part told to the view as it comes; at the end the usage, the finish reason and the cost.
 */
import { costOf, getPreset, type Deployment, type StreamPart, type Usage } from '../../core';
import type { ChatMessage, FinishReason, HostMessage } from '../../shared/protocol';

export interface StreamedAnswer {
  usage: Usage | undefined;
  finishReason: FinishReason;
}

/** Throws the stream's error part; `grew` is called after each piece of text (the caller saves now and then). */
export async function readAnswer(parts: AsyncIterable<StreamPart>, assistant: ChatMessage, notify: (m: HostMessage) => void, grew: () => void): Promise<StreamedAnswer> {
  let usage: Usage | undefined;
  let finishReason: FinishReason = 'stop';
  let thinkingSince: number | undefined;
  const thought = () => {
    if (thinkingSince !== undefined && assistant.reasoning && assistant.reasoning.durationMs === undefined) assistant.reasoning.durationMs = Date.now() - thinkingSince;
  };
  for await (const part of parts) {
    if (part.type === 'reasoning-delta') {
      thinkingSince ??= Date.now();
      assistant.reasoning ??= { text: '' };
      assistant.reasoning.text += part.text;
      notify({ type: 'streamReasoning', messageId: assistant.id, text: part.text });
    } else if (part.type === 'text-delta') {
      if (part.text) thought();
      assistant.text += part.text;
      notify({ type: 'streamDelta', messageId: assistant.id, text: part.text });
      grew();
    } else if (part.type === 'finish') {
      usage = part.usage;
      finishReason = part.finishReason;
    } else if (part.type === 'error') {
      throw part.error;
    }
  }
  thought();
  return { usage, finishReason };
}

/** Writes the finish reason, usage and cost (null when the price is unknown) on the entry. */
export function settleAnswer(assistant: ChatMessage, answer: StreamedAnswer, deployment: Deployment): void {
  const { usage, finishReason } = answer;
  const cost = usage ? costOf(usage, deployment, getPreset(deployment.provider).local) : undefined;
  assistant.finishReason = finishReason;
  assistant.cost = cost && cost.source !== 'unknown' ? cost.usd : null;
  if (usage) assistant.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens };
}
