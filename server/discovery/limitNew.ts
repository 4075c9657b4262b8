/**
 * Pure: the part of a scan a bounded refresh works on (RefreshOptions.newLimit). Namespaces
 * already read, those asked for and the first `limit` other new ones stay; the rest are left out
 * (neither read nor shown) for a later refresh. The host always stays.
 */
import type { FoundNamespace, Scan } from './enumerate.js';

export function limitNew(
  scan: Scan,
  known: { has(inode: number): boolean },
  asked: readonly number[],
  limit: number | undefined,
): { scan: Scan; leftOut: number[] } {
  if (limit === undefined) return { scan, leftOut: [] };
  const wanted = new Set(asked);
  const namespaces = new Map<number, FoundNamespace>();
  const leftOut: number[] = [];
  let taken = 0;
  for (const [ino, ns] of scan.namespaces) {
    const keep = ino === scan.hostInode || known.has(ino) || wanted.has(ino) || taken++ < limit;
    if (keep) namespaces.set(ino, ns);
    else leftOut.push(ino);
  }
  return leftOut.length === 0 ? { scan, leftOut } : { scan: { ...scan, namespaces }, leftOut };
}
