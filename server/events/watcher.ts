/**
 * Kernel event sources, turned into refresh requests:
 * - `ip -o monitor all-nsid nsid link address route` in the host namespace (one long-lived child;
 *   it never enters other namespaces, so it keeps none alive): `[nsid N]` names the namespace;
 * - `findmnt --poll -t nsfs` (monitor.ts): namespaces bind-mounted or unmounted, wherever;
 * - inotify on /run/netns and /run/docker/netns: named and Docker namespaces coming and going;
 * - a cheap probe of /proc every 100 ms (procProbe.ts) that asks for a scan when processes came
 *   or went, and a periodic listInodes() every 2 s (a stat scan, no `ip`; every 16 s while no
 *   task came or went) as a net under all of them: process-held and bind-mounted namespaces
 *   (these two are most of an idle server's CPU: see events/README.md).
 * New namespaces get a host nsid (the scheduler's added()) so the monitor reports their changes too.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { parseMonitorLine, reportsLostEvents, spawnIpMonitor, spawnMountMonitor } from './monitor.js';
import type { MonitorDevice, SpawnMonitor } from './monitor.js';
import { ProcProbe } from './procProbe.js';

/** With no task created or exited since the last scan, the periodic scan runs every this many ticks. */
const QUIET_SCAN_TICKS = 8;

export interface WatcherSink {
  namespaces(inodes: number[]): void;
  /** An event about one device of the host namespace (see MonitorDevice). */
  hostDevice(device: MonitorDevice): void;
  /** New namespaces: read them, and give them host nsids so the monitor names them. */
  added(inodes: number[]): void;
  list(): void;
  /** The host's nsid map changed: fetch it. */
  nsidMap(): void;
  lost(reason: string): void;
}

/** What holds a namespace: a changed key is a new namespace on a reused inode. */
export interface HolderIdentity {
  key: string;
  /** Its oldest process, watched by the probe (null: held by names or mounts only). */
  holder: number | null;
  /**
   * Its processes: processes joining or leaving a namespace have no kernel event, and refreshes
   * for monitor events reuse the last scan, so a change here asks for a re-list.
   */
  members?: string;
}

export interface WatcherOptions {
  /** Inodes, or inode -> holder identity. */
  listInodes(): Promise<Set<number> | Map<number, HolderIdentity>>;
  /** Inode of the namespace the server (and the monitor) runs in. */
  hostInode: number;
  /** Namespaces the initial snapshot holds; anything else found by the first scan is new. */
  initialInodes?: Iterable<number>;
  spawnMonitor?: SpawnMonitor;
  /** The nsfs mount watcher (null: none). */
  spawnMountMonitor?: SpawnMonitor | null;
  watchDirs?: string[];
  pollMs?: number;
  /** The /proc probe (null: none, tests that drive scans themselves) and its period. */
  probe?: ProcProbe | null;
  probeMs?: number;
  log?: (line: string) => void;
}

export class EventWatcher {
  private nsids = new Map<number, number>();
  /** nsids seen in events before discovery could map them -> discoveries since. */
  private unknown = new Map<number, number>();
  /** Inode -> holder identity ('' when not known, which matches any). */
  private known: Map<number, string> | null = null;
  /** Inode -> its processes, from the last scan (see HolderIdentity.members). */
  private members = new Map<number, string>();
  private monitor: { stop(): void } | null = null;
  private watchers = new Map<string, FSWatcher>();
  private pollTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private mounts: { stop(): void } | null = null;
  private mountRestartMs = 1000;
  private readonly probe: ProcProbe | null;
  private restartDelay = 200;
  private checking: Promise<void> | null = null;
  /** The probe's generation when the last scan began, and periodic ticks skipped since. */
  private scannedGeneration: number | null = null;
  private quietTicks = 0;
  private checkAgain = false;
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(
    private readonly sink: WatcherSink,
    private readonly opts: WatcherOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.probe = opts.probe === undefined ? new ProcProbe() : opts.probe;
    if (opts.initialInodes) this.known = new Map([...opts.initialInodes].map((i) => [i, '']));
  }

