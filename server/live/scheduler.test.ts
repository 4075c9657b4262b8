import { describe, expect, it } from 'vitest';
import { emptyTopology, normalizeTopology } from '../../common/model.js';
import type { Interface, Topology } from '../../common/model.js';
import type { DeltaOp } from '../../common/protocol.js';
import { RefreshScheduler, introducesUnresolved } from './scheduler.js';
import type { LiveDiscoveryResult, SchedulerSink } from './scheduler.js';
import { EventWatcher } from './watcher.js';
import type { WatcherSink } from './watcher.js';
import { parseMonitorLine, reportsLostEvents } from './monitor.js';
import type { MonitorHandlers } from './monitor.js';
import { pollUntil } from '../../test/kernel.js';

function topoWith(names: string[]): Topology {
  return normalizeTopology({
    ...emptyTopology(),
    namespaces: names.map((n, i) => ({
      id: `ns-${100 + i}`,
      inode: 100 + i,
      kind: 'named' as const,
      name: n,
      netnsNames: [n],
      pids: [],
      processes: [],
      containers: [],
      mounts: [],
      error: null,
    })),
  });
}

function result(t: Topology): LiveDiscoveryResult {
  return { topology: t, errors: [], hostNsids: new Map() };
}

/** A discovery whose refreshes complete when the test says so. */
class FakeDiscovery {
  calls: Array<{ kind: 'full' | 'refresh'; inodes: number[] }> = [];
  next: Topology = topoWith([]);
  failNext = false;
  private gates: Array<() => void> = [];
  gated = false;
  private async answer(kind: 'full' | 'refresh', inodes: number[]): Promise<LiveDiscoveryResult> {
    this.calls.push({ kind, inodes });
    if (this.gated) await new Promise<void>((r) => this.gates.push(r));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('boom');
    }
    return result(this.next);
  }
  full = () => this.answer('full', []);
  refresh = (inodes: Iterable<number>) => this.answer('refresh', [...inodes].sort());
  open(): void {
    this.gated = false;
    for (const g of this.gates.splice(0)) g();
  }
}

function sink() {
  const deltas: DeltaOp[][] = [];
  const resets: string[] = [];
  const s: SchedulerSink = {
    delta: (ops) => deltas.push(ops),
    reset: (_t, reason) => resets.push(reason),
    errors: () => {},
    hostNsids: () => {},
  };
  return { s, deltas, resets };
}

