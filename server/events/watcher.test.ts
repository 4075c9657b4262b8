import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventWatcher } from './watcher.js';
import type { WatcherSink } from './watcher.js';
import { parseMonitorLine, reportsLostEvents } from './monitor.js';
import type { MonitorHandlers } from './monitor.js';
import { pollUntil } from '../../test/kernel.js';
import { ProcProbe } from './procProbe.js';

describe('EventWatcher', () => {
  it('parses monitor lines', () => {
    expect(parseMonitorLine('[nsid 0]3: a1@ifb0: <BROADCAST> mtu 1500')).toEqual({
      kind: 'change',
      nsid: 0,
      device: { ifindex: 3, name: 'a1', flags: ['BROADCAST'] },
    });
    expect(parseMonitorLine('[nsid current]7: br0: <NO-CARRIER,UP> mtu 1500')).toEqual({
      kind: 'change',
      nsid: 'current',
      device: { ifindex: 7, name: 'br0', flags: ['NO-CARRIER', 'UP'] },
    });
    // Link and address lines and routes through one device concern that device; a route without
    // a device or with several next hops concern more.
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
    expect(device('Deleted 7: br0: <UP> mtu 1500')).toEqual({ ifindex: 7, name: 'br0', deleted: true });
    expect(device('blackhole 10.9.0.0/24 proto boot')).toBeNull();
    expect(device('10.8.0.0/24 proto static \tnexthop via 10.0.0.1 dev a weight 1')).toBeNull();
    expect(parseMonitorLine('[nsid current]Deleted 10.0.0.0/24 dev x')).toEqual({
      kind: 'change',
      nsid: 'current',
      device: { ifindex: null, name: 'x' },
    });
    expect(parseMonitorLine('[nsid current]nsid 7 (iproute2 netns name: a)')).toEqual({
      kind: 'nsid',
      nsid: 7,
      deleted: false,
    });
    expect(parseMonitorLine('[nsid current]Deleted nsid 7 (iproute2 netns name: a)')).toEqual({
      kind: 'nsid',
      nsid: 7,
      deleted: true,
    });
    expect(parseMonitorLine('')).toBeNull();
    expect(reportsLostEvents('netlink receive error No buffer space available (105)')).toBe(true);
  });

  it('maps nsids to namespaces, re-lists unknown ones, resyncs on lost events and restarts a dead monitor', async () => {
    const calls: string[] = [];
    const s: WatcherSink = {
      namespaces: (i) => calls.push(`ns ${i.join(',')}`),
      added: (i) => calls.push(`added ${i.join(',')}`),
      hostDevice: (d) => calls.push(`device ${d.ifindex} ${d.name}`),
      list: () => calls.push('list'),
      nsidMap: () => calls.push('nsid map'),
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
    // An nsid the map has (given by discovery itself) needs only a re-list; a new one, the map.
    handlers!.line('[nsid current]nsid 5');
    handlers!.line('[nsid current]nsid 11');
    handlers!.line('[nsid current]Deleted nsid 5');
    handlers!.stderr('netlink receive error No buffer space available (105)\n');
    expect(calls).toEqual([
      'ns 2',
      'device 2 eth0',
      'device 2 eth0',
      'list',
      'nsid map',
      'list',
      'list',
      'nsid map',
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
    const id = (pid: number, members = String(pid)) => ({ key: `||${pid}`, holder: pid, members });
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
    calls.length = 0;
    // A process joining a namespace (same holder) has no kernel event: the scan sees it, re-list.
    held = new Map([...held, [2, id(40, '40,77')]]);
    await w2.checkList();
    await w2.checkList();
    expect(calls).toEqual(['list']);
    w2.stop();
    calls.length = 0;
    handlers!.exit('exit code 1');
    await pollUntil(() => spawns === 2, 'monitor restart');
    expect(calls).toEqual(['lost event source restarted after exit code 1']);
    w.stop();
  });

  describe('periodic scan', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    it('runs every tick while tasks come and go, every eighth tick while none do', async () => {
      vi.useFakeTimers();
      let loadavg = '0.00 0.00 0.00 1/100 4242\n';
      const probe = new ProcProbe({ loadavg: () => loadavg, pids: () => [1], netInode: () => null });
      let scans = 0;
      const w = new EventWatcher(
        { namespaces() {}, hostDevice() {}, added() {}, list() {}, nsidMap() {}, lost() {} },
        {
          listInodes: async () => {
            scans++;
            return new Set([1]);
          },
          hostInode: 1,
          watchDirs: [],
          pollMs: 1000,
          probeMs: 50,
          probe,
          spawnMountMonitor: null,
          spawnMonitor: () => ({ stop() {} }),
        },
      );
      w.start();
      // t=0: the first scan; t=1 s: the probe's first look counted as a change, so another.
      await vi.advanceTimersByTimeAsync(1500);
      expect(scans).toBe(2);
      // Nothing changes: ticks at 2 to 8 s pass, the eighth quiet one (9 s) scans.
      await vi.advanceTimersByTimeAsync(7000);
      expect(scans).toBe(2);
      await vi.advanceTimersByTimeAsync(1000);
      expect(scans).toBe(3);
      // A process came (the last pid moved): the next tick scans.
      loadavg = '0.00 0.00 0.00 1/101 4250\n';
      await vi.advanceTimersByTimeAsync(1000);
      expect(scans).toBe(4);
      w.stop();
    });
  });
});
