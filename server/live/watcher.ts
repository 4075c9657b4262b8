/**
 * Kernel event sources, turned into refresh requests:
 * - `ip -o monitor all-nsid nsid link address route` in the host namespace (one long-lived child;
 *   it never enters other namespaces, so it keeps none alive): `[nsid N]` names the namespace;
 * - inotify on /run/netns and /run/docker/netns: named and Docker namespaces coming and going;
 * - a cheap probe of /proc every 50 ms (procProbe.ts) that asks for a scan when processes or
 *   namespace mounts came or went, and a periodic listInodes() every 2 s (a stat scan, no `ip`)
 *   as a net under it: process-held and bind-mounted namespaces.
 * New namespaces get a host nsid (the scheduler's added()) so the monitor reports their changes too.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { IP } from '../exec/run.js';
import { ProcProbe } from './procProbe.js';

export type MonitorEvent =
  | {
      kind: 'change';
      nsid: number | 'current';
      /**
       * The one device the line is about, when a read of that device alone covers the change:
       * a link line (`N: NAME[@PEER]: <FLAGS>`, not a deletion), an address line
       * (`[Deleted ]N: NAME    inet ...`), a route line through one device (`... dev NAME ...`,
       * ifindex unknown). A deleted link, a route without a device or with several next hops:
       * none (the whole namespace is read).
       */
      device?: { ifindex: number | null; name: string };
    }
  | { kind: 'nsid' };

/** Parses one line of `ip -o monitor all-nsid ...`; null for lines that carry no event. */
export function parseMonitorLine(line: string): MonitorEvent | null {
  if (line.trim() === '') return null;
  const m = /^\[nsid (\d+|current)\]\s*(.*)$/.exec(line);
  const rest = m ? m[2]! : line;
  if (/^(Deleted )?nsid /.test(rest)) return { kind: 'nsid' };
  const nsid = !m || m[1] === 'current' ? 'current' : Number(m[1]);
  return { kind: 'change', nsid, ...deviceOf(rest) };
}

function deviceOf(rest: string): { device?: { ifindex: number | null; name: string } } {
  // A name holding `@` makes the split ambiguous: the device read checks what it finds.
  const link = /^(\d+): ([^\s:@]+)(?:@[^\s:]+)?: </.exec(rest);
  if (link) return { device: { ifindex: Number(link[1]), name: link[2]! } };
  const addr = /^(?:Deleted )?(\d+): (\S+)\s+inet6? /.exec(rest);
  if (addr) return { device: { ifindex: Number(addr[1]), name: addr[2]! } };
  if (/^(?:Deleted )?\d+: /.test(rest) || /\bnexthop\b|\bnhid\b/.test(rest)) return {};
  const route = /\sdev (\S+)/.exec(rest);
  return route ? { device: { ifindex: null, name: route[1]! } } : {};
}

/** True when `ip monitor` reports that the kernel dropped events (ENOBUFS). */
export function reportsLostEvents(stderr: string): boolean {
  return /No buffer space available|netlink receive error/i.test(stderr);
}

export interface MonitorHandlers {
  line(line: string): void;
  stderr(text: string): void;
  exit(description: string): void;
}

/** Starts the event source; returns a stopper. Replaceable in tests. */
export type SpawnMonitor = (h: MonitorHandlers) => { stop(): void };

export const MONITOR_ARGS = ['-o', 'monitor', 'all-nsid', 'nsid', 'link', 'address', 'route'];

/** The real monitor: absolute path, no shell, fixed env (no token), killed when we exit. */
export const spawnIpMonitor: SpawnMonitor = (h) => {
  const child = execa(IP, MONITOR_ARGS, {
    extendEnv: false,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: true,
  });
  let stopping = false;
  if (child.stdout) createInterface({ input: child.stdout }).on('line', h.line);
  // Line by line: a message split across two chunks must still be recognised.
  if (child.stderr) createInterface({ input: child.stderr }).on('line', h.stderr);
  void child.then((r) => {
    if (!stopping) h.exit(r.signal ? `signal ${r.signal}` : `exit code ${String(r.exitCode)}`);
  });
  return {
    stop() {
      stopping = true;
      child.kill('SIGTERM');
    },
  };
};

export interface WatcherSink {
  namespaces(inodes: number[]): void;
  /** An event about one device of the host namespace (ifindex null: known by name only). */
  hostDevice(ifindex: number | null, name: string): void;
  /** New namespaces: read them, and give them host nsids so the monitor names them. */
  added(inodes: number[]): void;
  list(): void;
  lost(reason: string): void;
}

/** What holds a namespace: a changed key is a new namespace on a reused inode. */
export interface HolderIdentity {
  key: string;
  /** Its oldest process, watched by the probe (null: held by names or mounts only). */
  holder: number | null;
}

export interface WatcherOptions {
  /** Inodes, or inode -> holder identity. */
  listInodes(): Promise<Set<number> | Map<number, HolderIdentity>>;
  /** Inode of the namespace the server (and the monitor) runs in. */
  hostInode: number;
  /** Namespaces the initial snapshot holds; anything else found by the first scan is new. */
  initialInodes?: Iterable<number>;
  spawnMonitor?: SpawnMonitor;
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
  private monitor: { stop(): void } | null = null;
  private watchers = new Map<string, FSWatcher>();
  private pollTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private readonly probe: ProcProbe | null;
  private restartDelay = 200;
  private checking: Promise<void> | null = null;
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
    this.armInotify();
    const tick = (): void => {
      this.armInotify();
      void this.checkList();
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
      }, this.opts.probeMs ?? 50);
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
  }

  handleLine(line: string): void {
    const ev = parseMonitorLine(line);
    if (!ev) return;
    if (ev.kind === 'nsid') {
      this.sink.list();
      return;
    }
    const inode = ev.nsid === 'current' ? this.opts.hostInode : this.nsids.get(ev.nsid);
    if (inode === this.opts.hostInode && ev.device) {
      this.sink.hostDevice(ev.device.ifindex, ev.device.name);
      return;
    }
    // An nsid we cannot map yet belongs to a namespace we have not listed: re-list.
    if (inode === undefined) {
      if (typeof ev.nsid === 'number' && this.unknown.size < 4096) this.unknown.set(ev.nsid, 0);
      this.sink.list();
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
    let now: Map<number, string>;
    try {
      const listed = await this.opts.listInodes();
      if (listed instanceof Map) {
        now = new Map([...listed].map(([i, id]) => [i, id.key]));
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
    this.known = now;
    if (before === null || this.stopped) return;
    // A namespace on a reused inode (held by something else now) counts as added: re-read it.
    const replaced = (i: number, key: string) => {
      const old = before.get(i);
      return old === undefined || (old !== '' && key !== '' && old !== key);
    };
    const added = [...now].filter(([i, key]) => replaced(i, key)).map(([i]) => i);
    const removed = [...before.keys()].some((i) => !now.has(i));
    if (added.length > 0) {
      this.sink.added(added);
    } else if (removed) {
      this.sink.list();
    }
  }
}
