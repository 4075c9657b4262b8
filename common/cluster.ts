/**
 * Hub mode: one model for several nodes. Each agent sends its own model (today's ids); the hub
 * qualifies every id and every reference with the node's host name (common/ids.ts) and keeps the
 * union. Pure functions, so the merge is tested without sockets.
 */
import { qualifiedId } from './ids.js';
import { normalizeTopology } from './model.js';
import type { Interface, Link, Namespace, Route, Topology } from './model.js';
import type { DeltaOp } from './protocol.js';

export type NodeState = 'connecting' | 'live' | 'stale';

/** What the hub knows of one agent, beside its entities. */
export interface NodeStatus {
  /** Host name the agent reported (null until it answered once). */
  host: string | null;
  url: string;
  state: NodeState;
  /** ISO time of the last message from the agent; null before the first. */
  lastSeen: string | null;
  /** Why the last connection failed or ended, else null. */
  error: string | null;
  /** The agent refuses changes (no `--allow-changes`); null until it said. */
  readOnly?: boolean | null;
}

/** A VXLAN device as its agent reads it (`ip -d link`, `bridge fdb`): enough to pair it across nodes. */
export interface VxlanFact {
  /** The interface id on the agent (unqualified). */
  interface: string;
  vni: number;
  /** Local underlay address, null when the device has none set. */
  local: string | null;
  /** Unicast remote underlay addresses: `remote` and every fdb `dst`. */
  remotes: string[];
  dstport: number;
}

/**
 * A Geneve device as its agent reads it (`ip -d link`). Geneve has no local address and no fdb:
 * one remote per device (or none: `external`, collect-metadata mode, which names no peer).
 */
export interface GeneveFact {
  /** The interface id on the agent (unqualified). */
  interface: string;
  vni: number;
  remote: string | null;
  dstport: number;
}

/** An edge between interfaces of two nodes (host-qualified ids). */
export interface CrossLink {
  id: string;
  kind: 'vxlan' | 'geneve' | 'route';
  a: string;
  b: string;
  /** vxlan, geneve: `vni N`; route: the destination (`10.244.2.0/24`). */
  label: string;
  /** route: the qualified id of the route that makes the edge; vxlan, geneve: null. */
  route: string | null;
}

/** What `GET /api/cluster` answers on a hub. */
export interface ClusterView {
  nodes: NodeStatus[];
  links: CrossLink[];
}

function q(host: string, id: string): string {
  return qualifiedId(host, id);
}
function qn(host: string, id: string | null): string | null {
  return id === null ? null : qualifiedId(host, id);
}

export function qualifyNamespace(host: string, n: Namespace): Namespace {
  return { ...n, id: q(host, n.id), host };
}

export function qualifyInterface(host: string, i: Interface): Interface {
  return {
    ...i,
    id: q(host, i.id),
    namespace: q(host, i.namespace),
    master: qn(host, i.master),
    peer: qn(host, i.peer),
    lower: qn(host, i.lower),
    host,
  };
}

export function qualifyRoute(host: string, r: Route): Route {
  return { ...r, id: q(host, r.id), namespace: q(host, r.namespace), host };
}

export function qualifyLink(host: string, l: Link): Link {
  return { ...l, id: q(host, l.id), a: q(host, l.a), b: q(host, l.b), host };
}

/** An agent's whole model with every id and reference qualified by `host`, sorted by id. */
export function qualifyTopology(host: string, t: Topology): Topology {
  return normalizeTopology({
    version: t.version,
    namespaces: t.namespaces.map((n) => qualifyNamespace(host, n)),
    interfaces: t.interfaces.map((i) => qualifyInterface(host, i)),
    routes: t.routes.map((r) => qualifyRoute(host, r)),
    links: t.links.map((l) => qualifyLink(host, l)),
  });
}

/** An agent's delta, qualified by `host` (order kept: parents first, removes children first). */
export function qualifyOps(host: string, ops: readonly DeltaOp[]): DeltaOp[] {
  return ops.map((op): DeltaOp => {
    if (op.op === 'remove') return { ...op, id: q(host, op.id) };
    switch (op.entity) {
      case 'namespace':
        return { ...op, value: qualifyNamespace(host, op.value) };
      case 'interface':
        return { ...op, value: qualifyInterface(host, op.value) };
      case 'route':
        return { ...op, value: qualifyRoute(host, op.value) };
      case 'link':
        return { ...op, value: qualifyLink(host, op.value) };
    }
  });
}

/** The union of already-qualified node models (ids never collide: each carries its host). */
export function unionTopologies(parts: readonly Topology[]): Topology {
  return normalizeTopology({
    version: 1,
    namespaces: parts.flatMap((t) => t.namespaces),
    interfaces: parts.flatMap((t) => t.interfaces),
    routes: parts.flatMap((t) => t.routes),
    links: parts.flatMap((t) => t.links),
  });
}
