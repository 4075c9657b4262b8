/**
 * Runtime events -> live refreshes: a container that starts or stops makes its namespace be read
 * again (with fresh runtime names), found by the event's pid or container id; an event that names
 * nothing we know asks for a re-list of namespaces instead.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { Topology } from '../../../common/model.js';
import type { EventSources, RuntimeEvent, RuntimeWatch } from './events.js';
import { watchRuntimeEvents } from './events.js';

export interface RefreshTarget {
  readonly topology: Topology;
  namespaces(inodes: number[]): void;
  list(): void;
}

/** Pure: which namespaces an event is about, or that a re-list is needed. */
export function namespacesForEvent(
  t: Topology,
  e: RuntimeEvent,
  inodeOfPid: (pid: number) => number | null,
  /** The container's processes, for events that carry no pid (podman's, Docker's). */
  pidsOf: (id: string) => number[] = () => [],
): { inodes: number[]; relist: boolean } {
  const inodes = new Set<number>();
  for (const pid of e.pid !== null ? [e.pid] : pidsOf(e.id)) {
    for (const n of t.namespaces) if (n.pids.includes(pid)) inodes.add(n.inode);
    const now = inodeOfPid(pid);
    if (now !== null) inodes.add(now);
  }
  for (const n of t.namespaces) if (n.containers.some((c) => c.id === e.id)) inodes.add(n.inode);
  const known = new Set(t.namespaces.map((n) => n.inode));
  const relist = inodes.size === 0 || [...inodes].some((i) => !known.has(i));
  return { inodes: [...inodes].filter((i) => known.has(i)), relist };
}

function inodeOfPid(pid: number): number | null {
  return statSync(`/proc/${pid}/ns/net`, { throwIfNoEntry: false })?.ino ?? null;
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;

/**
 * The processes whose cgroup names the container (every runtime here puts its 64-digit id in the
 * cgroup path): a container that joins a pod's existing namespace is found by it, without asking
 * the runtime for its pid. One read of /proc per event that has no pid: a few ms.
 */
export function pidsInCgroupOf(id: string): number[] {
  if (!CONTAINER_ID.test(id)) return [];
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cgroup`, 'utf8').includes(id)) out.push(Number(d));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

export function connectRuntimeEvents(
  sources: EventSources,
  discovery: { invalidateRuntimes(): void },
  target: RefreshTarget,
): RuntimeWatch {
  return watchRuntimeEvents(
    sources,
    (e) => {
      discovery.invalidateRuntimes();
      let found: { inodes: number[]; relist: boolean };
      try {
        found = namespacesForEvent(target.topology, e, inodeOfPid, pidsInCgroupOf);
      } catch {
        found = { inodes: [], relist: true };
      }
      if (found.relist) target.list();
      if (found.inodes.length > 0) target.namespaces(found.inodes);
    },
    () => {
      // A daemon went away: its names may be stale, and the page should say it cannot be asked.
      discovery.invalidateRuntimes();
      target.list();
    },
  );
}