  /**
   * nsid (as the host sees it) -> namespace inode, from the latest discovery. Events whose nsid
   * was unknown (a namespace that just got its nsid) are replayed as refreshes of the namespace
   * they turn out to belong to: the read that taught us the nsid may predate those changes.
   */
  setHostNsids(map: Map<number, number>): void {
    this.nsids = map;
    if (this.unknown.size === 0) return;
    const inodes: number[] = [];
    for (const [nsid, age] of this.unknown) {
      const inode = map.get(nsid);
      if (inode !== undefined) inodes.push(inode);
      // Forget nsids that stay unknown (their namespace is gone) after a few discoveries.
      if (inode !== undefined || age >= 3) this.unknown.delete(nsid);
      else this.unknown.set(nsid, age + 1);
    }
    if (inodes.length > 0) this.sink.namespaces(inodes);
  }

  start(): void {
    this.startMonitor();
    this.startMountMonitor();
    this.armInotify();
    const tick = (): void => {
      this.armInotify();
      // The scan is the net under the probe, findmnt and inotify (which scan when they see
      // something). While no task came or went since the last scan, only an old process calling
      // setns or unshare could have changed anything: a quiet machine is scanned every
      // QUIET_SCAN_TICKS ticks instead (the scan is most of the idle CPU at 300 namespaces).
      const quiet = this.probe !== null && this.probe.generation === this.scannedGeneration;
      if (!quiet || ++this.quietTicks >= QUIET_SCAN_TICKS) void this.checkList();
      this.pollTimer = setTimeout(tick, this.opts.pollMs ?? 2000);
      this.pollTimer.unref();
    };
    tick();
    if (this.probe) {
      const probe = this.probe;
      probe.check(Date.now());
      this.probeTimer = setInterval(() => {
        if (this.checking) return; // a scan is running: it will see whatever the probe would
        const why = probe.check(Date.now());
        if (why !== null) void this.checkList();
      }, this.opts.probeMs ?? 100);
      this.probeTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    this.monitor?.stop();
    this.monitor = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.mounts?.stop();
    this.mounts = null;
  }

  handleLine(line: string): void {
    const ev = parseMonitorLine(line);
    if (!ev) return;
    if (ev.kind === 'nsid') {
      this.sink.list();
      // A new nsid we do not know yet (not one discovery just gave and reported): fetch the map.
      if (!ev.deleted && (ev.nsid === null || !this.nsids.has(ev.nsid))) this.sink.nsidMap();
      return;
    }
    const inode = ev.nsid === 'current' ? this.opts.hostInode : this.nsids.get(ev.nsid);
    if (inode === this.opts.hostInode && ev.device) {
      this.sink.hostDevice(ev.device);
      return;
    }
    // An nsid we cannot map yet belongs to a namespace we have not listed: re-list.
    if (inode === undefined) {
      if (typeof ev.nsid === 'number' && this.unknown.size < 4096) this.unknown.set(ev.nsid, 0);
      this.sink.list();
      this.sink.nsidMap();
    } else {
      this.sink.namespaces([inode]);
    }
  }

  handleStderr(text: string): void {
    if (reportsLostEvents(text)) {
      this.log('ip monitor lost events (ENOBUFS): full resync');
      this.sink.lost('kernel events were dropped');
    } else if (/Peer netns reference is invalid/.test(text)) {
      // ip could not name the namespace of an nsid event (it went away meanwhile): re-list.
      this.sink.list();
    } else if (text.trim()) {
      this.log(`ip monitor: ${text.trim()}`);
    }
  }

  private startMonitor(): void {
    if (this.stopped) return;
    const startedAt = Date.now();
    this.monitor = (this.opts.spawnMonitor ?? spawnIpMonitor)({
      line: (l) => this.handleLine(l),
      stderr: (t) => this.handleStderr(t),
      exit: (why) => {
        if (this.stopped) return;
        // Back off only when it keeps dying quickly.
        this.restartDelay = Date.now() - startedAt > 10_000 ? 200 : Math.min(this.restartDelay * 2, 5000);
        this.log(`ip monitor stopped (${why}); restarting in ${this.restartDelay} ms, then full resync`);
        setTimeout(() => {
          this.startMonitor();
          this.sink.lost(`event source restarted after ${why}`);
        }, this.restartDelay).unref();
      },
    });
  }

  /** Mount changes ask for a scan; if findmnt dies, the 2 s scan covers until it is back. */
  private startMountMonitor(): void {
    const spawn = this.opts.spawnMountMonitor === undefined ? spawnMountMonitor : this.opts.spawnMountMonitor;
    if (this.stopped || !spawn) return;
    const startedAt = Date.now();
    this.mounts = spawn({
      line: () => void this.checkList(),
      stderr: (t) => this.log(`findmnt: ${t.trim()}`),
      exit: (why) => {
        if (this.stopped) return;
        this.mountRestartMs =
          Date.now() - startedAt > 10_000 ? 1000 : Math.min(this.mountRestartMs * 2, 60_000);
        this.log(`mount watcher stopped (${why}); restarting in ${this.mountRestartMs} ms`);
        setTimeout(() => this.startMountMonitor(), this.mountRestartMs).unref();
      },
    });
  }

  private armInotify(): void {
    for (const dir of this.opts.watchDirs ?? ['/run/netns', '/run/docker/netns']) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => {
          void this.checkList();
          // `ip netns add` creates the file before it bind-mounts the namespace on it: look again.
          setTimeout(() => void this.checkList(), 50).unref();
        });
        w.on('error', () => {
          // The folder went away (e.g. docker stopped); the poll re-arms it when it is back.
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // Missing folder: nothing to watch yet.
      }
    }
  }

