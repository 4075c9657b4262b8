/**
 * Runtime events -> live refreshes: a container that starts or stops makes its namespace be read
 * again (with fresh runtime names), found by the event's pid or container id, ahead of other
 * pending reads; an event that names nothing we know asks for a re-list of namespaces instead.
 * An event is followed until the page shows its outcome (the container named, or gone): a read
 * that missed it (a runtime that did not answer in time on a busy host) is retried, not dropped.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { Topology } from '../../../common/model.js';
import type { EventSources, RuntimeEvent, RuntimeWatch } from './events.js';
import { watchRuntimeEvents } from './events.js';

export interface RefreshTarget {
  readonly topology: Topology;
  namespaces(inodes: number[]): void;
  /** Read these ahead of other pending work (the live scheduler's urgent lane); else namespaces(). */
  urgent?(inodes: number[]): void;
  list(): void;
}

/** Pure: does the model show the event's outcome? A start: the container (or, for a pod's sandbox, which is not listed, its namespace as a container's); a stop: no namespace lists it. */
export function eventShown(t: Topology, e: RuntimeEvent, inodes: readonly number[]): boolean {
  const listed = t.namespaces.some((n) => n.containers.some((c) => c.id === e.id));
  if (!isStart(e)) return !listed;
  return listed || t.namespaces.some((n) => inodes.includes(n.inode) && n.kind === 'container');
}

const START = new Set(['/tasks/start', 'start']);
const STOP = new Set([
  '/tasks/exit',
  '/tasks/delete',
  '/containers/delete',
  'die',
  'died',
  'destroy',
  'remove',
]);
function isStart(e: RuntimeEvent): boolean {
  return START.has(e.action);
}

/** Retries of one event: 0.5 s, then twice as long each time, for at most FOLLOW_MS. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 8000;
const FOLLOW_MS = 60_000;
const CHECK_MS = 100;

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

interface Followed {
  event: RuntimeEvent;
  since: number;
  next: number;
  wait: number;
  inodes: number[];
}

export function connectRuntimeEvents(
  sources: EventSources,
  discovery: { invalidateRuntimes(): void },
  target: RefreshTarget,
  log: (line: string) => void = () => undefined,
): RuntimeWatch {
  /** Container id -> its latest event, until the model shows that event's outcome. */
  const followed = new Map<string, Followed>();
  let timer: NodeJS.Timeout | null = null;

  const ask = (e: RuntimeEvent): number[] => {
    discovery.invalidateRuntimes();
    let found: { inodes: number[]; relist: boolean };
    let now: number[] = [];
    try {
      found = namespacesForEvent(target.topology, e, inodeOfPid, pidsInCgroupOf);
      now = (e.pid !== null ? [e.pid] : pidsInCgroupOf(e.id))
        .map(inodeOfPid)
        .filter((i): i is number => i !== null);
    } catch {
      found = { inodes: [], relist: true };
    }
    // A new namespace (not in the model yet) is read at once too, not only found by a re-list.
    const fresh = now.filter((i) => !found.inodes.includes(i));
    const inodes = [...found.inodes, ...fresh];
    if (inodes.length > 0) (target.urgent ?? target.namespaces).call(target, inodes);
    if (found.relist && fresh.length === 0) target.list();
    return inodes;
  };

  const check = (): void => {
    timer = null;
    const now = Date.now();
    for (const [id, f] of followed) {
      if (eventShown(target.topology, f.event, f.inodes)) followed.delete(id);
      else if (now - f.since > FOLLOW_MS) {
        followed.delete(id);
        log(`${f.event.runtime} ${f.event.action} ${id.slice(0, 12)}: not shown after ${FOLLOW_MS / 1000} s`);
      } else if (now >= f.next) {
        f.inodes = [...new Set([...f.inodes, ...ask(f.event)])];
        f.next = now + f.wait;
        f.wait = Math.min(f.wait * 2, MAX_RETRY_MS);
      }
    }
    if (followed.size > 0) {
      timer = setTimeout(check, CHECK_MS);
      timer.unref();
    }
  };

  const watch = watchRuntimeEvents(
    sources,
    (e) => {
      const inodes = ask(e);
      // Others (a rename, an update) are read once: no outcome to wait for.
      if (!isStart(e) && !STOP.has(e.action)) return;
      const now = Date.now();
      followed.set(e.id, {
        event: e,
        since: now,
        next: now + FIRST_RETRY_MS,
        wait: FIRST_RETRY_MS * 2,
        inodes,
      });
      if (!timer) {
        timer = setTimeout(check, CHECK_MS);
        timer.unref();
      }
    },
    () => {
      // A daemon went away: its names may be stale, and the page should say it cannot be asked.
      discovery.invalidateRuntimes();
      target.list();
    },
  );
  return {
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      followed.clear();
      watch.stop();
    },
  };
}
