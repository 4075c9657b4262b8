/**
 * Runtime events -> live refreshes: a container that starts or stops makes its namespace be read
 * again (with fresh runtime names), found by the event's pid or container id; an event that names
 * nothing we know asks for a re-list of namespaces instead.
 */
import { statSync } from 'node:fs';
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
): { inodes: number[]; relist: boolean } {
  const inodes = new Set<number>();
  if (e.pid !== null) {
    for (const n of t.namespaces) if (n.pids.includes(e.pid)) inodes.add(n.inode);
    const now = inodeOfPid(e.pid);
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
        found = namespacesForEvent(target.topology, e, inodeOfPid);
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
