/**
 * A real PNG from raw scanlines, for tests that paste or send images: each row of `rows` is a
 * filter byte (0) and then the row's pixels, grayscale (1 byte) or RGB (3 bytes) per pixel.
 */
import { crc32, deflateSync } from 'node:zlib';

export function encodePng(width: number, height: number, colour: 'gray' | 'rgb', rows: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colour === 'rgb' ? 2 : 0, 0, 0, 0], 8); // bit depth 8; colour type; compression, filter, interlace 0
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
