/**
 * Stored responses (`store`, the default, as in OpenAI's API) for `previous_response_id` and
 * `GET`/`DELETE /v1/responses/{id}`: each the response object as it was returned and the
 * conversation it ended (its input turns and its output). Kept in the client's shared state —
 * this process's memory, bounded, or Redis when the proxies share one, so that a follow-up may
 * reach any replica (docs/architecture.md#shared-state). Instructions are not part of the
 * conversation: the API does not carry them over to the next response.
 */
import { z } from 'zod';
import { MemoryState } from '../../core';
import type { ChatMessage, KeyValueStore, SharedState } from '../../core';

export interface StoredResponse {
  /** The response object as the client got it (the Responses API shape). */
  response: Record<string, unknown>;
  conversation: ChatMessage[];
}

/** OpenAI keeps stored responses 30 days; so do we, within the bound. */
const TTL_MS = 30 * 86_400_000;
const MAX_ENTRIES = 1000;

const storedSchema = z.object({
  response: z.looseObject({ id: z.string(), object: z.literal('response') }),
  conversation: z.array(z.looseObject({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']) })),
});

function parseStored(raw: unknown): StoredResponse | undefined {
  const parsed = storedSchema.safeParse(raw);
  return parsed.success ? (parsed.data as unknown as StoredResponse) : undefined;
}

export class ResponseStore {
  private readonly kv: KeyValueStore<StoredResponse>;

  constructor(state: SharedState = new MemoryState(), maxEntries = MAX_ENTRIES) {
    this.kv = state.keyValue<StoredResponse>('responses', TTL_MS, maxEntries, undefined, parseStored);
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    return this.kv.get(id);
  }

  set(id: string, stored: StoredResponse): void {
    this.kv.set(id, stored);
  }

  async delete(id: string): Promise<boolean> {
    return this.kv.delete(id);
  }
}
