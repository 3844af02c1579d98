/**
 * Proxy overhead: the same mock upstream called directly, through `anymodel proxy` and through the
 * peer gateway @portkey-ai/gateway, at fixed open-loop rates, at maximum throughput, and streamed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop, openLoop, pct, send, type PhaseResult, type Target } from './load';
import { cpuMs, rssMb, startChild, type Child } from './processes';
import { portkeyEntry } from './peers';

export interface ProxyRow { target: string; phase: string; achievedRps: number; p50: number; p90: number; p99: number; addedP50?: number; addedP90?: number; addedP99?: number; cpuMsPerReq?: number; rssMb?: number; errors: number }
export interface StreamRow { target: string; ttfcP50: number; ttfcP95: number; endP50: number; endP95: number; addedTtfcP95?: number; addedEndP95?: number }

const body = (stream: boolean) => JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say something short.' }], ...(stream ? { stream: true } : {}) });

export async function proxyOverhead(phaseS: number, warmS: number, log: (s: string) => void): Promise<{ rows: ProxyRow[]; maxRps: Record<string, number>; streams: StreamRow[] }> {
  const children: Child[] = [];
  try {
    const upstream = await startChild(process.execPath, [join(__dirname, 'upstream.mjs')], { PORT: '0', CHUNKS: '20' }, /listening (\d+)/);
    children.push(upstream);
    const dir = mkdtempSync(join(tmpdir(), 'anymodel-bench-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `model_list:\n  - model_name: bench\n    litellm_params:\n      model: openai/bench-model\n      api_base: http://127.0.0.1:${upstream.port}/v1\n      api_key: bench-key\nlitellm_settings:\n  num_retries: 0\n`);
    const anymodel = await startChild(process.execPath, [join(__dirname, '../dist/cli.js'), 'proxy', '--config', config, '--port', '0'], { ANYMODEL_MASTER_KEY: '' }, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
    children.push(anymodel);
    const pkPort = 20000 + Math.floor(Math.random() * 20000);
    const portkey = await startChild(process.execPath, [portkeyEntry(), `--port=${pkPort}`, '--headless'], {}, /(Ready for connections)/, pkPort);
    children.push(portkey);

    const targets: { t: Target; child?: Child }[] = [
      { t: { name: 'direct', url: new URL(`http://127.0.0.1:${upstream.port}/v1/chat/completions`), headers: { authorization: 'Bearer bench-key' }, body } },
      { t: { name: 'anymodel', url: new URL(`http://127.0.0.1:${anymodel.port}/v1/chat/completions`), headers: {}, body }, child: anymodel },
      { t: { name: 'portkey', url: new URL(`http://127.0.0.1:${pkPort}/v1/chat/completions`), headers: { authorization: 'Bearer bench-key', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${upstream.port}/v1` }, body }, child: portkey },
    ];
    for (const { t } of targets) {
      const probe = await send(t, false);
      if (!probe.ok) throw new Error(`${t.name} does not answer`);
    }

    const rows: ProxyRow[] = [];
    for (const rate of [100, 500]) {
      const direct: Record<string, PhaseResult> = {};
      for (const { t, child } of targets) {
        await openLoop(t, rate, warmS);
        const cpu0 = child ? cpuMs(child.proc.pid!) : 0;
        const r = await openLoop(t, rate, phaseS);
        const row: ProxyRow = { target: t.name, phase: `${rate} rps`, achievedRps: r.ok / r.seconds, p50: pct(r.latencies, 50), p90: pct(r.latencies, 90), p99: pct(r.latencies, 99), errors: r.sent - r.ok };
        if (child) {
          row.cpuMsPerReq = (cpuMs(child.proc.pid!) - cpu0) / Math.max(1, r.ok);
          row.rssMb = rssMb(child.proc.pid!);
        }
        if (t.name === 'direct') direct[rate] = r;
        else {
          const d = direct[rate]!;
          row.addedP50 = row.p50 - pct(d.latencies, 50);
          row.addedP90 = row.p90 - pct(d.latencies, 90);
          row.addedP99 = row.p99 - pct(d.latencies, 99);
        }
        rows.push(row);
        log(`  ${t.name} @ ${rate} rps: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms`);
      }
    }

    const maxRps: Record<string, number> = {};
    for (const { t } of targets) {
      await closedLoop(t, 50, warmS);
      const r = await closedLoop(t, 50, phaseS);
      maxRps[t.name] = r.ok / r.seconds;
      log(`  ${t.name} max throughput: ${maxRps[t.name]!.toFixed(0)} rps`);
    }

    const streams: StreamRow[] = [];
    let directStream: StreamRow | undefined;
    for (const { t } of targets) {
      await openLoop(t, 50, warmS, true);
      const r = await openLoop(t, 50, phaseS, true);
      const row: StreamRow = { target: t.name, ttfcP50: pct(r.firstChunks, 50), ttfcP95: pct(r.firstChunks, 95), endP50: pct(r.latencies, 50), endP95: pct(r.latencies, 95) };
      if (directStream) {
        row.addedTtfcP95 = row.ttfcP95 - directStream.ttfcP95;
        row.addedEndP95 = row.endP95 - directStream.endP95;
      } else directStream = row;
      streams.push(row);
    }
    return { rows, maxRps, streams };
  } finally {
    for (const c of children) c.stop();
  }
}
