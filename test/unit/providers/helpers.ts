/** Builds a core client with one deployment named `m` (and optional extra settings). */
import { AnyModelClient } from '../../../src/core/client';
import { buildConfig } from '../../../src/core/config/load';
import type { StreamPart } from '../../../src/core/types/result';
import { collect } from '../helpers/mock-server';

export function clientFor(params: Record<string, unknown>, settings: Record<string, unknown> = { num_retries: 0 }): AnyModelClient {
  return new AnyModelClient(buildConfig({ model_list: [{ model_name: 'm', litellm_params: params }], litellm_settings: settings }, {}));
}

export const user = (content: string) => ({ model: 'm', messages: [{ role: 'user' as const, content }] });

/** Streams a request and returns its parts. */
export async function streamParts(client: AnyModelClient, req: Parameters<AnyModelClient['streamChat']>[0]): Promise<StreamPart[]> {
  return collect((await client.streamChat(req)).parts);
}

export const textOf = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
export const errorOf = (parts: StreamPart[]) => parts.find((p): p is Extract<StreamPart, { type: 'error' }> => p.type === 'error')?.error;
