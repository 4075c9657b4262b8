/**
 * Sealed segments are gzipped (history JSON shrinks about tenfold): the compressed file is
 * written beside the original, synced, then renamed into place, and only then is the original
 * removed, so a crash at any step leaves one whole copy that `open` recognises.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export const GZ = '.gz';
const TMP = '.tmp';

export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Compresses `path` to `path.gz` and removes `path`; returns the compressed size. */
export function compressSegment(path: string): number {
  const packed = gzipSync(readFileSync(path), { level: 6 });
  const tmp = `${path}${GZ}${TMP}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, packed);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, `${path}${GZ}`);
  syncDir(dirname(path));
  unlinkSync(path);
  return packed.length;
}

/** A segment's whole content (uncompressed), or null when a compressed one cannot be read. */
export function readSegment(path: string): Buffer | null {
  const raw = readFileSync(path);
  if (!path.endsWith(GZ)) return raw;
  try {
    return gunzipSync(raw);
  } catch {
    return null;
  }
}

export function isLeftover(name: string): boolean {
  return name.endsWith(`${GZ}${TMP}`);
}
