/**
 * Just enough of a PNG decoder to check an exported picture is real and not blank: the chunk
 * structure, IHDR, and the pixels of 8-bit RGB/RGBA non-interlaced images (what a browser canvas
 * writes), with node:zlib for the deflate stream. No new dependency for one test.
 */
import { inflateSync } from 'node:zlib';

const MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Png {
  width: number;
  height: number;
  /** Bytes per pixel: 3 (RGB) or 4 (RGBA). */
  channels: number;
  /** Unfiltered pixel rows, `width * channels` bytes each, back to back. */
  pixels: Buffer;
}

export function isPng(b: Buffer): boolean {
  return b.length > MAGIC.length && b.subarray(0, MAGIC.length).equals(MAGIC);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reverses the per-row filters (PNG spec section 9). */
function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp]! : 0;
      const v = raw[src + x]!;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (pred === undefined) throw new Error(`bad PNG filter ${filter} in row ${y}`);
      out[row + x] = (v + pred) & 0xff;
    }
  }
  return out;
}

export function decodePng(b: Buffer): Png {
  if (!isPng(b)) throw new Error('not a PNG (magic bytes)');
  let off = MAGIC.length;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off + 8 <= b.length) {
    const len = b.readUInt32BE(off);
    const type = b.toString('latin1', off + 4, off + 8);
    const data = b.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6))
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (!width || !height) throw new Error('PNG without IHDR');
  const pixels = unfilter(inflateSync(Buffer.concat(idat)), width, height, channels);
  return { width, height, channels, pixels };
}

/** How many distinct colours, and how many pixels differ from the most common one. */
export function colourStats(p: Png): { distinct: number; notBackground: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < p.pixels.length; i += p.channels) {
    const a = p.channels === 4 ? p.pixels[i + 3]! : 255;
    const key = ((p.pixels[i]! << 16) | (p.pixels[i + 1]! << 8) | p.pixels[i + 2]!) * 256 + a;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let most = 0;
  for (const c of counts.values()) most = Math.max(most, c);
  return { distinct: counts.size, notBackground: p.width * p.height - most };
}

/** The RGB of the pixel at (x, y). */
export function pixelAt(p: Png, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * p.width + Math.round(x)) * p.channels;
  return [p.pixels[i]!, p.pixels[i + 1]!, p.pixels[i + 2]!];
}
