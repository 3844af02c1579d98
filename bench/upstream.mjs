// A mock OpenAI-compatible upstream (POST /v1/chat/completions) for the benchmarks, run in its own
// process so that it never shares an event loop with the system under test. Listens on 127.0.0.1.
// Env: PORT (0 = any free port), LATENCY_MS (wait before answering), CHUNKS (words in an answer
// when the request sets no max_tokens), CHUNK_GAP_MS (wait between stream chunks; 0 = write them
// back to back), SEQ_CHUNK_GAP_MS (the same for paths under /seq, default 10). The answer is
// `max_tokens` words, so a client sets the stream length per request. Under /seq (the sequential
// keep-alive shape: /seq/v1/chat/completions) a stream's first chunk already carries answer text
// and goes out with the headers, in one write, as a fast provider's first token does; the gap
// comes before each later chunk.
import http from 'node:http';

const latency = Number(process.env.LATENCY_MS ?? 0);
const defaultChunks = Number(process.env.CHUNKS ?? 20);
const gap = Number(process.env.CHUNK_GAP_MS ?? 0);
const seqGap = Number(process.env.SEQ_CHUNK_GAP_MS ?? 10);
const base = { id: 'chatcmpl-bench', created: 1700000000, model: 'bench-model' };
const usageOf = (n) => ({ prompt_tokens: 12, completion_tokens: n, total_tokens: 12 + n });
const whole = (n) => JSON.stringify({
  ...base, object: 'chat.completion', system_fingerprint: null,
  choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(n).trim(), refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: usageOf(n),
});
const event = (o) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...o })}\n\n`;
const delta = (d, finish = null) => event({ choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

const server = http.createServer(async (req, res) => {
  let text = '';
  for await (const c of req) text += c;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
    return;
  }
  const n = Math.max(1, Math.min(10_000, Number(body.max_tokens ?? body.max_completion_tokens ?? defaultChunks)));
  if (latency > 0) await wait(latency);
  if (!body.stream) {
    const out = whole(n);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const seq = req.url.startsWith('/seq/');
  // Node sends the headers with the first write, so this chunk leaves with them.
  res.write(delta({ role: 'assistant', content: seq ? 'word' : '' }));
  for (let i = seq ? 1 : 0; i < n; i++) {
    const pause = seq ? seqGap : gap;
    if (pause > 0) await wait(pause);
    if (res.destroyed) return;
    res.write(delta({ content: i ? ' word' : 'word' }));
  }
  const usage = body.stream_options?.include_usage ? event({ choices: [], usage: usageOf(n) }) : '';
  res.end(`${delta({}, 'stop')}${usage}data: [DONE]\n\n`);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`upstream listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
