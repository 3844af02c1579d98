/**
 * Core cost: CPU per request and per stream chunk of the AnyModel core against plain fetch, the
 * official openai SDK and the Vercel AI SDK, all in this process against the same upstream
 * (another process), sequential, in interleaved rounds so drift hits every contender alike.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import OpenAI from 'openai';
import { AnyModelClient } from '../src/core/client';
import { buildConfig } from '../src/core/config/load';
import { startChild } from './processes';
import { PEERS_DIR } from './peers';

interface Contender { name: string; once(): Promise<void>; stream(): Promise<number> }
export interface CoreRow { name: string; usPerRequest: number; usPerChunk: number }

const messages = [{ role: 'user' as const, content: 'Say something short.' }];

async function contenders(base: string): Promise<Contender[]> {
  const peer = createRequire(join(PEERS_DIR, 'package.json'));
  // The peers live in bench/.peers, outside the project's dependencies: typed here by what we call.
  const { generateText, streamText } = peer('ai') as {
    generateText(o: { model: unknown; messages: typeof messages; maxRetries: number }): Promise<unknown>;
    streamText(o: { model: unknown; messages: typeof messages; maxRetries: number }): { fullStream: AsyncIterable<unknown> };
  };
  const { createOpenAICompatible } = peer('@ai-sdk/openai-compatible') as { createOpenAICompatible(o: { name: string; baseURL: string; apiKey: string }): (model: string) => unknown };
  const vercel = createOpenAICompatible({ name: 'bench', baseURL: base, apiKey: 'bench-key' })('bench-model');
  const sdk = new OpenAI({ baseURL: base, apiKey: 'bench-key', maxRetries: 0 });
  const core = new AnyModelClient(buildConfig({ model_list: [{ model_name: 'bench', litellm_params: { model: 'openai/bench-model', api_base: base, api_key: 'bench-key' } }], litellm_settings: { num_retries: 0 } }, {}));
  const post = (stream: boolean) => fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' }, body: JSON.stringify({ model: 'bench-model', messages, ...(stream ? { stream: true } : {}) }) });
  return [
    {
      name: 'fetch',
      once: async () => { await (await post(false)).json(); },
      stream: async () => {
        const reader = (await post(true)).body!.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        let n = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (line.startsWith('data: ') && line !== 'data: [DONE]') { JSON.parse(line.slice(6)); n++; }
          }
        }
        return n;
      },
    },
    {
      name: 'anymodel',
      once: async () => { await core.chat({ model: 'bench', messages }); },
      stream: async () => { let n = 0; for await (const _ of (await core.streamChat({ model: 'bench', messages })).parts) n++; return n; },
    },
    {
      name: 'openai SDK',
      once: async () => { await sdk.chat.completions.create({ model: 'bench-model', messages }); },
      stream: async () => { let n = 0; for await (const _ of await sdk.chat.completions.create({ model: 'bench-model', messages, stream: true })) n++; return n; },
    },
    {
      name: 'Vercel AI SDK',
      once: async () => { await generateText({ model: vercel, messages, maxRetries: 0 }); },
      stream: async () => { let n = 0; for await (const _ of streamText({ model: vercel, messages, maxRetries: 0 }).fullStream) n++; return n; },
    },
  ];
}

const cpuUs = () => { const c = process.cpuUsage(); return c.user + c.system; };

export async function coreCost(rounds: number, perRound: number, chunks: number): Promise<CoreRow[]> {
  const upstream = await startChild(process.execPath, [join(__dirname, 'upstream.mjs')], { PORT: '0', CHUNKS: String(chunks) }, /listening (\d+)/);
  try {
    const list = await contenders(`http://127.0.0.1:${upstream.port}/v1`);
    const totals = new Map(list.map((c) => [c.name, { once: 0, stream: 0, requests: 0, chunks: 0 }]));
    for (const c of list) { await c.once(); await c.stream(); } // warm-up: JIT, connections
    for (let r = 0; r < rounds; r++) {
      for (const c of list) {
        const t = totals.get(c.name)!;
        let t0 = cpuUs();
        for (let i = 0; i < perRound; i++) await c.once();
        t.once += cpuUs() - t0;
        t.requests += perRound;
        t0 = cpuUs();
        for (let i = 0; i < perRound; i++) await c.stream();
        t.stream += cpuUs() - t0;
        t.chunks += perRound * chunks;
      }
    }
    return list.map((c) => {
      const t = totals.get(c.name)!;
      return { name: c.name, usPerRequest: t.once / t.requests, usPerChunk: t.stream / t.chunks };
    });
  } finally {
    upstream.stop();
  }
}
