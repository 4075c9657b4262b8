/**
 * Discovery: finds every network namespace and reads its links, addresses and routes.
 * (Contract stub: the implementation lands shortly; the exports below are stable.)
 */
import type { Namespace, Topology } from '../../common/model.js';
import { emptyTopology } from '../../common/model.js';

export interface DiscoveryResult {
  topology: Topology;
  errors: string[];
  hostNsids: Map<number, number>;
}

export interface Discovery {
  full(): Promise<DiscoveryResult>;
  refresh(changedInodes: Iterable<number>): Promise<DiscoveryResult>;
  listInodes(): Promise<Set<number>>;
  ensureHostNsids(): Promise<void>;
}

export function createDiscovery(_opts?: { concurrency?: number }): Discovery {
  const empty = async (): Promise<DiscoveryResult> => ({
    topology: emptyTopology(),
    errors: [],
    hostNsids: new Map(),
  });
  return {
    full: empty,
    refresh: empty,
    listInodes: async () => new Set(),
    ensureHostNsids: async () => {},
  };
}

export function namespacePath(ns: Namespace): string {
  if (ns.mounts[0]) return ns.mounts[0];
  if (ns.pids[0] !== undefined) return `/proc/${ns.pids[0]}/ns/net`;
  return '/proc/self/ns/net';
}
