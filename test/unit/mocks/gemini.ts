/**
 * A mock Gemini API (https://ai.google.dev/api/generate-content): generateContent,
 * streamGenerateContent?alt=sse (each event a whole response, CRLF-separated, no [DONE]; function
 * calls whole; usage and finishReason on the last chunk) and batchEmbedContents. The key must come
 * in x-goog-api-key; a key in the URL is refused, as is a functionResponse without a name.
 */
import { startMockServer, sse, splitBytes, type MockServer, type RecordedRequest, type Reply } from '../helpers/mock-server';
import { decide, embeddingOf, pieces, sniffImage, USAGE, type Conversation } from './script';

type Part = { text?: string; inlineData?: { mimeType: string; data: string }; functionCall?: { name: string }; functionResponse?: { name?: string; response?: unknown } };
interface Body { contents?: { role?: string; parts?: Part[] }[]; tools?: { functionDeclarations?: { name: string }[] }[]; requests?: { content: { parts: Part[] } }[] }

export function googleError(code: number, status: string, message: string, reason?: string): Reply {
  const details = reason ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com' }] : undefined;
  return { kind: 'json', status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

/** `contextTokens`: a longer prompt gets Gemini's 400 INVALID_ARGUMENT "The input token count (N) exceeds the maximum ...". */
export function startGeminiMock(opts: { apiKey?: string; contextTokens?: number } = {}): Promise<MockServer> {
  const apiKey = opts.apiKey ?? 'test-key';
  return startMockServer((req) => {
    const url = new URL(req.url, 'http://mock');
    if (url.searchParams.has('key')) return googleError(400, 'INVALID_ARGUMENT', 'This mock refuses keys in the URL: they end up in logs.');
    if (req.headers['x-goog-api-key'] !== apiKey) return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', 'API_KEY_INVALID');
    const m = /^\/v1beta\/models\/([^:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return googleError(404, 'NOT_FOUND', `models/${url.pathname} is not found for API version v1beta`);
    const body = req.body as Body;
    const tokens = Math.ceil(JSON.stringify(body.contents ?? []).length / 4);
    if (opts.contextTokens !== undefined && m[2] !== 'batchEmbedContents' && tokens > opts.contextTokens) {
      return googleError(400, 'INVALID_ARGUMENT', `The input token count (${tokens}) exceeds the maximum number of tokens allowed (${opts.contextTokens}).`);
    }
    if (m[2] === 'batchEmbedContents') return { kind: 'json', body: { embeddings: (body.requests ?? []).map((r) => ({ values: embeddingOf(r.content.parts.map((p) => p.text ?? '').join('')) })) } };
    if (m[2] === 'streamGenerateContent' && url.searchParams.get('alt') !== 'sse') return googleError(400, 'INVALID_ARGUMENT', 'This mock only streams with alt=sse');
    return generate(req, m[1]!, m[2] === 'streamGenerateContent');
  });
}

function readConversation(body: Body): Conversation {
  const contents = body.contents ?? [];
  const lastUser = [...contents].reverse().find((c) => c.role === 'user' && c.parts?.some((p) => p.text !== undefined || p.inlineData));
  const parts = lastUser?.parts ?? [];
  const responses = contents.flatMap((c) => (c.parts ?? []).filter((p) => p.functionResponse));
  const last = responses.at(-1)?.functionResponse?.response as { content?: string } | undefined;
  return {
    lastUserText: parts.map((p) => p.text ?? '').join(''),
    imageTypes: parts.filter((p) => p.inlineData).map((p) => sniffImage(p.inlineData!.data)),
    tools: (body.tools ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name)),
    toolResult: last === undefined ? undefined : last.content ?? JSON.stringify(last),
  };
}

function generate(req: RecordedRequest, model: string, stream: boolean): Reply {
  const body = req.body as Body;
  if (!body.contents?.length) return googleError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified');
  for (const [i, c] of body.contents.entries()) {
    if (c.role !== 'user' && c.role !== 'model') return googleError(400, 'INVALID_ARGUMENT', `Please use a valid role: user, model. (contents[${i}])`);
    if (c.parts?.some((p) => p.functionResponse && !p.functionResponse.name)) return googleError(400, 'INVALID_ARGUMENT', `* GenerateContentRequest.contents[${i}].parts: function_response.name: Name cannot be empty.`);
  }
  const answer = decide('gemini', readConversation(body));
  const usageMetadata = { promptTokenCount: USAGE.input, candidatesTokenCount: USAGE.output, cachedContentTokenCount: USAGE.cached, totalTokenCount: USAGE.input + USAGE.output };
  const meta = { modelVersion: model, responseId: 'resp-mock-1' };
  const candidate = (parts: Part[], finishReason?: string) => ({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finishReason ? { finishReason } : {}) }], ...meta });
  const finalParts: Part[] = answer.kind === 'text' ? [{ text: answer.text }] : [{ functionCall: { name: answer.name, args: answer.args } as Part['functionCall'] }];
  if (!stream) return { kind: 'json', body: { ...candidate(finalParts, 'STOP'), usageMetadata } };
  const events: unknown[] = [];
  if (answer.kind === 'text') {
    const ps = pieces(answer.text);
    ps.forEach((p, i) => events.push(i === ps.length - 1 ? { ...candidate([{ text: p }], 'STOP'), usageMetadata } : { ...candidate([{ text: p }]), usageMetadata: { promptTokenCount: USAGE.input, totalTokenCount: USAGE.input } }));
  } else {
    events.push({ ...candidate(finalParts, 'STOP'), usageMetadata });
  }
  return { kind: 'raw', contentType: 'text/event-stream', pieces: splitBytes(sse(events, { crlf: true }), 6) };
}
