/**
 * Namespaces vanishing while discovery runs: named ones deleted and `unshare -n` holders killed
 * one by one while full() and refresh() run in loops. No call may throw; a namespace gone before
 * a call started is absent from its result (or marked with an error); a namespace reported
 * without error carries its own contents (its marker address), never another namespace's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import type { Namespace } from '../common/model.js';
import type { DiscoveryResult } from '../server/discovery/index.js';
import { createDiscovery } from '../server/discovery/index.js';
import type { Holder } from './kernel.js';
import { cleanupPrefix, sh, spawnNetnsHolder, uniquePrefix } from './kernel.js';

const P = uniquePrefix('dv');
const N = 40;
const holders = new Map<number, Holder>();
const paths: string[] = [];
const inodes: number[] = [];
/** What makes namespace i ours: its name, or its holder's pid (nsfs inodes are recycled). */
const owner: Array<{ name?: string; pid?: number }> = [];

beforeAll(async () => {
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) {
      await sh(`ip netns add ${P}n${i}`);
      paths.push(`/run/netns/${P}n${i}`);
      owner.push({ name: `${P}n${i}` });
    } else {
      const h = await spawnNetnsHolder();
      holders.set(i, h);
      paths.push(h.path);
      owner.push({ pid: h.pid });
    }
    inodes.push(statSync(paths[i]!).ino);
    // A marker address unique to namespace i, and a veth to the previous one (peers that vanish).
    const prev = i > 0 ? `link add v${i} type veth peer name w${i} netns ${paths[i - 1]}\n` : '';
    await sh(
      `printf 'link set lo up\\naddr add 10.61.${i}.1/32 dev lo\\n${prev}' | nsenter --net=${paths[i]} ip -b -`,
    );
  }
}, 120_000);

afterAll(async () => {
  for (const h of holders.values()) await h.stop();
  await cleanupPrefix(P);
}, 60_000);

const isOurs = (i: number, n: Namespace): boolean =>
  n.inode === inodes[i] &&
  (owner[i]!.name !== undefined ? n.netnsNames.includes(owner[i]!.name!) : n.pids.includes(owner[i]!.pid!));

interface Observation {
  startedAt: number;
  result: DiscoveryResult;
}

/** Problems in one result: namespaces gone before the call, or contents that are not their own. */
function problems(o: Observation, goneAt: Map<number, number>): string[] {
  const out: string[] = [];
  for (const i of inodes.keys()) {
    const ns = o.result.topology.namespaces.find((n) => isOurs(i, n));
    const gone = goneAt.get(i);
    if (!ns) continue;
    if (gone !== undefined && gone < o.startedAt && ns.error === null)
      out.push(`ns ${i} deleted before the call yet reported without error`);
    if (ns.error !== null) continue;
    const addrs = o.result.topology.interfaces
      .filter((x) => x.namespace === ns.id)
      .flatMap((x) => x.addresses.map((a) => a.cidr));
    if (!addrs.includes(`10.61.${i}.1/32`)) out.push(`ns ${i} reported with foreign contents: ${addrs}`);
    const foreign = addrs.filter((a) => a.startsWith('10.61.') && a !== `10.61.${i}.1/32`);
    if (foreign.length > 0) out.push(`ns ${i} shows another namespace's addresses ${foreign}`);
  }
  return out;
}

describe('namespaces vanishing during discovery', () => {
  it('never throws and never reports a vanished namespace with contents not its own', async () => {
    const goneAt = new Map<number, number>();
    const seen: Observation[] = [];
    let deleting = true;
    const refresher = createDiscovery();
    await refresher.full();
    const loop = async (call: () => Promise<DiscoveryResult>) => {
      // One more call after the last deletion, so a result without any of them is seen too.
      for (let last = false; !last;) {
        last = !deleting;
        const startedAt = performance.now();
        seen.push({ startedAt, result: await call() });
        // Once every namespace is gone a refresh may finish without real I/O: yield to the event
        // loop, or this promise chain starves it (no SIGCHLD handled, so no holder ever exits).
        await new Promise((r) => setImmediate(r));
      }
    };
    const loops = [
      loop(() => createDiscovery().full()),
      loop(() => refresher.refresh(inodes)),
      loop(() => createDiscovery({ chunks: 1 }).full()),
    ];
    try {
      for (let i = 0; i < N; i++) {
        const h = holders.get(i);
        if (h) {
          await h.stop();
          holders.delete(i);
        } else await sh(`ip netns del ${P}n${i}`);
        goneAt.set(i, performance.now());
      }
    } finally {
      deleting = false;
    }
    await Promise.all(loops);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(seen.flatMap((o) => problems(o, goneAt))).toEqual([]);
    // Calls that started after every deletion no longer list them.
    const after = seen.filter((o) => o.startedAt > Math.max(...goneAt.values()));
    expect(after.length).toBeGreaterThanOrEqual(3);
    for (const o of after)
      expect(o.result.topology.namespaces.filter((n) => inodes.some((_, i) => isOurs(i, n)))).toEqual([]);
  }, 300_000);
});
