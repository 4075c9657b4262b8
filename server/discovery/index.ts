/**
 * Discovery: finds every network namespace and reads its links, addresses and routes, resolving
 * veth peers exactly. Thin shell: enumeration is stat-only, each namespace is read by one `ip`
 * batch process (bounded concurrency), and parsing, peer resolution and assembly are pure.
 */
import type { Namespace, Topology } from '../../common/model.js';
import { assemble, describeNamespace } from './assemble.js';
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
import { mergeDeviceRead, parseDeviceRead, readableDeviceName } from './deviceRead.js';
import type { ReadOutcome } from './reader.js';

export interface DiscoveryResult {
  /** Normalized (normalizeTopology), ids as in common/model.ts. */
  topology: Topology;
  /** Problems that did not stop discovery (namespaces not entered and why, unresolved peers...). */
  errors: string[];
  /** nsid as seen from the host namespace -> namespace inode (for `ip monitor all-nsid`). */
  hostNsids: Map<number, number>;
  /** New namespaces were found but the host was not read: its nsid map lacks them until it is. */
  hostDeferred?: boolean;
}

/** What holds a namespace: `key` (names, mounts, oldest pid) and that oldest pid. */
export interface NamespaceIdentity {
  key: string;
  holder: number | null;
}

export interface RefreshOptions {
  /** New namespaces do not pull in a read of the host (see DiscoveryResult.hostDeferred). */
  deferHost?: boolean;
  /**
   * Host devices events were about (ifindex null: named only): each is read alone
   * (deviceRead.ts) unless the host is read anyway; if one cannot be, the whole host is read.
   */
  hostDevices?: ReadonlyArray<{ ifindex: number | null; name: string }>;
}

export interface Discovery {
  full(): Promise<DiscoveryResult>;
  refresh(changedInodes: Iterable<number>, opts?: RefreshOptions): Promise<DiscoveryResult>;
  listInodes(): Promise<Set<number>>;
  /**
   * Like listInodes, with what holds each namespace (names, mounts, oldest pid): the kernel reuses
   * a freed nsfs inode at once, so a namespace replaced by a new one between two scans keeps its
   * inode but not its holders.
   */
  listIdentities(): Promise<Map<number, NamespaceIdentity>>;
  /** Host nsids for every namespace lacking one, or only for these (cheaper: see setHostNsids). */
  ensureHostNsids(inodes?: Iterable<number>): Promise<void>;
}

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

export interface DiscoveryOptions {
  /** Bound on parallel processes for nsid maps (fallbacks are one process per namespace). */
  concurrency?: number;
  /** Parallel chunk processes for reading many namespaces (default 4, at least 12 namespaces each). */
  chunks?: number;
  /** Also look for namespaces held only by open fds (/proc/PID/fd/*); off by default: it readlinks every fd of every process. */
  scanFds?: boolean;
  /** Docker Engine API socket (default /var/run/docker.sock; tests run their own dockerd). */
  dockerSocket?: string;
  /** Up to this many namespaces, each read lists its whole nsid map inline (default 40). */
  inlineNsidLimit?: number;
}

