/**
 * The netns-explorer topology model: the public JSON contract printed by
 * `netns-explorer snapshot`, served by `GET /api/topology` and streamed over `/api/live`.
 *
 * Ids are derived from kernel identity, never generated, so they survive every refresh; they are
 * built and read in common/ids.ts only.
 *
 * Every array is sorted by `id` (routes by `id` too), so two snapshots of the same kernel
 * state are deep-equal.
 */

export const MODEL_VERSION = 1;

export type NamespaceKind = 'host' | 'named' | 'process' | 'container';

/** What a container belongs to, beyond its namespace: shown on its box and usable as a filter. */
export interface ContainerGroup {
  /** `compose`: a docker compose project; `kubernetes`: a Kubernetes namespace; `pod`: a podman pod. */
  kind: 'compose' | 'kubernetes' | 'pod';
  name: string;
}

export interface ContainerRef {
  /** `docker`, `containerd`, `podman`, `kubernetes`, ... as read from /proc/PID/cgroup. */
  runtime: string;
  id: string;
  /** Human name (from the runtime's API or labels), null where the runtime could not tell. */
  name: string | null;
  image: string | null;
  /** `namespace/pod` for a Kubernetes pod's container, the pod's name for a podman pod, else null. */
  pod: string | null;
  /** Compose project, Kubernetes namespace or podman pod, from the runtime's labels. */
  group: ContainerGroup | null;
  /** True when the container uses a namespace it does not own (`--net host`, `--net container:X`). */
  sharedNamespace: boolean;
}

export interface ProcessRef {
  pid: number;
  /** The process's `comm` (what `ps -o comm` shows). */
  command: string;
}

export interface Namespace {
  id: string;
  inode: number;
  kind: NamespaceKind;
  /** What people recognise: the netns name, the container name, or `pid 1234 (sleep)`. */
  name: string;
  /** Names under /run/netns that denote this namespace (what `ip netns list` shows). */
  netnsNames: string[];
  /** Sorted PIDs whose /proc/PID/ns/net is this namespace. */
  pids: number[];
  /** The processes in it, capped for display (`pids` is complete). */
  processes: ProcessRef[];
  containers: ContainerRef[];
  /** nsfs bind mounts that keep it alive (/run/netns/x, /run/docker/netns/y, ...). */
  mounts: string[];
  /** Why the namespace could not be read (permissions, vanished), or null when it was. */
  error: string | null;
  /** Hub mode only: the node it is on (the host part of its id). Absent on a single-host server. */
  host?: string;
}

export type AddressFamily = 'inet' | 'inet6';

export interface Address {
  family: AddressFamily;
  /** Address with prefix length, as ip prints it: `10.1.2.3/24`, `fd00::1/64`. */
  cidr: string;
  scope: string;
  /** Broadcast address where set, else null. */
  broadcast: string | null;
}

export interface Interface {
  id: string;
  namespace: string;
  ifindex: number;
  name: string;
  /** `veth`, `bridge`, `macvlan`, `vxlan`, `tun`, `tap`, `loopback`, `device` (physical), ... */
  kind: string;
  /** Operational state as ip prints it: `UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`, ... */
  state: string;
  /** Link flags as ip prints them: `BROADCAST`, `UP`, `LOWER_UP`, ... */
  flags: string[];
  mtu: number;
  mac: string | null;
  addresses: Address[];
  /** Interface id of the bridge (or other master) this one is enslaved to. */
  master: string | null;
  /** Interface id of the veth peer, when resolved. */
  peer: string | null;
  /** Why a veth's peer could not be resolved; null when resolved or not a veth. */
  peerUnresolved: string | null;
  /** Interface id this one sits on (macvlan/vxlan lower device), when in a known namespace. */
  lower: string | null;
  /** ifalias; netns-explorer tags what it creates with `netns-explorer:`. */
  alias: string | null;
  /** STP state of a bridge port (`forwarding`, `blocking`, ...), else null. */
  bridgePortState: string | null;
  /** Hub mode only: the node it is on (the host part of its id). Absent on a single-host server. */
  host?: string;
}

export interface Route {
  id: string;
  namespace: string;
  family: AddressFamily;
  /** `main`, `local`, `default` or a number, as ip prints it. */
  table: string;
  /** `unicast`, `local`, `broadcast`, `blackhole`, ... */
  type: string;
  /** `default` or a CIDR as ip prints it (`10.0.0.0/24`, `8.8.8.8`). */
  dst: string;
  gateway: string | null;
  dev: string | null;
  protocol: string | null;
  scope: string | null;
  metric: number | null;
  prefsrc: string | null;
  flags: string[];
  /** Hub mode only: the node it is on (the host part of its id). Absent on a single-host server. */
  host?: string;
}

export interface Link {
  id: string;
  kind: 'veth';
  a: string;
  b: string;
  /** Hub mode only: the node it is on (the host part of its id). Absent on a single-host server. */
  host?: string;
}

export interface Topology {
  version: typeof MODEL_VERSION;
  namespaces: Namespace[];
  interfaces: Interface[];
  routes: Route[];
  links: Link[];
}

export function emptyTopology(): Topology {
  return { version: MODEL_VERSION, namespaces: [], interfaces: [], routes: [], links: [] };
}

export function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A sorted copy; checking first is much cheaper than sorting what is already sorted. */
function sortedById<T extends { id: string }>(a: readonly T[]): T[] {
  for (let i = 1; i < a.length; i++) if (a[i - 1]!.id > a[i]!.id) return [...a].sort(byId);
  return a.slice();
}

/** Sorts every collection by id so equal kernel states give deep-equal topologies. */
export function normalizeTopology(t: Topology): Topology {
  return {
    version: t.version,
    namespaces: sortedById(t.namespaces),
    interfaces: sortedById(t.interfaces),
    routes: sortedById(t.routes),
    links: sortedById(t.links),
  };
}
