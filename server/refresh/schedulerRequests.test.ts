/** The scheduler's handling of new namespaces, nsid maps, host device events, scans and its log. */
import { describe, expect, it } from 'vitest';
import { RefreshScheduler } from './scheduler.js';
import type { HostDevice } from './schedulerTypes.js';
import { FakeDiscovery, sink, topoWith } from './testing/schedulerTestKit.js';

describe('RefreshScheduler requests', () => {
  it('shows new namespaces first, then gives them nsids and reads them again', async () => {
    const d = new FakeDiscovery();
    const order: string[] = [];
    const { s, deltas } = sink();
    const ensure = async (inodes?: Iterable<number>) => {
      order.push(`nsids for ${[...(inodes ?? [])].join(',')} after ${deltas.length} delta`);
    };
    const sched = new RefreshScheduler(Object.assign(d, { ensureHostNsids: ensure }), s, {
      coalesceMs: 1,
    });
    d.next = topoWith(['new']);
    sched.added([7]);
    await sched.idle();
    expect(order).toEqual(['nsids for 7 after 1 delta']);
    expect(d.calls).toEqual([
      { kind: 'refresh', inodes: [7] },
      { kind: 'refresh', inodes: [7] },
    ]);
  });

  it('takes the host nsid map from the assignment, and reads the host only when it has none', async () => {
    for (const map of [new Map([[5, 7]]), null]) {
      const d = new FakeDiscovery();
      const maps: Array<Map<number, number>> = [];
      const { s } = sink();
      const sched = new RefreshScheduler(
        Object.assign(d, { ensureHostNsids: async () => map }),
        { ...s, hostNsids: (m) => maps.push(m) },
        { coalesceMs: 1, hostInode: 1, hostQuietMs: 1 },
      );
      d.next = topoWith(['new']);
      sched.added([7]);
      await sched.idle();
      const reads = [
        { kind: 'refresh', inodes: [7] },
        { kind: 'refresh', inodes: [7] },
      ];
      if (map) {
        expect(d.calls).toEqual(reads);
        expect(maps).toContainEqual(map);
      } else {
        expect(d.calls).toEqual([...reads, { kind: 'refresh', inodes: [1] }]);
      }
    }
  });

  it('names namespaces a re-list found and fetches the nsid map when asked, without a host read', async () => {
    const d = new FakeDiscovery();
    const asked: number[][] = [];
    const maps: Array<Map<number, number>> = [];
    const refresh = d.refresh;
    let first = true;
    const sched = new RefreshScheduler(
      Object.assign(d, {
        refresh: async (inodes: Iterable<number>) => {
          const r = await refresh(inodes);
          if (!first) return r;
          first = false;
          return { ...r, newWithoutHost: [9] };
        },
        ensureHostNsids: async (inodes?: Iterable<number>) => {
          asked.push([...(inodes ?? [])]);
          return new Map([[3, 9]]);
        },
      }),
      { ...sink().s, hostNsids: (m) => maps.push(m) },
      { coalesceMs: 1, hostInode: 1, hostQuietMs: 1 },
    );
    sched.list();
    await sched.idle();
    sched.nsidMap();
    await sched.idle();
    expect(asked).toEqual([[9], []]);
    expect(maps.filter((m) => m.get(3) === 9)).toHaveLength(2);
    expect(d.calls.some((c) => c.inodes.includes(1))).toBe(false);
    expect(d.calls[1]).toEqual({ kind: 'refresh', inodes: [9] });
  });

  it('merges events about one host device: routes skipped only for link events alone with the same flags, the last link event says deleted', async () => {
    const d = new FakeDiscovery();
    const seen: HostDevice[][] = [];
    const refresh = d.refresh;
    const sched = new RefreshScheduler(
      Object.assign(d, {
        refresh: (inodes: Iterable<number>, opts?: { hostDevices?: readonly HostDevice[] }) => {
          seen.push([...(opts?.hostDevices ?? [])]);
          return refresh(inodes);
        },
      }),
      sink().s,
      { coalesceMs: 5, hostInode: 1 },
    );
    const up = ['BROADCAST', 'UP', 'LOWER_UP'];
    const dev = (ifindex: number | null, name: string, more: { flags?: string[]; deleted?: true } = {}) =>
      sched.hostDevice({ ifindex, name, ...more });
    dev(3, 'p1', { flags: up });
    dev(3, 'p1', { flags: up }); // the same state twice (an STP port state change)
    dev(4, 'p2', { flags: up });
    dev(4, 'p2', { flags: ['BROADCAST', 'UP'] }); // its carrier went and came back
    dev(5, 'p3', { flags: up });
    dev(null, 'p3'); // a route through it
    // Deleted: its routes went first (route events), then the link. The last link event counts.
    dev(null, 'p4');
    dev(6, 'p4', { deleted: true });
    dev(7, 'p5', { deleted: true });
    dev(8, 'p5', { flags: up }); // made again under the same name
    await sched.idle();
    const byName = Object.fromEntries(seen.flat().map((h) => [h.name, h]));
    expect(byName).toEqual({
      p1: { ifindex: 3, name: 'p1', linkFlags: up },
      p2: { ifindex: 4, name: 'p2' },
      p3: { ifindex: null, name: 'p3' },
      p4: { ifindex: null, name: 'p4', deleted: true },
      p5: { ifindex: null, name: 'p5' },
    });
  });

  it('lets discovery reuse its last scan only for changes inside known namespaces', async () => {
    const d = new FakeDiscovery();
    const reuse: Array<boolean | undefined> = [];
    const refresh = d.refresh;
    const sched = new RefreshScheduler(
      Object.assign(d, {
        refresh: (inodes: Iterable<number>, opts?: { reuseScan?: boolean }) => {
          reuse.push(opts?.reuseScan);
          return refresh(inodes);
        },
      }),
      sink().s,
      { coalesceMs: 1 },
    );
    sched.namespaces([4]);
    await sched.idle();
    sched.hostDevice({ ifindex: 3, name: 'p1' });
    await sched.idle();
    sched.list();
    await sched.idle();
    sched.added([9]);
    await sched.idle();
    // The last two: the new namespace's read, then its read again once it has an nsid.
    expect(reuse).toEqual([true, true, false, false, true]);
  });

  it('with verbose, logs a line per refresh: what it read, the wait, the times, the operations', async () => {
    const lines: string[] = [];
    const d = new FakeDiscovery();
    const sched = new RefreshScheduler(d, sink().s, {
      coalesceMs: 1,
      log: (l) => lines.push(l),
      verbose: true,
    });
    d.next = topoWith(['a']);
    sched.namespaces([4, 5]);
    sched.hostDevice({ ifindex: 3, name: 'p1' });
    await sched.idle();
    sched.list();
    await sched.idle();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^refresh 2 namespaces, 1 host device: waited \d+ ms, read \d+ ms, diff and publish \d+ ms: 1 operation$/,
    );
    expect(lines[1]).toMatch(/^refresh 0 namespaces, re-list: .*: no change$/);
    const silent: string[] = [];
    const plain = new RefreshScheduler(d, sink().s, {
      coalesceMs: 1,
      log: (l) => silent.push(l),
    });
    plain.namespaces([4]);
    await plain.idle();
    expect(silent).toEqual([]);
  });
});
