/**
 * The one object through which actions, inspect and crash recovery see the live model: the
 * current topology, the path of a namespace id, and "refresh these namespaces". Built once by the
 * composition root (serve.ts) over the refresh stage, which holds the model.
 */
import { parseNsId } from '../common/ids.js';
import type { Namespace, Topology } from '../common/model.js';

export interface ModelAccess {
  /** The latest model (what clients have been sent). */
  getTopology(): Topology;
  /** A path nsenter/ip can use for a namespace id, null if the id is unknown. */
  namespacePath(id: string): string | null;
  /** The kernel changed in these namespaces (ids): re-read them now. */
  onKernelChanged(nsIds: string[]): void;
}

/** What the model access needs of the refresh stage. */
export interface RefreshRequests {
  readonly topology: Topology;
  namespaces(inodes: Iterable<number>): void;
  list(): void;
}

export function createModelAccess(refresh: RefreshRequests, pathOf: (ns: Namespace) => string): ModelAccess {
  return {
    getTopology: () => refresh.topology,
    namespacePath: (id) => {
      const ns = refresh.topology.namespaces.find((n) => n.id === id);
      return ns ? pathOf(ns) : null;
    },
    onKernelChanged: (ids) => {
      const inodes = ids.map(parseNsId).filter((i): i is number => i !== null);
      // An id that is no namespace's (a new one the model lacks): the list may have changed.
      if (inodes.length < ids.length) refresh.list();
      refresh.namespaces(inodes);
    },
  };
}
