/**
 * Discovery: finds every network namespace and reads its links, addresses and routes, resolving
 * veth peers exactly. Thin shell: enumeration is stat-only, each namespace is read by one `ip`
 * batch process (bounded concurrency), and parsing, peer resolution and assembly are pure.
 */
import { statSync } from 'node:fs';
import type { Namespace } from '../../common/model.js';
import type { Scan } from './enumerate.js';
import { openPaths, scanNamespaces } from './enumerate.js';
import { FactsCache } from './facts.js';
import type { NamespaceRead } from './ipParse.js';
import { assignHostNsids, fetchMaps, setHostNsids } from './nsidMaps.js';
import type { InterfaceMemo } from './peers.js';
import { namespacesNeedingMaps } from './peers.js';
import { NsidHelper } from './nsidHelper.js';
import { readNamespaces } from './reader.js';
import { ReadServer } from './readServer.js';
import { readHostDevices } from './hostDevices.js';
import { InventoryCache } from './runtimes/cache.js';
import { buildResult } from './buildResult.js';
import { limitNew } from './limitNew.js';
import type { ReadOutcome } from './reader.js';
import type { Discovery, DiscoveryOptions, DiscoveryResult, NamespaceIdentity } from './api.js';

export type {
  Discovery,
  DiscoveryOptions,
  DiscoveryResult,
  HostDeviceEvent,
  NamespaceIdentity,
  RefreshOptions,
} from './api.js';

/** A path nsenter --net= can open for this namespace. */
export function namespacePath(ns: Namespace): string {
  // Our own namespace: /proc/self/ns/net always opens it, whereas a bind mount of it may have
  // been replaced or hidden since the scan.
  if (ns.kind === 'host' && ns.pids.includes(process.pid)) return '/proc/self/ns/net';
  if (ns.mounts[0]) return ns.mounts[0];
  if (ns.pids[0] !== undefined) return `/proc/${ns.pids[0]}/ns/net`;
  return '/proc/self/ns/net';
}

/** How long an idle mount-namespace helper is kept for the next refresh. */
const HELPER_IDLE_MS = 30_000;
/** Up to this many namespaces, each read also lists its whole nsid map (O(n) per namespace). */
const INLINE_NSID_LIMIT = 40;

