/** The discovery's interface (createDiscovery in index.ts builds it). */
import type { Topology } from '../../common/model.js';
import type { RuntimeOptions } from './runtimes/inventory.js';

export interface DiscoveryResult {
  /** Normalized (normalizeTopology), ids as in common/model.ts. */
  topology: Topology;
  /** Problems that did not stop discovery (namespaces not entered and why, unresolved peers...). */
  errors: string[];
  /** nsid as seen from the host namespace -> namespace inode (for `ip monitor all-nsid`). */
  hostNsids: Map<number, number>;
  /**
   * New namespaces found while the host's read was deferred: the host's nsid map (hostNsids)
   * lacks them until they get nsids (ensureHostNsids returns the map) or the host is read.
   */
  newWithoutHost?: number[];
  /**
   * New namespaces this refresh neither read nor shows (RefreshOptions.newLimit): the caller
   * asks for them again (a re-list).
   */
  leftOut?: number[];
}

/** What holds a namespace: `key` (names, mounts, oldest pid) and that oldest pid. */
export interface NamespaceIdentity {
  key: string;
  holder: number | null;
  /** Its processes (sorted pids), to notice membership changes; '' for the host's (all the rest). */
  members: string;
}

export interface RefreshOptions {
  /** New namespaces do not pull in a read of the host (see DiscoveryResult.newWithoutHost). */
  deferHost?: boolean;
  /**
   * Host devices events were about: each is read alone (deviceRead.ts) unless the host is read
   * anyway; if one cannot be, the whole host is read.
   */
  hostDevices?: ReadonlyArray<HostDeviceEvent>;
  /**
   * No namespace came or went that the caller knows of (its changes are monitor events about
   * namespaces it has): the last scan is used again (its ~5 ms stat of every process's
   * namespace saved) if every namespace asked for is still where it was.
   */
  reuseScan?: boolean;
  /**
   * Read at most this many new namespaces besides those asked for; the others are left out of
   * the result (DiscoveryResult.leftOut) for a later refresh. A refresh for one container's
   * namespace (0) then does not wait for a thousand namespaces someone else just made.
   */
  newLimit?: number;
}

/** A host device an event was about. */
export interface HostDeviceEvent {
  /** null: known by name only (a route event). */
  ifindex: number | null;
  name: string;
  /** The flags a link event showed, when only link events named it (see linkOnly). */
  linkFlags?: readonly string[];
  /** The last link event about it was a deletion (checked: see readHostDevices). */
  deleted?: boolean;
}

/** How far a full read is: namespaces read so far of those found. */
export type ReadProgress = (done: number, total: number) => void;

export interface Discovery {
  /** `progress`: called as namespaces are read (readers that read in one go may never call it). */
  full(progress?: ReadProgress): Promise<DiscoveryResult>;
  refresh(changedInodes: Iterable<number>, opts?: RefreshOptions): Promise<DiscoveryResult>;
  listInodes(): Promise<Set<number>>;
  /**
   * Like listInodes, with what holds each namespace (names, mounts, oldest pid): the kernel reuses
   * a freed nsfs inode at once, so a namespace replaced by a new one between two scans keeps its
   * inode but not its holders.
   */
  listIdentities(): Promise<Map<number, NamespaceIdentity>>;
  /**
   * Host nsids for every namespace lacking one, or only for these (cheaper: see setHostNsids).
   * Returns the host's nsid map afterwards (null when it could not be listed); the cached host
   * read takes it too, so the next results carry it without a read of the host.
   */
  ensureHostNsids(inodes?: Iterable<number>): Promise<Map<number, number> | null>;
  /** A runtime said a container started or stopped: the next read asks the runtimes again. */
  invalidateRuntimes(): void;
}

export interface DiscoveryOptions {
  /** Bound on parallel processes for nsid maps (fallbacks are one process per namespace). */
  concurrency?: number;
  /** Parallel chunk processes for reading many namespaces (default 4, at least 12 namespaces each). */
  chunks?: number;
  /** Also look for namespaces held only by open fds (/proc/PID/fd/*); off by default: it readlinks every fd of every process. */
  scanFds?: boolean;
  /** Docker Engine API socket (default /var/run/docker.sock; tests run their own dockerd). */
  dockerSocket?: string;
  /** containerd's socket and podman's CLI arguments (tests run their own); per-runtime timeout. */
  runtimes?: RuntimeOptions;
  /** Up to this many namespaces, each read lists its whole nsid map inline (default 40). */
  inlineNsidLimit?: number;
}
