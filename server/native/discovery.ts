/**
 * Discovery (the same interface and model as server/discovery's) reading namespaces with the
 * native reader: a full read or a refresh starts no process. Enumeration, facts, peer resolution
 * and assembly are discovery's own, shared code; only reading and nsid maps differ.
 */
import { statSync } from 'node:fs';
import type { Discovery, DiscoveryOptions, DiscoveryResult, NamespaceIdentity } from '../discovery/api.js';
import { buildResult } from '../discovery/buildResult.js';
import type { Scan } from '../discovery/enumerate.js';
import { openPaths, scanNamespaces } from '../discovery/enumerate.js';
import { FactsCache } from '../discovery/facts.js';
import { InventoryCache } from '../discovery/runtimes/cache.js';
import type { NamespaceRead } from '../discovery/ipParse.js';
import type { InterfaceMemo } from '../discovery/peers.js';
import type { ReadOutcome } from '../discovery/reader.js';
import { nativeRead } from './binding.js';
import { loadRouteNames } from './names.js';
import { VANISHED, completeNsidMaps, nsidsFrom, readNative } from './nativeReads.js';

export function createNativeDiscovery(opts: DiscoveryOptions = {}): Discovery {
  const scanFds = opts.scanFds ?? false;
  const names = loadRouteNames();
  const cache = new Map<number, ReadOutcome>();
  const facts = new FactsCache(opts.dockerSocket);
  const runtimes = new InventoryCache(opts.runtimes);
  const memo: InterfaceMemo = new WeakMap();
  let lastScan: Scan | null = null;
  // A call the live server's watchdog gave up on may still be running when the next starts:
  // only the newest call may write the cache; an older one finds out and fails, unpublished.
  let generation = 0;
  const current = (gen: number): void => {
    if (gen !== generation) throw new Error('read superseded by a newer one (abandoned after a timeout)');
  };

  /** Reads `inodes` into the cache, then completes nsid maps; returns problems met. */
  async function readAll(
    scan: Scan,
    inodes: number[],
    gen: number,
    progress?: (done: number, total: number) => void,
  ): Promise<string[]> {
    const outcomes = await readNative(scan, inodes, names, progress);
    current(gen);
    for (const [ino, o] of outcomes) {
      // A namespace gone before we could enter it drops out of this read.
      if ('error' in o && o.error === VANISHED) {
        scan.namespaces.delete(ino);
        cache.delete(ino);
      } else cache.set(ino, o);
    }
    const reads = new Map<number, NamespaceRead>();
    const unreadable = new Set<number>();
    for (const [ino, o] of cache) {
      if (!scan.namespaces.has(ino)) continue;
      if ('read' in o) reads.set(ino, o.read);
      else unreadable.add(ino);
    }
    const errors = await completeNsidMaps(scan, reads, unreadable);
    current(gen);
    return errors;
  }

  function build(scan: Scan, errors: string[], fresh: Set<number> | 'all'): Promise<DiscoveryResult> {
    return buildResult({ scan, facts, runtimes, cache, memo, errors, fresh });
  }

  function stillHolds(scan: Scan, inodes: number[]): boolean {
    return inodes.every((ino) => {
      const ns = scan.namespaces.get(ino);
      const path = ns && openPaths(ns, scan)[0];
      return path !== undefined && statSync(path, { throwIfNoEntry: false })?.ino === ino;
    });
  }

  const scan = () => scanNamespaces({ fds: scanFds });

  return {
    async full(progress) {
      const gen = ++generation;
      const s = scan();
      lastScan = s;
      cache.clear();
      facts.clear();
      // Asked again on every full read, as the ip reader does (discovery/index.ts).
      runtimes.invalidate();
      const more = await readAll(s, [...s.namespaces.keys()], gen, progress);
      return build(s, [...s.errors, ...more], 'all');
    },

    async refresh(changedInodes, refreshOpts = {}) {
      const gen = ++generation;
      const changed = [...changedInodes];
      const reuse = refreshOpts.reuseScan === true && lastScan !== null && stillHolds(lastScan, changed);
      const s = reuse && lastScan ? lastScan : scan();
      lastScan = s;
      for (const ino of cache.keys()) if (!s.namespaces.has(ino)) cache.delete(ino);
      const want = new Set(changed.filter((ino) => s.namespaces.has(ino)));
      let added = false;
      for (const ino of s.namespaces.keys()) {
        if (!cache.has(ino)) {
          want.add(ino);
          added = true;
        }
      }
      // Host devices and new namespaces: the host's read is cheap here (no process), and it
      // carries the host's nsid of every namespace.
      if (added || (refreshOpts.hostDevices?.length ?? 0) > 0) want.add(s.hostInode);
      const more = await readAll(s, [...want], gen);
      return build(s, [...s.errors, ...more], want);
    },

    invalidateRuntimes() {
      runtimes.invalidate();
      facts.invalidateDocker();
    },

    async listInodes() {
      return new Set(scan().namespaces.keys());
    },

    async listIdentities() {
      const out = new Map<number, NamespaceIdentity>();
      const s = scan();
      for (const ns of s.namespaces.values()) {
        const oldest = ns.pids.reduce((m, p) => Math.min(m, p), Infinity);
        out.set(ns.inode, {
          key: `${[...ns.netnsNames].sort()}|${[...ns.mounts].sort()}|${oldest}`,
          holder: Number.isFinite(oldest) ? oldest : null,
          members: ns.inode === s.hostInode ? '' : [...ns.pids].sort((a, b) => a - b).join(','),
        });
      }
      return out;
    },

    async ensureHostNsids(inodes) {
      const s = scan();
      const want = [...(inodes ?? s.namespaces.keys())].filter(
        (i) => i !== s.hostInode && s.namespaces.has(i),
      );
      const paths = want.map((i) => openPaths(s.namespaces.get(i)!, s)[0] ?? '');
      const gen = ++generation;
      const [r] = await nativeRead([{ path: s.hostPath, targets: paths, assign: true, dump: false }]);
      current(gen);
      if (!r || r.error !== null) throw new Error(`host nsids: ${r?.error ?? 'no answer'}`);
      const o = cache.get(s.hostInode);
      const map = new Map(o && 'read' in o ? (o.read.nsids ?? []) : []);
      for (const [id, ino] of nsidsFrom(r, want)) map.set(id, ino);
      if (o && 'read' in o) cache.set(s.hostInode, { read: { ...o.read, nsids: map } });
      return map;
    },
  };
}
