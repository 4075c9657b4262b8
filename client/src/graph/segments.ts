/**
 * Segments: namespaces that meet at one bridge (a docker0, cni0 or br-int with a veth per
 * member), or whose veths all lead to one namespace, grouped around that hub. The layout places a
 * segment's members beside their hub (segmentLayout.ts) and the picture may fold the hub's side
 * of their veth pairs (fold.ts). Pure.
 */
import type { Interface, Topology } from '../../../common/model.js';
import type { Structure } from './structure.js';

export interface Segment {
  /** The namespace every member's veths lead to. */
  hub: string;
  /** The bridge in the hub the members' peers are ports of, or null (plain veths, a router). */
  bridge: string | null;
  /** Member namespaces, in model order (so the picture is the same on every load). */
  members: string[];
}

/** Fewer members than this are not a segment: a pair of namespaces is just a veth. */
export const SEGMENT_MIN = 2;

/** Where a namespace's veth leads: the peer's namespace and the bridge the peer is a port of. */
function peerEnd(peer: Interface, byId: ReadonlyMap<string, Interface>): string {
  const master = peer.master ? byId.get(peer.master) : undefined;
  return `${peer.namespace}\n${master?.kind === 'bridge' ? master.id : ''}`;
}

/** For each drawn namespace, the ends (peerEnd) of its veths into other drawn namespaces. */
function vethEnds(t: Topology, s: Structure): Map<string, Set<string>> {
  const shown = new Set(s.namespaces.map((n) => n.id));
  const byId = new Map(t.interfaces.map((i) => [i.id, i]));
  const ends = new Map<string, Set<string>>();
  for (const l of t.links) {
    const a = byId.get(l.a);
    const b = byId.get(l.b);
    if (!a || !b || a.namespace === b.namespace) continue;
    if (!shown.has(a.namespace) || !shown.has(b.namespace)) continue;
    for (const [me, peer] of [
      [a, b],
      [b, a],
    ] as const) {
      const set = ends.get(me.namespace) ?? new Set<string>();
      set.add(peerEnd(peer, byId));
      ends.set(me.namespace, set);
    }
  }
  return ends;
}

/**
 * Members grouped by hub namespace alone: a namespace whose veths all lead into one namespace,
 * whichever bridges there (a router with a leg on each of the hub's two bridges belongs with
 * them). Members of one bridge stay together, in model order; `bridge` is null. For the layout.
 */
export function findHubs(t: Topology, s: Structure): Segment[] {
  const ends = vethEnds(t, s);
  const groups = new Map<string, Array<{ id: string; bridges: string }>>();
  for (const n of s.namespaces) {
    const e = [...(ends.get(n.id) ?? [])].map((k) => k.split('\n') as [string, string]);
    const hub = e[0]?.[0];
    if (!hub || e.some(([h]) => h !== hub)) continue;
    const list = groups.get(hub) ?? [];
    list.push({
      id: n.id,
      bridges: e
        .map(([, b]) => b)
        .sort()
        .join(' '),
    });
    groups.set(hub, list);
  }
  const hubs = new Set([...groups].filter(([, m]) => m.length >= SEGMENT_MIN).map(([h]) => h));
  const order = new Map(s.namespaces.map((n, i) => [n.id, i]));
  const out: Segment[] = [];
  for (const [hub, list] of groups) {
    // Array.prototype.sort is stable: within one bridge, model order stays.
    const members = list
      .filter((m) => !hubs.has(m.id))
      .sort(
        (a, b) =>
          a.bridges.split(' ').length - b.bridges.split(' ').length || a.bridges.localeCompare(b.bridges),
      )
      .map((m) => m.id);
    if (members.length >= SEGMENT_MIN) out.push({ hub, bridge: null, members });
  }
  return out.sort((a, b) => (order.get(a.hub) ?? 0) - (order.get(b.hub) ?? 0));
}

/**
 * The segments among the drawn boxes of `s`. A namespace is a member when all its veths to other
 * drawn namespaces lead to the same hub and bridge; a namespace that is itself a hub stays out
 * of other segments (a router between two bridges is the hub's neighbour, not a member).
 */
export function findSegments(t: Topology, s: Structure): Segment[] {
  const ends = vethEnds(t, s);
  const groups = new Map<string, string[]>();
  for (const n of s.namespaces) {
    const e = ends.get(n.id);
    if (!e || e.size !== 1) continue;
    const [key] = e;
    const list = groups.get(key!) ?? [];
    list.push(n.id);
    groups.set(key!, list);
  }
  const segments: Segment[] = [];
  for (const [key, members] of groups) {
    const [hub, bridge] = key.split('\n') as [string, string];
    segments.push({ hub, bridge: bridge || null, members });
  }
  const hubs = new Set(segments.filter((g) => g.members.length >= SEGMENT_MIN).map((g) => g.hub));
  const order = new Map(s.namespaces.map((n, i) => [n.id, i]));
  return segments
    .map((g) => ({ ...g, members: g.members.filter((m) => !hubs.has(m)) }))
    .filter((g) => g.members.length >= SEGMENT_MIN)
    .sort(
      (a, b) =>
        (order.get(a.hub) ?? 0) - (order.get(b.hub) ?? 0) || (a.bridge ?? '').localeCompare(b.bridge ?? ''),
    );
}
