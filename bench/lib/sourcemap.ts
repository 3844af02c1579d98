/** Just enough of source map v3 to say which source file a position in a bundle comes from. */

const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

export interface RawSourceMap {
  sources: string[];
  mappings: string;
}

export class SourceMapLookup {
  /** Per generated line: flat [column, sourceIndex, originalLine, …], sorted by column. */
  private readonly lines: number[][] = [];

  constructor(private readonly map: RawSourceMap) {
    let source = 0;
    let origLine = 0;
    for (const line of map.mappings.split(';')) {
      const segs: number[] = [];
      let col = 0;
      for (const seg of line.split(',')) {
        if (!seg) continue;
        const v = decodeVlq(seg);
        col += v[0]!;
        if (v.length >= 4) {
          source += v[1]!;
          origLine += v[2]!;
          segs.push(col, source, origLine);
        }
      }
      this.lines.push(segs);
    }
  }

  /** The source file and 0-based line for a 0-based generated line and column. */
  lookup(line: number, column: number): { source: string; line: number } | undefined {
    const segs = this.lines[line];
    if (!segs?.length) return undefined;
    let found = -1;
    for (let i = 0; i < segs.length; i += 3) {
      if (segs[i]! > column) break;
      found = i;
    }
    if (found < 0) found = 0;
    return { source: this.map.sources[segs[found + 1]!]!, line: segs[found + 2]! };
  }
}

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const digit = B64.get(ch)!;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}
