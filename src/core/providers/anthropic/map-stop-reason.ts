/**
 * Anthropic `stop_reason` → unified finish reason.
 * https://docs.anthropic.com/en/api/handling-stop-reasons
 */
import type { FinishReason } from '../../types/result';

export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    // model_context_window_exceeded: the context window filled up before max_tokens was reached.
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    // Claude declined for safety reasons (streaming classifiers can stop it mid-answer).
    case 'refusal':
      return 'content_filter';
    // end_turn, stop_sequence; pause_turn (a server-tool turn paused, LiteLLM maps it to stop);
    // a reason added later is also a normal end of the answer as far as we can tell.
    default:
      return 'stop';
  }
}
