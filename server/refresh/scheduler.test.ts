import { describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { iface as makeIface } from '../../common/testing/builders.js';
import { RefreshScheduler } from './scheduler.js';
import { introducesUnresolved } from './schedulerTypes.js';
import type { SchedulerSink } from './schedulerTypes.js';
import { FakeDiscovery, sink, topoWith } from './testing/schedulerTestKit.js';
import { pollUntil } from '../../test/kernel.js';

describe('RefreshScheduler', () => {
  it('coalesces a burst into one refresh of the union, and publishes one delta', async () => {
    const d = new FakeDiscovery();
    const { s, deltas } = sink();
    const sched = new RefreshScheduler(d, s, { coalesceMs: 5 });
    d.next = topoWith(['a', 'b']);
    for (let i = 0; i < 100; i++) sched.namespaces([i % 3]);
    await sched.idle();
    expect(d.calls).toEqual([{ kind: 'refresh', inodes: [0, 1, 2] }]);
    expect(deltas).toHaveLength(1);
    sched.namespaces([1]);
    await sched.idle();
    expect(deltas).toHaveLength(1); // same state: no empty delta
  });

  it('runs one refresh at a time; requests made meanwhile run after it', async () => {
    const d = new FakeDiscovery();
    d.gated = true;
    const { s } = sink();
    const sched = new RefreshScheduler(d, s, { coalesceMs: 1 });
    sched.namespaces([1]);
    await pollUntil(() => d.calls.length === 1, 'first refresh');
    sched.namespaces([2]);
    sched.list();
    expect(d.calls).toHaveLength(1);
    d.open();
    await pollUntil(() => d.calls.length === 2, 'second refresh');
    d.open();
    await sched.idle();
    expect(d.calls[1]).toEqual({ kind: 'refresh', inodes: [2] });
  });

  it('a full read with a reason resets (new epoch); discovery failure retries a full read', async () => {
    const d = new FakeDiscovery();
    const { s, resets, deltas } = sink();
    const sched = new RefreshScheduler(d, s, { coalesceMs: 1, retryMs: 5 });
    d.failNext = true;
    d.next = topoWith(['x']);
    sched.full('events lost');
    await pollUntil(() => resets.length === 1, 'reset after retry');
    expect(d.calls.map((c) => c.kind)).toEqual(['full', 'full']);
    expect(resets).toEqual(['events lost']);
    expect(deltas).toHaveLength(0);
    sched.stop();
  });
});

/** topoWith(names) plus one veth end in the first namespace, resolved or not. */
function withVeth(names: string[], unresolved: string | null): Topology {
  const t = topoWith(names);
  const iface = makeIface(100, 2, 'v0', { flags: [], mac: null, peerUnresolved: unresolved });
  return { ...t, interfaces: [iface] };
}

describe('RefreshScheduler with the host read last', () => {
  it('publishes the other namespaces first, then reads the host', async () => {
    const d = new FakeDiscovery();
    const { s, deltas } = sink();
    const sched = new RefreshScheduler(d, s, { coalesceMs: 1, hostInode: 1 });
    d.next = topoWith(['a']);
    const refresh = d.refresh;
    d.refresh = (inodes) => {
      // The host's read (the second) finds more.
      if (d.calls.length === 1) {
        expect(deltas).toHaveLength(1);
        d.next = topoWith(['a', 'b']);
      }
      return refresh(inodes);
    };
    sched.namespaces([1, 2]);
    await sched.idle();
    expect(d.calls).toEqual([
      { kind: 'refresh', inodes: [2] },
      { kind: 'refresh', inodes: [1] },
    ]);
    expect(deltas).toHaveLength(2);
  });

  it('reads the host before publishing when the early read shows a new unresolved veth peer', async () => {
    const d = new FakeDiscovery();
    const { s, deltas } = sink(topoWith(['a']));
    const sched = new RefreshScheduler(d, s, { coalesceMs: 1, hostInode: 1 });
    d.next = withVeth(['a'], 'no interface 9 in ns-1');
    const refresh = d.refresh;
    d.refresh = (inodes) => {
      // The second read (with the host) finds the peer.
      if (d.calls.length === 1) d.next = withVeth(['a'], null);
      return refresh(inodes);
    };
    sched.namespaces([1, 2]);
    await sched.idle();
    expect(d.calls.map((c) => c.inodes)).toEqual([[2], [1]]);
    expect(deltas).toHaveLength(1);
    expect(JSON.stringify(deltas[0])).not.toContain('no interface 9');
    expect(introducesUnresolved(topoWith(['a']), withVeth(['a'], 'x'))).toBe(true);
    expect(introducesUnresolved(withVeth(['a'], 'x'), withVeth(['a'], 'y'))).toBe(false);
  });

  it('reads a change elsewhere before the host read it owes', async () => {
    const d = new FakeDiscovery();
    const { s, deltas } = sink();
    let sched: RefreshScheduler | null = null;
    let n = 0;
    const s2: SchedulerSink = {
      ...s,
      delta: (ops, next) => {
        s.delta(ops, next);
        if (n++ === 0) sched!.namespaces([3]); // arrives while the host read is owed
      },
    };
    sched = new RefreshScheduler(d, s2, { coalesceMs: 1, hostInode: 1 });
    const refresh = d.refresh;
    d.refresh = (inodes) => {
      d.next = topoWith(['a', 'b', 'c'].slice(0, d.calls.length + 1));
      return refresh(inodes);
    };
    sched.namespaces([1, 2]);
    await sched.idle();
    expect(d.calls.map((c) => c.inodes)).toEqual([[2], [3], [1]]);
    expect(deltas).toHaveLength(3);
  });

  it('reads the owed host with the rest once overdue, even when changes never pause', async () => {
    const d = new FakeDiscovery();
    const { s } = sink();
    let sched: RefreshScheduler | null = null;
    let more = true;
    const s2: SchedulerSink = {
      ...s,
      delta: (ops, next) => {
        s.delta(ops, next);
        if (more) sched!.namespaces([1, 3]); // changes here and in the host, back to back
      },
    };
    sched = new RefreshScheduler(d, s2, {
      coalesceMs: 1,
      hostInode: 1,
      hostMaxDeferMs: 20,
    });
    const refresh = d.refresh;
    d.refresh = (inodes) => {
      d.next = topoWith([`x${d.calls.length}`]);
      if ([...inodes].includes(1)) more = false;
      return refresh(inodes);
    };
    sched.namespaces([1, 3]);
    await sched.idle();
    const withHost = d.calls.filter((c) => c.inodes.includes(1));
    expect(withHost).toHaveLength(1);
    expect(withHost[0]!.inodes).toEqual([1, 3]); // read together, not split again
  });

  it('reads the host alone when only the host changed', async () => {
    const d = new FakeDiscovery();
    const { s } = sink();
    const sched = new RefreshScheduler(d, s, { coalesceMs: 1, hostInode: 1 });
    sched.namespaces([1]);
    await sched.idle();
    expect(d.calls).toEqual([{ kind: 'refresh', inodes: [1] }]);
  });
});
