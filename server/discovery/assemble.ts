/** Pure assembly of the model: namespace descriptions and the final normalized topology. */
import type { Namespace, NamespaceKind, ProcessRef, Route, Topology } from '../../common/model.js';
import { nsId } from '../../common/ids.js';
import { MODEL_VERSION, byId, normalizeTopology } from '../../common/model.js';
import type { DockerContainer } from './docker.js';
import type { FoundNamespace } from './enumerate.js';
import type { NamespaceRead } from './ipParse.js';
import type { CgroupContainer } from './procParse.js';
import type { InterfaceMemo } from './peers.js';
import { resolve } from './peers.js';
import type { Inventory } from './runtimes/inventory.js';
import { namespaceContainers } from './runtimes/merge.js';

export const MAX_PROCESSES = 20;

export interface NamespaceFacts {
  found: FoundNamespace;
  isHost: boolean;
  /** comm of (up to MAX_PROCESSES of) its pids. */
  comms: Map<number, string>;
  /** Container of each pid that has one (from /proc/PID/cgroup). */
  cgroups: Map<number, CgroupContainer>;
}

/**
 * Names CNI plugins and podman give the bind mounts of containers' namespaces (`cni-<uuid>`,
 * `netns-<uuid>`): the pod or container living there is the better title.
 */
function runtimeNetnsName(name: string): boolean {
  return /^(cni|netns)-[0-9a-f-]{8,}$/.test(name);
}

export function describeNamespace(
  f: NamespaceFacts,
  docker: Map<string, DockerContainer> | null,
  inventory: Inventory | null = null,
): Namespace {
  const { containers: refs, pod } = namespaceContainers(f.found.pids, f.cgroups, f.isHost, docker, inventory);
  const processes: ProcessRef[] = f.found.pids
    .slice(0, MAX_PROCESSES)
    .map((pid) => ({ pid, command: f.comms.get(pid) ?? '?' }));
  const owner = refs.find((c) => !c.sharedNamespace);

  let kind: NamespaceKind;
  let name: string;
  if (f.isHost) {
    kind = 'host';
    name = 'host';
  } else if (f.found.netnsNames.length > 0 && !(runtimeNetnsName(f.found.netnsNames[0]!) && (pod || owner))) {
    kind = 'named';
    name = f.found.netnsNames[0]!;
  } else if (pod) {
    kind = 'container';
    name = pod;
  } else if (owner) {
    kind = 'container';
    name = owner.name ?? `${owner.runtime} ${owner.id.slice(0, 12)}`;
  } else {
    kind = 'process';
    const p = processes[0];
    name = p
      ? `pid ${p.pid} (${p.command})`
      : f.found.mounts[0]
        ? `mount ${f.found.mounts[0]}`
        : f.found.fds[0]
          ? `fd ${f.found.fds[0]}`
          : `ns ${f.found.inode}`;
  }
  return {
    id: nsId(f.found.inode),
    inode: f.found.inode,
    kind,
    name,
    netnsNames: f.found.netnsNames,
    pids: f.found.pids,
    processes,
    containers: refs,
    mounts: f.found.mounts,
    error: null,
  };
}

const sortedRoutes = new WeakMap<NamespaceRead, Route[]>();

/** A read's routes in id order, sorted once per read (reads are cached between refreshes). */
function routesInOrder(read: NamespaceRead): Route[] {
  let r = sortedRoutes.get(read);
  if (!r) {
    r = [...read.routes].sort(byId);
    sortedRoutes.set(read, r);
  }
  return r;
}

export interface AssembleInput {
  namespaces: Namespace[];
  reads: Map<number, NamespaceRead>;
  /** inode -> why it could not be read. */
  unreadable: Map<number, string>;
}

/** `memo` lets unchanged interfaces keep their objects from one assembly to the next. */
export function assemble(
  input: AssembleInput,
  memo?: InterfaceMemo,
): { topology: Topology; errors: string[] } {
  const present = new Set(input.namespaces.map((n) => n.inode));
  // In namespace id order, each read's entities in id order: the lists come out sorted, and
  // normalizing them is a check instead of a sort (see routesInOrder).
  // Each namespace's id built once (not twice per comparison: a live refresh at 1,000 namespaces
  // sorts them all).
  const reads = new Map(
    [...input.reads]
      .filter(([ino]) => present.has(ino))
      .map(([ino, read]) => ({ id: nsId(ino), entry: [ino, read] as const }))
      .sort(byId)
      .map((x) => x.entry),
  );
  const namespaces = input.namespaces.map((n) => ({ ...n, error: input.unreadable.get(n.inode) ?? null }));
  const { interfaces, links } = resolve({ reads, unreadable: input.unreadable }, memo);
  const errors: string[] = [];
  for (const n of namespaces) if (n.error) errors.push(`${n.id} (${n.name}) not read: ${n.error}`);
  for (const i of interfaces) {
    if (i.peerUnresolved) errors.push(`${i.id} (${i.name}): veth peer unresolved: ${i.peerUnresolved}`);
  }
  const routes = [...reads.values()].flatMap(routesInOrder);
  return {
    topology: normalizeTopology({ version: MODEL_VERSION, namespaces, interfaces, routes, links }),
    errors,
  };
}