export function createDiscovery(opts: DiscoveryOptions = {}): Discovery {
  const concurrency = opts.concurrency ?? 8;
  const scanFds = opts.scanFds ?? false;
  const cache = new Map<number, ReadOutcome>();
  const facts = new FactsCache(opts.dockerSocket);
  const memo: InterfaceMemo = new WeakMap();
  // Small reads (the live server's refreshes) go through one waiting shell: see readServer.ts.
  const readServer = new ReadServer();
  let helper: NsidHelper | null = null;
  let helperError: string | null = null;
  let idleTimer: NodeJS.Timeout | null = null;

  function touchIdle(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
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

  /** Reads `inodes` into the cache; returns problems met while fetching nsid maps. */
  async function readAll(scan: Scan, inodes: number[]): Promise<string[]> {
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
    const again = namespacesNeedingMaps({ reads, unreadable });
    return again.length > 0 ? [...errors, ...(await fetchMaps(again, scan, h, reads, concurrency))] : errors;
  }

  /** `fresh`: namespaces whose processes' facts are read again (all of them on full reads). */
  async function build(scan: Scan, errors: string[], fresh: Set<number> | 'all'): Promise<DiscoveryResult> {
    const present = new Set<number>();
    const nsFacts = [...scan.namespaces.values()].map((f) => {
      for (const pid of f.pids) present.add(pid);
      return facts.factsOf(f, f.inode === scan.hostInode, fresh === 'all' || fresh.has(f.inode));
    });
    facts.prune(present);
    const dockerInfo = await facts.dockerInfo(nsFacts, errors);
    const namespaces = nsFacts.map((f) => describeNamespace(f, dockerInfo));
    const reads = new Map<number, NamespaceRead>();
    const unreadable = new Map<number, string>();
    for (const n of namespaces) {
      const o = cache.get(n.inode);
      if (o && 'read' in o) reads.set(n.inode, o.read);
      else unreadable.set(n.inode, o ? o.error : 'not read');
    }
    const { topology, errors: more } = assemble({ namespaces, reads, unreadable }, memo);
    const hostNsids = reads.get(scan.hostInode)?.nsids ?? new Map<number, number>();
    if (helperError) errors.push(helperError);
    return { topology, errors: [...errors, ...more], hostNsids };
  }

  /** Reads these host devices into the cached host read; false when that could not be done. */
  async function readHostDevices(
    scan: Scan,
    devices: ReadonlyArray<{ ifindex: number | null; name: string }>,
  ): Promise<boolean> {
    const host = scan.namespaces.get(scan.hostInode);
    let o = cache.get(scan.hostInode);
    if (!host || !o || !('read' in o)) return false;
    const ours = scan.hostPath === '/proc/self/ns/net';
    const path = ours ? '' : (openPaths(host, scan)[0] ?? '');
    for (const { ifindex: named, name } of devices) {
      // Known by name only (a route event): the device the cached read has under that name.
      const ifindex: number | undefined =
        named ?? o.read.links.find((l) => l.iface.name === name)?.iface.ifindex;
      if (ifindex === undefined || !readableDeviceName(name) || (!ours && !path)) return false;
      const r = await readServer.read({
        withNsids: false,
        path,
        mountNs: null,
        device: name,
        timeoutMs: 10_000,
      });
      const found = r.exitCode === 0 ? parseDeviceRead(scan.hostInode, name, r.stdout) : null;
      const merged: NamespaceRead | null = found ? mergeDeviceRead(o.read, ifindex, name, found) : null;
      if (!merged) return false;
      o = { read: merged };
    }
    cache.set(scan.hostInode, o);
    return true;
  }

  function dropVanished(scan: Scan): void {
    for (const ino of cache.keys()) if (!scan.namespaces.has(ino)) cache.delete(ino);
  }

  return {
    async full() {
      const scan = scanNamespaces({ fds: scanFds });
      cache.clear();
      facts.clear();
      const more = await readAll(scan, [...scan.namespaces.keys()]);
      return build(scan, [...scan.errors, ...more], 'all');
    },

    async refresh(changedInodes, refreshOpts = {}) {
      const scan = scanNamespaces({ fds: scanFds });
      dropVanished(scan);
      const want = new Set<number>();
      for (const ino of changedInodes) if (scan.namespaces.has(ino)) want.add(ino);
      let added = false;
      for (const ino of scan.namespaces.keys()) {
        if (!cache.has(ino)) {
          want.add(ino);
          added = true;
        }
      }
      const devices = refreshOpts.hostDevices ?? [];
      if (devices.length > 0 && !want.has(scan.hostInode) && !(await readHostDevices(scan, devices))) {
        want.add(scan.hostInode);
      }
      // New namespaces need entries in the host's nsid map (hostNsids) and the helper.
      const hostDeferred = added && !want.has(scan.hostInode) && refreshOpts.deferHost === true;
      if (added && !hostDeferred) want.add(scan.hostInode);
      const more = await readAll(scan, [...want]);
      const result = await build(scan, [...scan.errors, ...more], want);
      return hostDeferred ? { ...result, hostDeferred } : result;
    },

    async listInodes() {
      return new Set(scanNamespaces({ fds: scanFds }).namespaces.keys());
    },

    async listIdentities() {
      const out = new Map<number, NamespaceIdentity>();
      for (const ns of scanNamespaces({ fds: scanFds }).namespaces.values()) {
        const oldest = ns.pids.reduce((m, p) => Math.min(m, p), Infinity);
        out.set(ns.inode, {
          key: `${[...ns.netnsNames].sort()}|${[...ns.mounts].sort()}|${oldest}`,
          holder: Number.isFinite(oldest) ? oldest : null,
        });
      }
      return out;
    },

    async ensureHostNsids(inodes) {
      const scan = scanNamespaces({ fds: scanFds });
      const h = await syncHelper(scan);
      if (!h) throw new Error(helperError ?? 'nsid helper unavailable');
      if (inodes) await setHostNsids(scan, h, [...inodes]);
      else await assignHostNsids(scan, h);
    },
  };
}
