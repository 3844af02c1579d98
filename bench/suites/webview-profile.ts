/**
 * Where the webview's time goes while the long conversation opens and scrolls
 * (BENCH_WEBVIEW_PROFILE=1): Chromium's CPU profiler over the DevTools protocol, summarised by
 * source file and function through the bundle's source map (lib/cpuprofile.ts). The
 * .cpuprofile files stay in bench/results/profiles/ for DevTools.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { summariseProfile } from '../lib/cpuprofile';
import { BENCH_DIR } from '../lib/peers';
import { fmt, type Table } from '../lib/report';

export const webviewProfileWanted = (): boolean => process.env.BENCH_WEBVIEW_PROFILE === '1';

export class WebviewProfiler {
  private session: CDPSession | undefined;
  private readonly dir = join(BENCH_DIR, 'results', 'profiles');

  constructor(private readonly page: Page, private readonly mapFile: string) {}

  async start(): Promise<void> {
    this.session ??= await this.page.context().newCDPSession(this.page);
    await this.session.send('Profiler.enable');
    // 100 µs sampling: a long task of a second gets ~10,000 samples.
    await this.session.send('Profiler.setSamplingInterval', { interval: 100 });
    await this.session.send('Profiler.start');
  }

  /** Stops, keeps the profile as `name`.cpuprofile and returns its summary table. */
  async stop(name: string, title: string): Promise<Table> {
    const { profile } = await this.session!.send('Profiler.stop');
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `webview-${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const summary = summariseProfile(file, 'webview.js', this.mapFile, 0, 12);
    const row = (e: { name: string; where: string; ms: number; share: number }) => [e.name, e.where, fmt(e.ms, 1), `${fmt(e.share * 100, 1)} %`];
    return {
      title: `Webview profile: ${title} (${fmt(summary.busyMs, 0)} ms busy; ${file})`,
      headers: ['function / area', 'where', 'ms', 'share'],
      rows: [
        ...summary.areas.map((a) => [`[area] ${a.name}`, '', fmt(a.ms, 1), `${fmt(a.share * 100, 1)} %`]),
        ...summary.topSelf.map(row),
        ...summary.oursInclusive.map((e) => row({ ...e, name: `[incl] ${e.name}` })),
      ],
    };
  }
}

/** Writes the bundle's source map where the summariser can read it. */
export function keepSourceMap(map: Uint8Array): string {
  const dir = join(BENCH_DIR, 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'webview.js.map');
  writeFileSync(file, map);
  return file;
}
