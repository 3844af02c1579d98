/**
 * Reads a V8 .cpuprofile (node --cpu-prof) of the bundled proxy and says where the time went:
 * by area (each of our source files, each dependency, Node internals, GC), by function (self
 * time), and for our functions, inclusive time. Bundle positions are mapped back to the source
 * files through the bundle's source map.
 */
import { readFileSync } from 'node:fs';
import { SourceMapLookup, type RawSourceMap } from './sourcemap';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

export interface Entry { name: string; where: string; ms: number; share: number }
export interface ProfileSummary {
  /** Sampled time not idle, ms. */
  busyMs: number;
  areas: Entry[];
  topSelf: Entry[];
  oursInclusive: Entry[];
}

interface Place { area: string; where: string; ours: boolean }

function placeOf(frame: CallFrame, bundle: string, map?: SourceMapLookup): Place | 'native' {
  const { url, functionName } = frame;
  if (!url && SPECIAL.has(functionName)) return { area: functionName === '(garbage collector)' ? 'GC' : functionName, where: '', ours: false };
  // V8 builtins and bindings (JSON.parse, writev, …) count for whoever called them.
  if (!url) return 'native';
  if (url.startsWith('node:')) return { area: 'Node internals', where: url.replace(/^node:(internal\/)?/, ''), ours: false };
  if (url.endsWith(bundle) && map) {
    const hit = map.lookup(frame.lineNumber, frame.columnNumber);
    if (hit) {
      const source = hit.source.replace(/^(\.\.\/)+/, '');
      const where = `${source}:${hit.line + 1}`;
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
      if (pkg) return { area: `dependency ${pkg}`, where, ours: false };
      return { area: source, where, ours: source.startsWith('src/') };
    }
  }
  return { area: url.split('/').slice(-2).join('/'), where: url, ours: false };
}

/** `skipMs`: leave out the first milliseconds of the profile (start-up and warm-up). */
export function summariseProfile(profileFile: string, bundle: string, mapFile: string | undefined, skipMs: number, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const map = mapFile ? new SourceMapLookup(JSON.parse(readFileSync(mapFile, 'utf8')) as RawSourceMap) : undefined;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < profile.samples.length - 1; i++) {
    t += profile.timeDeltas[i]!;
    if (t < skipMs * 1000) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + profile.timeDeltas[i + 1]!);
  }
  const places = new Map<number, Place>();
  const placeOfNode = (id: number): Place => {
    let p = places.get(id);
    if (p) return p;
    const raw = placeOf(byId.get(id)!.callFrame, bundle, map);
    const up = parent.get(id);
    if (raw !== 'native') p = raw;
    else if (up === undefined) p = { area: 'native code', where: '(native)', ours: false };
    else p = { ...placeOfNode(up), where: `(native, from ${placeOfNode(up).where})`, ours: false };
    places.set(id, p);
    return p;
  };
  for (const n of profile.nodes) placeOfNode(n.id);
  const fnKey = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\u0000${places.get(n.id)!.where}`;

  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const place = places.get(id)!;
    if (place.area === '(idle)') continue;
    busy += us;
    areas.set(place.area, (areas.get(place.area) ?? 0) + us);
    self.set(fnKey(node), (self.get(fnKey(node)) ?? 0) + us);
    // Inclusive time of our functions: each distinct function on the stack counts the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!places.get(cur)!.ours) continue;
      const k = fnKey(n);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const entries = (m: Map<string, number>, n: number): Entry[] => [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => {
      const [name, where = ''] = k.split('\u0000');
      return { name: name!, where, ms: us / 1000, share: us / busy };
    });
  return { busyMs: busy / 1000, areas: entries(areas, top), topSelf: entries(self, top), oursInclusive: entries(inclusive, top) };
}
