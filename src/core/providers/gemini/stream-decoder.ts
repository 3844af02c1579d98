/**
 * streamGenerateContent?alt=sse → stream parts. Every event is a whole GenerateContentResponse
 * with the next piece of text; function calls arrive whole; usage and finishReason come on the
 * last chunks. There is no [DONE]: a stream that ends without a finishReason was cut short.
 */
import type { RawStreamEvent, StreamDecoder } from '../adapter';
import type { Deployment } from '../../types/deployment';
import type { StreamPart, Usage } from '../../types/result';
import { AnyModelError } from '../../types/errors';
import { parseEventJson } from '../shared';
import { mapFinishReason, mapUsage, parseGeminiResponse, toolCallId } from './map-response';
import { geminiErrorFromBody } from './errors';

export function createStreamDecoder(dep: Deployment): StreamDecoder {
  let toolCalls = 0;
  let finish: string | undefined;
  let usage: Usage | undefined;
  let metaSent = false;
  return {
    onEvent(raw: RawStreamEvent): StreamPart[] {
      const json = parseEventJson(raw.data, dep);
      if (json && typeof json === 'object' && 'error' in json) throw geminiErrorFromBody(raw.data, dep);
      const r = parseGeminiResponse(json, dep);
      const parts: StreamPart[] = [];
      if (!metaSent && r.responseId) {
        metaSent = true;
        parts.push({ type: 'response-metadata', id: r.responseId, ...(r.modelVersion ? { model: r.modelVersion } : {}) });
      }
      const candidate = r.candidates?.[0];
      for (const p of candidate?.content?.parts ?? []) {
        if (p.functionCall) {
          const index = toolCalls++;
          parts.push({ type: 'tool-call-start', index, id: toolCallId(index, p.functionCall.id), name: p.functionCall.name });
          parts.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(p.functionCall.args ?? {}) });
        } else if (p.text) {
          parts.push({ type: p.thought ? 'reasoning-delta' : 'text-delta', text: p.text });
        }
      }
      if (candidate?.finishReason) finish = candidate.finishReason;
      if (r.usageMetadata) usage = mapUsage(r.usageMetadata);
      return parts;
    },
    onEnd(): StreamPart[] {
      if (!finish) throw new AnyModelError({ kind: 'APIConnection', provider: dep.provider, model: dep.model, message: 'The gemini stream ended before a finishReason' });
      const part: StreamPart = { type: 'finish', finishReason: mapFinishReason(finish, toolCalls > 0), rawFinishReason: finish };
      if (usage) part.usage = usage;
      return [part];
    },
  };
}
