// A mock OpenAI-compatible upstream for benchmarks, run in its own process so that it never
// shares an event loop with the system under test. 127.0.0.1 only.
// Env: PORT (0 = any), LATENCY_MS (before the answer), CHUNKS and CHUNK_GAP_MS (streams).
import http from 'node:http';

const latency = Number(process.env.LATENCY_MS ?? 0);
const chunks = Number(process.env.CHUNKS ?? 20);
const gap = Number(process.env.CHUNK_GAP_MS ?? 0);
const usage = { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks };
const whole = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(chunks).trim() }, finish_reason: 'stop' }], usage,
});
const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench-model', choices: [], usage })}\n\n`;
const wait = (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

const server = http.createServer(async (req, res) => {
  let body = '';
  for await (const c of req) body += c;
  const stream = body.includes('"stream":true');
  await wait(latency);
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(whole) });
    res.end(whole);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(chunk({ role: 'assistant', content: '' }));
  for (let i = 0; i < chunks; i++) {
    if (gap) await wait(gap);
    res.write(chunk({ content: i ? ' word' : 'word' }));
  }
  res.end(chunk({}, 'stop') + (body.includes('include_usage') ? usageChunk : '') + 'data: [DONE]\n\n');
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