export function createDiscovery(opts: DiscoveryOptions = {}): Discovery {
  const concurrency = opts.concurrency ?? 8;
  const scanFds = opts.scanFds ?? false;
  const cache = new Map<number, ReadOutcome>();
  const facts = new FactsCache(opts.dockerSocket);
  const runtimes = new InventoryCache(opts.runtimes);
  const memo: InterfaceMemo = new WeakMap();
  // Small reads (the live server's refreshes) go through one waiting shell: see readServer.ts.
  const readServer = new ReadServer();
  let helper: NsidHelper | null = null;
  let helperError: string | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  // Reads using the helper right now: a read longer than the idle time (a first read at 1,000
  // namespaces on a busy machine) must not lose its helper to the idle timer.
  let busy = 0;
  // Only the newest call writes the cache: one the live server's watchdog abandoned may still run.
  let generation = 0;

  function touchIdle(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (busy > 0) return touchIdle();
      helper?.stop();
      helper = null;
    }, HELPER_IDLE_MS);
    idleTimer.unref();
  }

  async function getHelper(): Promise<NsidHelper | null> {
    touchIdle();
    if (helper?.alive()) return helper;
    try {
      helper = await NsidHelper.start();
      helperError = null;
    } catch (e) {
      helper = null;
      helperError = `nsid maps unavailable: ${e instanceof Error ? e.message : String(e)}`;
    }
    return helper;
  }

  async function syncHelper(scan: Scan): Promise<NsidHelper | null> {
    const h = await getHelper();
    if (!h) return null;
    const entries = new Map<number, string>();
    for (const ns of scan.namespaces.values()) {
      const p = openPaths(ns, scan)[0];
      if (p) entries.set(ns.inode, p);
    }
    try {
      await h.sync(entries);
      return h;
    } catch (e) {
      helperError = `nsid maps unavailable: ${String(e)}`;
      return null;
    }
  }

  /**
   * readAll with our machinery checked: a read during which the helper died (killed, crashed,
   * stopped) or that a newer call superseded is thrown away, never published as the truth (it
   * would show every namespace unreadable); the next read starts a new helper.
   */
  async function readChecked(scan: Scan, inodes: number[]): Promise<string[]> {
    const gen = ++generation;
    busy++;
    try {
      const errors = await readAll(scan, inodes, gen);
      if (gen !== generation) throw new Error('read superseded by a newer one (abandoned after a timeout)');
      return errors;
    } finally {
      busy--;
    }
  }

  /** Fails the read if the helper it used is gone; drops it so that the next read starts one. */
  function checkHelper(h: NsidHelper | null): void {
    if (!h || h.alive()) return;
    if (helper === h) helper = null;
    throw new Error(`the nsid helper (pid ${h.pid}) died during the read; read again with a new one`);
  }

  /** Reads `inodes` into the cache; returns problems met while fetching nsid maps. */
  async function readAll(scan: Scan, inodes: number[], gen: number): Promise<string[]> {
    // Few namespaces: each read also lists its whole nsid map (O(n) per namespace). Many: read
    // without, then fetch only the maps peer resolution still needs, through host nsids. The
    // host's own map (hostNsids) is read whenever the host is read.
    const inline = scan.namespaces.size <= (opts.inlineNsidLimit ?? INLINE_NSID_LIMIT);
    const present = inodes.filter((ino) => scan.namespaces.has(ino));
    const withNsids = (ino: number) => inline || ino === scan.hostInode;
    // The helper (its /run/netns) is needed only for nsid maps: a refresh of one ordinary
    // namespace among many does without it.
    let h = present.some(withNsids) ? await syncHelper(scan) : null;
    const targets = present.map((ino) => ({
      inode: ino,
      paths: openPaths(scan.namespaces.get(ino)!, scan),
      ours: ino === scan.hostInode && scan.hostPath === '/proc/self/ns/net',
      nsids: withNsids(ino),
    }));
    // (`ip -all netns exec` would fork less, but when a namespace vanishes during it, iproute2
    // 6.1's forked child carries on the parent's loop: runaway processes. Not used.)
    const outcomes = await readNamespaces(targets, h ? h.mountNs : null, {
      ...(opts.chunks !== undefined ? { chunks: opts.chunks } : {}),
      server: readServer,
    });
    checkHelper(h);
    if (gen !== generation) return [];
    present.forEach((ino, i) => cache.set(ino, outcomes[i]!));
    if (inline) return [];
    const reads = new Map<number, NamespaceRead>();
    const unreadable = new Map<number, string>();
    for (const [ino, o] of cache) {
      if (!scan.namespaces.has(ino)) continue;
      if ('read' in o) reads.set(ino, o.read);
      else unreadable.set(ino, o.error);
    }
    const need = namespacesNeedingMaps({ reads, unreadable });
    if (need.length === 0) return [];
    h ??= await syncHelper(scan);
    // A second round covers pairs whose chosen side's map could not be fetched.
    const errors = await fetchMaps(need, scan, h, reads, concurrency);
    checkHelper(h);
    const again = namespacesNeedingMaps({ reads, unreadable });
    if (again.length === 0) return errors;
    const more = await fetchMaps(again, scan, h, reads, concurrency);
    checkHelper(h);
    return [...errors, ...more];
  }

  /** `fresh`: namespaces whose processes' facts are read again (all of them on full reads). */
  async function build(scan: Scan, errors: string[], fresh: Set<number> | 'all'): Promise<DiscoveryResult> {
    if (helperError) errors.push(helperError);
    return buildResult({ scan, facts, runtimes, cache, memo, errors, fresh });
  }

  /** The scan refreshes may reuse (RefreshOptions.reuseScan). */
  let lastScan: Scan | null = null;

  /** Every one of these namespaces is in `scan` and its first path still opens it. */
  function stillHolds(scan: Scan, inodes: number[]): boolean {
    return inodes.every((ino) => {
      const ns = scan.namespaces.get(ino);
      const path = ns && openPaths(ns, scan)[0];
      return path !== undefined && statSync(path, { throwIfNoEntry: false })?.ino === ino;
    });
  }

  function dropVanished(scan: Scan): void {
    for (const ino of cache.keys()) if (!scan.namespaces.has(ino)) cache.delete(ino);
  }

  return {
    async full() {
      const scan = scanNamespaces({ fds: scanFds });
      lastScan = scan;
      cache.clear();
      facts.clear();
      // Not asked in parallel with the reads: parsing a thousand namespaces' reads keeps the
      // event loop busy past the runtimes' 1 s deadline, which then fails on our account.
      runtimes.invalidate();
      const more = await readChecked(scan, [...scan.namespaces.keys()]);
      return build(scan, [...scan.errors, ...more], 'all');
    },

    async refresh(changedInodes, refreshOpts = {}) {
      const changed = [...changedInodes];
      const reuse = refreshOpts.reuseScan === true && lastScan !== null && stillHolds(lastScan, changed);
      const full = reuse && lastScan ? lastScan : scanNamespaces({ fds: scanFds });
      lastScan = full;
      dropVanished(full);
      const { scan, leftOut } = limitNew(full, cache, changed, refreshOpts.newLimit);
      const want = new Set<number>();
      for (const ino of changed) if (scan.namespaces.has(ino)) want.add(ino);
      const added: number[] = [];
      for (const ino of scan.namespaces.keys()) {
        if (!cache.has(ino)) {
          want.add(ino);
          added.push(ino);
        }
      }
      const devices = refreshOpts.hostDevices ?? [];
      if (
        devices.length > 0 &&
        !want.has(scan.hostInode) &&
        !(await readHostDevices(scan, devices, cache, readServer))
      ) {
        want.add(scan.hostInode);
      }
      // New namespaces need entries in the host's nsid map (hostNsids) and the helper.
      const hostDeferred = added.length > 0 && !want.has(scan.hostInode) && refreshOpts.deferHost === true;
      if (added.length > 0 && !hostDeferred) want.add(scan.hostInode);
      const more = await readChecked(scan, [...want]);
      const result = await build(scan, [...scan.errors, ...more], want);
      return {
        ...result,
        ...(hostDeferred ? { newWithoutHost: added } : {}),
        ...(leftOut.length > 0 ? { leftOut } : {}),
      };
    },

    async listInodes() {
      return new Set(scanNamespaces({ fds: scanFds }).namespaces.keys());
    },

    async listIdentities() {
      const out = new Map<number, NamespaceIdentity>();
      const scan = scanNamespaces({ fds: scanFds });
      for (const ns of scan.namespaces.values()) {
        const oldest = ns.pids.reduce((m, p) => Math.min(m, p), Infinity);
        out.set(ns.inode, {
          key: `${[...ns.netnsNames].sort()}|${[...ns.mounts].sort()}|${oldest}`,
          holder: Number.isFinite(oldest) ? oldest : null,
          members: ns.inode === scan.hostInode ? '' : [...ns.pids].sort((a, b) => a - b).join(','),
        });
      }
      return out;
    },

    invalidateRuntimes() {
      runtimes.invalidate();
      facts.invalidateDocker();
    },

    async ensureHostNsids(inodes) {
      const scan = scanNamespaces({ fds: scanFds });
      const h = await syncHelper(scan);
      if (!h) throw new Error(helperError ?? 'nsid helper unavailable');
      const map = inodes ? await setHostNsids(scan, h, [...inodes]) : await assignHostNsids(scan, h);
      const o = cache.get(scan.hostInode);
      if (map && o && 'read' in o) cache.set(scan.hostInode, { read: { ...o.read, nsids: map } });
      return map;
    },
  };
}