  /** Compares the namespace inodes with the last scan; one scan at a time, repeated if asked meanwhile. */
  checkList(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    this.checking = this.scan().finally(() => {
      this.checking = null;
      if (this.checkAgain && !this.stopped) {
        this.checkAgain = false;
        void this.checkList();
      }
    });
    return this.checking;
  }

  private async scan(): Promise<void> {
    this.quietTicks = 0;
    this.scannedGeneration = this.probe?.generation ?? null;
    let now: Map<number, string>;
    let members = new Map<number, string>();
    try {
      const listed = await this.opts.listInodes();
      if (listed instanceof Map) {
        now = new Map([...listed].map(([i, id]) => [i, id.key]));
        members = new Map([...listed].map(([i, id]) => [i, id.members ?? '']));
        const holders = [...listed.values()].flatMap((id) => (id.holder === null ? [] : [id.holder]));
        this.probe?.reset(listed.keys(), holders);
      } else {
        now = new Map([...listed].map((i) => [i, '']));
        this.probe?.reset(listed, []);
      }
    } catch (e) {
      this.log(`listing namespaces failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const before = this.known;
    const membersBefore = this.members;
    this.known = now;
    this.members = members;
    if (before === null || this.stopped) return;
    // A namespace on a reused inode (held by something else now) counts as added: re-read it.
    const replaced = (i: number, key: string) => {
      const old = before.get(i);
      return old === undefined || (old !== '' && key !== '' && old !== key);
    };
    const added = [...now].filter(([i, key]) => replaced(i, key)).map(([i]) => i);
    const removed = [...before.keys()].some((i) => !now.has(i));
    const moved = [...members].some(([i, m]) => membersBefore.has(i) && membersBefore.get(i) !== m);
    if (added.length > 0) {
      this.sink.added(added);
    } else if (removed || moved) {
      this.sink.list();
    }
  }
}
