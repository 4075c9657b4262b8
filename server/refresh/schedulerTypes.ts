/** What the live server's scheduler needs from discovery and gives its clients; pure helpers. */
import type { Topology } from '../../common/model.js';
import type { DeltaOp } from '../../common/protocol.js';

/** The parts of server/discovery's DiscoveryResult the live server uses. */
export interface LiveDiscoveryResult {
  topology: Topology;
  errors: string[];
  hostNsids: Map<number, number>;
  /** New namespaces found while the host (and so its nsid map) was left for later. */
  newWithoutHost?: number[];
  /** New namespaces left unread (RefreshOptions.newLimit): asked for again by a re-list. */
  leftOut?: number[];
}

/**
 * A device of the host namespace; ifindex null when the event named it only; linkFlags when
 * only link events named it, all with these flags (its routes may then be left unread).
 */
export interface HostDevice {
  ifindex: number | null;
  name: string;
  linkFlags?: readonly string[];
  /** The last link event about it was a deletion (discovery checks before dropping it). */
  deleted?: boolean;
}

export interface RefreshOptions {
  /** Do not read the host just because namespaces were added (the caller reads it next). */
  deferHost?: boolean;
  /** Host devices an event was about, read alone unless the host is read anyway. */
  hostDevices?: ReadonlyArray<HostDevice>;
  /** Only monitor events about known namespaces: the last scan may serve again. */
  reuseScan?: boolean;
  /** Read at most this many new namespaces besides those asked for (the rest: leftOut). */
  newLimit?: number;
}

/** The parts of server/discovery's Discovery the live server uses. */
export interface LiveDiscovery {
  /** `progress(done, total)`: namespaces read so far (the first read shows it on the page). */
  full(progress?: (done: number, total: number) => void): Promise<LiveDiscoveryResult>;
  refresh(changedInodes: Iterable<number>, opts?: RefreshOptions): Promise<LiveDiscoveryResult>;
  listInodes(): Promise<Set<number>>;
  /** Inode -> what holds it (see Discovery.listIdentities): catches a reused inode. */
  listIdentities?(): Promise<Map<number, { key: string; holder: number | null; members: string }>>;
  /** Returns the host's nsid map afterwards, if it could list it (else the host is read). */
  ensureHostNsids(inodes?: Iterable<number>): Promise<Map<number, number> | null | void>;
  /** A runtime event said a container started or stopped: the next read asks the runtimes again. */
  invalidateRuntimes?(): void;
}

/** Where refreshes go: the hub, which holds the model as clients have it. */
export interface SchedulerSink {
  /** The model as published so far: the base of the next diff. */
  current(): Topology;
  delta(ops: DeltaOp[], next: Topology): void;
  reset(next: Topology, reason: string): void;
  errors(errors: string[]): void;
  hostNsids(map: Map<number, number>): void;
}

export interface SchedulerOptions {
  coalesceMs?: number;
  /** Namespaces read per refresh at most, besides full reads (default 32). */
  maxPerRefresh?: number;
  /**
   * The host namespace's inode. Its read is the slow one (one veth end per namespace, every
   * route): when other namespaces changed too, they are read and published first.
   */
  hostInode?: number;
  /** The host's owed read waits for this long without other requests (default 30 ms)... */
  hostQuietMs?: number;
  /** ...but no longer than this after the change that made it owed (default 500 ms). */
  hostMaxDeferMs?: number;
  /** Delay before retrying after discovery itself failed. */
  retryMs?: number;
  log?: (line: string) => void;
  /** Log a line per refresh (what was read, the wait, the time taken, the operations). */
  verbose?: boolean;
}

/** Two link events' flags are the same (absent: not a link event, which matches nothing). */
export function sameFlags(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((f, i) => f === b[i]);
}

/** True when `next` has a veth end with an unresolved peer that `prev` did not have. */
export function introducesUnresolved(prev: Topology, next: Topology): boolean {
  const before = new Set(prev.interfaces.filter((i) => i.peerUnresolved !== null).map((i) => i.id));
  return next.interfaces.some((i) => i.peerUnresolved !== null && !before.has(i.id));
}

/** What a refresh reads, for the verbose log. */
export function describeRefresh(namespaces: number, hostDevices: number, list: boolean): string {
  const parts = [`${namespaces} namespace${namespaces === 1 ? '' : 's'}`];
  if (hostDevices > 0) parts.push(`${hostDevices} host device${hostDevices === 1 ? '' : 's'}`);
  if (list) parts.push('re-list');
  return parts.join(', ');
}
