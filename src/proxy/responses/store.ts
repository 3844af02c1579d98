/**
 * Stored responses for `previous_response_id`, in this proxy process's memory: the conversation
 * each stored response ended (its input turns and its output), the oldest dropped past a bound.
 * Instructions are not part of it: the API does not carry them over to the next response.
 */
import type { ChatMessage } from '../../core';

export class ResponseStore {
  private readonly entries = new Map<string, ChatMessage[]>();

  constructor(private readonly maxEntries = 1000) {}

  get(id: string): ChatMessage[] | undefined {
    return this.entries.get(id);
  }

  set(id: string, conversation: ChatMessage[]): void {
    this.entries.set(id, conversation);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
