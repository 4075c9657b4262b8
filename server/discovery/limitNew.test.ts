import { describe, expect, it } from 'vitest';
import type { FoundNamespace, Scan } from './enumerate.js';
import { limitNew } from './limitNew.js';

function scanOf(inodes: number[]): Scan {
  const namespaces = new Map<number, FoundNamespace>();
  for (const inode of inodes) namespaces.set(inode, { inode, netnsNames: [], mounts: [], pids: [], fds: [] });
  return { hostInode: 1, hostPath: '/proc/self/ns/net', namespaces, errors: [] };
}

describe('limitNew', () => {
  it('keeps the host, known and asked-for namespaces and the first `limit` other new ones', () => {
    const { scan, leftOut } = limitNew(scanOf([1, 2, 3, 4, 5, 6, 7]), new Set([2]), [6], 1);
    expect([...scan.namespaces.keys()]).toEqual([1, 2, 3, 6]);
    expect(leftOut).toEqual([4, 5, 7]);
  });

  it('leaves the scan as it is without a limit or when nothing is left out', () => {
    const s = scanOf([1, 2, 3]);
    expect(limitNew(s, new Set(), [], undefined)).toEqual({ scan: s, leftOut: [] });
    expect(limitNew(s, new Set([2]), [], 5).scan).toBe(s);
    expect(limitNew(s, new Set(), [], 0).leftOut).toEqual([2, 3]);
  });
});
