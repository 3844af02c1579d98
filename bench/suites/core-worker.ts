/**
 * Runs in its own process (started by core.ts, run with tsx): CPU time per request and per stream
 * chunk of the AnyModel core against plain fetch, the official openai SDK and the Vercel AI SDK,
 * sequential, in interleaved rounds (A B C D A B C D …), against the mock upstream at UPSTREAM.
 * Prints one JSON line of medians over the rounds. Per chunk is the slope between long and short streams, so the fixed cost
 * of a stream cancels out; the upstream spaces chunks so that each arrives in its own read.
 */
import OpenAI from 'openai';
import { AnyModelClient } from '../../src/core';
import { buildConfig } from '../../src/core';
import { requirePeer } from '../lib/peers';

/** Medians over the rounds (each round's figure is the mean of its requests or streams). */
export interface CoreRow {
  name: string;
  usPerRequest: number;
  usPerShortStream: number;
  usPerLongStream: number;
  usPerChunk: number;
  /** Per round, against the same round's openai SDK (requests) and plain fetch (chunks): the median. */
  requestVsSdk: number;
  chunkVsFetch: number;
}

interface Contender {
  name: string;
  once(): Promise<void>;
  /** Streams `words` chunks of answer text; resolves with how many parts/chunks it saw. */
  stream(words: number): Promise<number>;
}

const base = `${process.env.UPSTREAM}/v1`;
const rounds = Number(process.env.ROUNDS ?? 8);
const SHORT = 10;
const LONG = 100;
const PER_ROUND = { whole: 30, streams: 6 };
const WHOLE_WORDS = 20;
const messages = [{ role: 'user' as const, content: 'Say something short.' }];

function contenders(): Contender[] {
  // The peers live in bench/.peers, outside the project's dependencies: typed here by what we call.
  type Options = { model: unknown; messages: typeof messages; maxRetries: number; maxOutputTokens: number };
  const { generateText, streamText } = requirePeer('ai') as {
    generateText(o: Options): Promise<unknown>;
    streamText(o: Options): { fullStream: AsyncIterable<unknown> };
  };
  const { createOpenAICompatible } = requirePeer('@ai-sdk/openai-compatible') as { createOpenAICompatible(o: { name: string; baseURL: string; apiKey: string }): (model: string) => unknown };
  const vercel = createOpenAICompatible({ name: 'bench', baseURL: base, apiKey: 'bench-key' })('bench-model');
  const sdk = new OpenAI({ baseURL: base, apiKey: 'bench-key', maxRetries: 0 });
  const core = new AnyModelClient(buildConfig({ model_list: [{ model_name: 'bench', litellm_params: { model: 'openai/bench-model', api_base: base, api_key: 'bench-key' } }], litellm_settings: { num_retries: 0 } }, {}));
  const post = (words: number, stream: boolean) => fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body: JSON.stringify({ model: 'bench-model', messages, max_tokens: words, ...(stream ? { stream: true } : {}) }),
  });
  return [
    {
      name: 'fetch + SSE split',
      once: async () => { await (await post(WHOLE_WORDS, false)).json(); },
      stream: async (words) => {
        const reader = (await post(words, true)).body!.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        let n = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const event = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (event.startsWith('data: ') && event !== 'data: [DONE]') { JSON.parse(event.slice(6)); n++; }
          }
        }
        return n;
      },
    },
    {
      name: 'anymodel core',
      once: async () => { await core.chat({ model: 'bench', messages, max_tokens: WHOLE_WORDS }); },
      stream: async (words) => { let n = 0; for await (const _ of (await core.streamChat({ model: 'bench', messages, max_tokens: words })).parts) n++; return n; },
    },
    {
      name: 'openai SDK',
      once: async () => { await sdk.chat.completions.create({ model: 'bench-model', messages, max_tokens: WHOLE_WORDS }); },
      stream: async (words) => { let n = 0; for await (const _ of await sdk.chat.completions.create({ model: 'bench-model', messages, max_tokens: words, stream: true })) n++; return n; },
    },
    {
      name: 'Vercel AI SDK',
      once: async () => { await generateText({ model: vercel, messages, maxRetries: 0, maxOutputTokens: WHOLE_WORDS }); },
      stream: async (words) => { let n = 0; for await (const _ of streamText({ model: vercel, messages, maxRetries: 0, maxOutputTokens: words }).fullStream) n++; return n; },
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const cpuUs = () => { const c = process.cpuUsage(); return c.user + c.system; };

async function timed(times: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = cpuUs();
  for (let i = 0; i < times; i++) await fn();
  return cpuUs() - t0;
}

async function main(): Promise<void> {
  const list = contenders();
  const perRound = new Map(list.map((c) => [c.name, { whole: [] as number[], short: [] as number[], long: [] as number[], chunk: [] as number[] }]));
  // Warm-up: JIT, connections, and a check that every contender sees the whole stream.
  for (const c of list) {
    for (let i = 0; i < 30; i++) await c.once();
    for (let i = 0; i < 5; i++) await c.stream(SHORT);
    const parts = await c.stream(LONG);
    if (parts < LONG) throw new Error(`${c.name} saw ${parts} parts for ${LONG} chunks`);
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of list) {
      const t = perRound.get(c.name)!;
      t.whole.push((await timed(PER_ROUND.whole, () => c.once())) / PER_ROUND.whole);
      const short = (await timed(PER_ROUND.streams, () => c.stream(SHORT))) / PER_ROUND.streams;
      const long = (await timed(PER_ROUND.streams, () => c.stream(LONG))) / PER_ROUND.streams;
      t.short.push(short);
      t.long.push(long);
      t.chunk.push((long - short) / (LONG - SHORT));
    }
  }
  const ratios = (name: string, against: string, pick: 'whole' | 'chunk') => perRound.get(name)![pick].map((v, i) => v / perRound.get(against)![pick][i]!);
  const rows: CoreRow[] = list.map((c) => {
    const t = perRound.get(c.name)!;
    return {
      name: c.name, usPerRequest: median(t.whole), usPerShortStream: median(t.short), usPerLongStream: median(t.long), usPerChunk: median(t.chunk),
      requestVsSdk: median(ratios(c.name, 'openai SDK', 'whole')), chunkVsFetch: median(ratios(c.name, 'fetch + SSE split', 'chunk')),
    };
  });
  process.stdout.write(`${JSON.stringify({ rows, rounds, perRound: PER_ROUND, short: SHORT, long: LONG, wholeWords: WHOLE_WORDS })}\n`, () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`core-worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
