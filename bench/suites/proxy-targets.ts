/**
 * The processes of the proxy suite: the mock upstream, the bare node:http hop (the floor), the
 * `anymodel proxy` from dist/cli.js and the peer gateway @portkey-ai/gateway, each its own process,
 * and the targets the load generator calls. Everything listens on and is called at 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTarget, send, type Target } from '../lib/load';
import { CPU } from '../lib/machine';
import { portkeyEntry, BENCH_DIR } from '../lib/peers';
import { startChild, type Child } from '../lib/processes';

export interface Contender {
  target: Target;
  /** The process to read CPU and memory from (none for direct). */
  child?: Child;
  /**
   * The target of the sequential keep-alive stream shape (the upstream's /seq paths: the first
   * chunk with the headers, SEQ_CHUNK_GAP_MS between chunks); a contender without one sits it out.
   */
  seq?: Target;
}

export interface ProxySetup {
  upstream: Child;
  contenders: Contender[];
  stop(): Promise<void>;
}

export const UPSTREAM_CHUNK_GAP_MS = Number(process.env.BENCH_CHUNK_GAP_MS ?? 5);

/** Another build of `anymodel proxy` (its cli.js) to measure beside dist/cli.js, named BASELINE_NAME. */
export const BENCH_BASELINE = process.env.BENCH_BASELINE;
export const BASELINE_NAME = 'anymodel baseline';

/** Gap between the chunks of a sequential keep-alive stream (the upstream's /seq paths). */
export const SEQ_CHUNK_GAP_MS = Number(process.env.BENCH_SEQ_GAP_MS ?? 10);

/** `model`: `bench-seq` is the proxy's model group served by the upstream's /seq paths. */
export const requestBody = (stream: boolean, words = 20, model = 'bench'): string =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'Say something short.' }], max_tokens: words, ...(stream ? { stream: true } : {}) });

/** A free port on 127.0.0.1, for the gateway that cannot be told to pick one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function startUpstream(pin: boolean, cpu: number, env: Record<string, string> = {}): Promise<Child> {
  return startChild({ name: 'upstream', args: [join(BENCH_DIR, 'upstream.mjs')], env: { PORT: '0', ...env }, cpu, ready: /upstream listening (\d+)/ }, pin);
}

/** Starts `anymodel proxy` (dist/cli.js) over one model, `bench`, served by the upstream. */
export async function startAnyModel(root: string, upstreamPort: number, pin: boolean, nodeFlags: string[] = [], cli = join(root, 'dist/cli.js'), name = 'anymodel proxy'): Promise<{ child: Child; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'anymodel-bench-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'model_list:',
    '  - model_name: bench',
    '    litellm_params:',
    '      model: openai/bench-model',
    `      api_base: http://127.0.0.1:${upstreamPort}/v1`,
    '      api_key: bench-key',
    '  - model_name: bench-seq',
    '    litellm_params:',
    '      model: openai/bench-model',
    `      api_base: http://127.0.0.1:${upstreamPort}/seq/v1`,
    '      api_key: bench-key',
    'litellm_settings:',
    '  num_retries: 0',
    '',
  ].join('\n'));
  const child = await startChild({
    name,
    args: [...nodeFlags, cli, 'proxy', '--config', config, '--port', '0', '--host', '127.0.0.1'],
    cpu: CPU.systemUnderTest,
    ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
  }, pin);
  return { child, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startProxySetup(root: string, pin: boolean): Promise<ProxySetup> {
  const children: Child[] = [];
  const cleanups: (() => void)[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
    for (const c of cleanups) c();
  };
  try {
    const upstream = await startUpstream(pin, CPU.upstream, { CHUNK_GAP_MS: String(UPSTREAM_CHUNK_GAP_MS), SEQ_CHUNK_GAP_MS: String(SEQ_CHUNK_GAP_MS) });
    children.push(upstream);
    const upstreamBase = `http://127.0.0.1:${upstream.port}`;
    const hop = await startChild({ name: 'node:http hop', args: [join(BENCH_DIR, 'hop.mjs')], env: { PORT: '0', UPSTREAM: upstreamBase }, cpu: CPU.systemUnderTest, ready: /hop listening (\d+)/ }, pin);
    children.push(hop);
    const anymodel = await startAnyModel(root, upstream.port, pin);
    children.push(anymodel.child);
    cleanups.push(anymodel.cleanup);
    // Another build of the proxy measured in the same run (BENCH_BASELINE=path/to/cli.js, say a
    // copy of dist/ from main): before/after ratios that a loaded machine moves alike.
    const baseline = BENCH_BASELINE ? await startAnyModel(root, upstream.port, pin, [], BENCH_BASELINE, BASELINE_NAME) : undefined;
    if (baseline) {
      children.push(baseline.child);
      cleanups.push(baseline.cleanup);
    }
    const pkPort = await freePort();
    // Portkey's CLI takes only a port; it binds every interface, but is only ever called on 127.0.0.1.
    const portkey = await startChild({ name: 'portkey gateway', args: [portkeyEntry(), `--port=${pkPort}`, '--headless'], cpu: CPU.systemUnderTest, ready: /Ready for connections/, port: pkPort }, pin);
    children.push(portkey);

    const key = { authorization: 'Bearer bench-key' };
    const contenders: Contender[] = [
      { target: makeTarget('direct', `${upstreamBase}/v1/chat/completions`, key), seq: makeTarget('direct', `${upstreamBase}/seq/v1/chat/completions`, key) },
      {
        target: makeTarget('node:http hop', `http://127.0.0.1:${hop.port}/v1/chat/completions`, key),
        seq: makeTarget('node:http hop', `http://127.0.0.1:${hop.port}/seq/v1/chat/completions`, key),
        child: hop,
      },
      {
        target: makeTarget('anymodel', `http://127.0.0.1:${anymodel.child.port}/v1/chat/completions`),
        seq: makeTarget('anymodel', `http://127.0.0.1:${anymodel.child.port}/v1/chat/completions`),
        child: anymodel.child,
      },
      ...(baseline ? [{
        target: makeTarget(BASELINE_NAME, `http://127.0.0.1:${baseline.child.port}/v1/chat/completions`),
        seq: makeTarget(BASELINE_NAME, `http://127.0.0.1:${baseline.child.port}/v1/chat/completions`),
        child: baseline.child,
      }] : []),
      {
        target: makeTarget('portkey', `http://127.0.0.1:${pkPort}/v1/chat/completions`, {
          authorization: 'Bearer bench-key', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamBase}/v1`,
        }),
        child: portkey,
      },
    ];
    for (const { target, seq } of contenders) {
      await probe(target);
      if (seq) await probeSeq(seq);
    }
    return { upstream, contenders, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A sequential-shape stream must come back whole (the proxy's `bench-seq` group, the upstream's /seq path). */
async function probeSeq(t: Target): Promise<void> {
  const r = await send(t, requestBody(true, 3, 'bench-seq'));
  if (!r.ok) throw new Error(`${t.name} does not answer a streamed chat completion on the sequential shape`);
}

/** One whole and one streamed request must come back right before anything is measured. */
async function probe(t: Target): Promise<void> {
  for (const stream of [false, true]) {
    const r = await send(t, requestBody(stream));
    if (!r.ok) throw new Error(`${t.name} does not answer a ${stream ? 'streamed' : 'whole'} chat completion`);
  }
}
