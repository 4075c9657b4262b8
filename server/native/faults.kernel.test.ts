/**
 * The native reader's faults (issue 12): setns refused (EPERM) is an error on that namespace
 * only; 10,000 reads leave no fd, thread or namespace reference behind.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh, uniquePrefix } from '../../test/kernel.js';
import type { TestNamespaces } from '../../test/testNamespaces.js';
import { makeNamespaces } from '../../test/testNamespaces.js';
import { nativeRead } from './binding.js';
import type { NativeJob } from './binding.js';

const ADDON = fileURLToPath(new URL('../../build/Release/netns_read.node', import.meta.url));
let m: TestNamespaces | null = null;

function openFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // the directory listing's own fd, closed meanwhile
    }
  }
  return out;
}

beforeAll(async () => {
  m = await makeNamespaces(uniquePrefix('nf'), ['named', 'named']);
  await sh(`nsenter --net=${m.paths[0]} ip link add f0 type veth peer name f1 netns ${m.paths[1]}`);
});

afterAll(async () => {
  await m?.remove();
});

describe('native reader faults (kernel)', () => {
  it('setns refused (EPERM) is an error on that namespace only', async () => {
    // A root of a user namespace of its own may enter its own network namespace, not the host's
    // children: the one honest way to get EPERM from setns while running as root.
    const script = `
      const a = require(${JSON.stringify(ADDON)});
      const job = (path) => ({ path, targets: [], assign: false });
      a.read([job('/proc/self/ns/net'), job(${JSON.stringify(m!.paths[0])}), job('/proc/self/ns/net')],
        (e, r) => console.log(JSON.stringify({ e, r: r.map((x) => ({ inode: x.inode, error: x.error, links: x.links.length })) })));`;
    const out = await sh(
      `unshare --user --map-root-user --net ${process.execPath} -e '${script.replace(/'/g, `'"'"'`)}'`,
    );
    const { e, r } = JSON.parse(out.trim()) as {
      e: string | null;
      r: Array<{ inode: number; error: string | null; links: number }>;
    };
    expect(e).toBeNull();
    expect(r.map((x) => x.error)).toEqual([null, 'setns: Operation not permitted', null]);
    expect(r[1]!.inode).toBe(m!.inodes[0]);
    expect(r[0]!.links).toBeGreaterThan(0);
    expect(r[2]!.links).toBe(r[0]!.links);
  });

  it('10,000 reads leave no fd, thread or namespace reference behind', { timeout: 300_000 }, async () => {
    const [a, b] = m!.paths as [string, string];
    const fdsBefore = openFds();
    const tasksBefore = readdirSync('/proc/self/task').length;
    let reads = 0;
    for (let call = 0; call < 100; call++) {
      const jobs: NativeJob[] = [];
      for (let i = 0; i < 100; i++)
        jobs.push(
          i % 2 ? { path: a, targets: [b], assign: false } : { path: b, targets: [a], assign: false },
        );
      const results = await nativeRead(jobs);
      for (const [i, r] of results.entries()) {
        expect(r.error).toBeNull();
        expect(r.inode).toBe(m!.inodes[i % 2 ? 0 : 1]);
        expect(r.links.length).toBeGreaterThan(0);
        // ip link add ... netns assigned each side an nsid for the other.
        expect(r.nsids[0]).toBeGreaterThanOrEqual(0);
        expect(r.targetInodes[0]).toBe(m!.inodes[i % 2 ? 1 : 0]);
        reads++;
      }
    }
    expect(reads).toBe(10_000);
    const fdsAfter = openFds();
    expect(fdsAfter.length).toBe(fdsBefore.length);
    expect(fdsAfter.filter((l) => l.startsWith('net:['))).toEqual(
      fdsBefore.filter((l) => l.startsWith('net:[')),
    );
    expect(readdirSync('/proc/self/task').length).toBe(tasksBefore);
  });
});