describe('RefreshScheduler', () => {
  it('coalesces a burst into one refresh of the union, and publishes one delta', async () => {
    const d = new FakeDiscovery();
    const { s, deltas } = sink();
    const sched = new RefreshScheduler(d, result(topoWith([])), s, { coalesceMs: 5 });
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
    const sched = new RefreshScheduler(d, result(topoWith([])), s, { coalesceMs: 1 });
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
    const sched = new RefreshScheduler(d, result(topoWith([])), s, { coalesceMs: 1, retryMs: 5 });
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
  const iface: Interface = {
    id: 'if-100-2',
    namespace: 'ns-100',
    ifindex: 2,
    name: 'v0',
    kind: 'veth',
    state: 'UP',
    flags: [],
    mtu: 1500,
    mac: null,
    addresses: [],
    master: null,
    peer: null,
    peerUnresolved: unresolved,
    lower: null,
    alias: null,
    bridgePortState: null,
  };
  return { ...t, interfaces: [iface] };
}

describe('RefreshScheduler with the host read last', () => {
  it('publishes the other namespaces first, then reads the host', async () => {
    const d = new FakeDiscovery();
    const { s, deltas } = sink();
    const sched = new RefreshScheduler(d, result(topoWith([])), s, { coalesceMs: 1, hostInode: 1 });
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
    const { s, deltas } = sink();
    const sched = new RefreshScheduler(d, result(topoWith(['a'])), s, { coalesceMs: 1, hostInode: 1 });
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
    sched = new RefreshScheduler(d, result(topoWith([])), s2, { coalesceMs: 1, hostInode: 1 });
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
    sched = new RefreshScheduler(d, result(topoWith([])), s2, {
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

  it('shows new namespaces first, then gives them nsids and reads them again', async () => {
    const d = new FakeDiscovery();
    const order: string[] = [];
    const { s, deltas } = sink();
    const ensure = async (inodes?: Iterable<number>) => {
      order.push(`nsids for ${[...(inodes ?? [])].join(',')} after ${deltas.length} delta`);
    };
    const sched = new RefreshScheduler(
      Object.assign(d, { ensureHostNsids: ensure }),
      result(topoWith([])),
      s,
      {
        coalesceMs: 1,
      },
    );
    d.next = topoWith(['new']);
    sched.added([7]);
    await sched.idle();
    expect(order).toEqual(['nsids for 7 after 1 delta']);
    expect(d.calls).toEqual([
      { kind: 'refresh', inodes: [7] },
      { kind: 'refresh', inodes: [7] },
    ]);
  });

  it('reads the host alone when only the host changed', async () => {
    const d = new FakeDiscovery();
    const { s } = sink();
    const sched = new RefreshScheduler(d, result(topoWith([])), s, { coalesceMs: 1, hostInode: 1 });
    sched.namespaces([1]);
    await sched.idle();
    expect(d.calls).toEqual([{ kind: 'refresh', inodes: [1] }]);
  });
});

describe('EventWatcher', () => {
  it('parses monitor lines', () => {
    expect(parseMonitorLine('[nsid 0]3: a1@ifb0: <BROADCAST> mtu 1500')).toEqual({
      kind: 'change',
      nsid: 0,
      device: { ifindex: 3, name: 'a1' },
    });
    expect(parseMonitorLine('[nsid current]7: br0: <NO-CARRIER,UP> mtu 1500')).toEqual({
      kind: 'change',
      nsid: 'current',
      device: { ifindex: 7, name: 'br0' },
    });
    // Address lines and routes through one device concern that device; a deleted link, a route
    // without a device or with several next hops concern more.
    const device = (line: string) => {
      const ev = parseMonitorLine(`[nsid current]${line}`);
      return ev?.kind === 'change' ? (ev.device ?? null) : 'not a change';
    };
    expect(device('Deleted 7: br0    inet 10.0.0.1/24 scope global br0')).toEqual({
      ifindex: 7,
      name: 'br0',
    });
    expect(device('7: br0    inet6 fe80::1/64 scope link')).toEqual({ ifindex: 7, name: 'br0' });
    expect(device('10.57.0.0/24 dev nx0 proto kernel scope link src 10.57.0.1 linkdown ')).toEqual({
      ifindex: null,
      name: 'nx0',
    });
    expect(device('Deleted multicast ff00::/8 dev nx1 table local proto kernel metric 256')).toEqual({
      ifindex: null,
      name: 'nx1',
    });
    expect(device('Deleted 7: br0: <UP> mtu 1500')).toBeNull();
    expect(device('blackhole 10.9.0.0/24 proto boot')).toBeNull();
    expect(device('10.8.0.0/24 proto static \tnexthop via 10.0.0.1 dev a weight 1')).toBeNull();
    expect(parseMonitorLine('[nsid current]Deleted 10.0.0.0/24 dev x')).toEqual({
      kind: 'change',
      nsid: 'current',
      device: { ifindex: null, name: 'x' },
    });
    expect(parseMonitorLine('[nsid current]nsid 7 (iproute2 netns name: a)')).toEqual({ kind: 'nsid' });
    expect(parseMonitorLine('[nsid current]Deleted nsid 7 (iproute2 netns name: a)')).toEqual({
      kind: 'nsid',
    });
    expect(parseMonitorLine('')).toBeNull();
    expect(reportsLostEvents('netlink receive error No buffer space available (105)')).toBe(true);
  });

  it('maps nsids to namespaces, re-lists unknown ones, resyncs on lost events and restarts a dead monitor', async () => {
    const calls: string[] = [];
    const s: WatcherSink = {
      namespaces: (i) => calls.push(`ns ${i.join(',')}`),
      added: (i) => calls.push(`added ${i.join(',')}`),
      hostDevice: (i, n) => calls.push(`device ${i} ${n}`),
      list: () => calls.push('list'),
      lost: (r) => calls.push(`lost ${r}`),
    };
    let handlers: MonitorHandlers | null = null;
    let spawns = 0;
    let inodes = new Set([1, 2]);
    const w = new EventWatcher(s, {
      listInodes: async () => inodes,
      hostInode: 1,
      initialInodes: [1, 2],
      watchDirs: [],
      pollMs: 10_000,
      probe: null,
      spawnMountMonitor: null,
      spawnMonitor: (h) => {
        spawns++;
        handlers = h;
        return { stop() {} };
      },
    });
    w.setHostNsids(new Map([[5, 2]]));
    w.start();
    handlers!.line('[nsid 5]2: x: <UP>');
    handlers!.line('[nsid current]2: eth0: <UP>');
    handlers!.line('[nsid current]2: eth0    inet 10.9.0.1/24 scope global eth0');
    handlers!.line('[nsid 9]2: y: <UP>');
    handlers!.stderr('netlink receive error No buffer space available (105)\n');
    expect(calls).toEqual([
      'ns 2',
      'device 2 eth0',
      'device 2 eth0',
      'list',
      'lost kernel events were dropped',
    ]);
    calls.length = 0;
    // Once discovery maps nsid 9, the event that came too early refreshes its namespace.
    w.setHostNsids(
      new Map([
        [5, 2],
        [9, 7],
      ]),
    );
    expect(calls).toEqual(['ns 7']);
    w.setHostNsids(
      new Map([
        [5, 2],
        [9, 7],
      ]),
    );
    expect(calls).toEqual(['ns 7']);
    calls.length = 0;
    inodes = new Set([1, 2, 3]);
    await w.checkList();
    expect(calls).toEqual(['added 3']);
    calls.length = 0;
    // The kernel reuses a freed nsfs inode at once: a namespace replaced between two scans keeps
    // its inode but not its holders, and must be re-read as a new one.
    const id = (pid: number) => ({ key: `||${pid}`, holder: pid });
    let held = new Map([
      [1, id(2)],
      [2, id(40)],
      [3, id(50)],
    ]);
    const w2 = new EventWatcher(s, {
      listInodes: async () => held,
      hostInode: 1,
      watchDirs: [],
      pollMs: 10_000,
      probe: null,
      spawnMountMonitor: null,
      spawnMonitor: () => ({ stop() {} }),
    });
    await w2.checkList();
    held = new Map([...held, [3, id(51)]]);
    await w2.checkList();
    expect(calls).toEqual(['added 3']);
    w2.stop();
    calls.length = 0;
    handlers!.exit('exit code 1');
    await pollUntil(() => spawns === 2, 'monitor restart');
    expect(calls).toEqual(['lost event source restarted after exit code 1']);
    w.stop();
  });
});
