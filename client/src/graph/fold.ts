/**
 * Folding the hub's side of veth pairs: a bridge with many ports (docker0 with a veth per
 * container) would make its namespace a grid of hundreds of interfaces. Folded, each such port is
 * not drawn; its pair becomes one edge from the member's interface straight to the bridge,
 * labelled with the port's name (what `ip link` in the hub shows). Pure.
 */
import type { Interface, Topology } from '../../../common/model.js';
import type { Structure, StructureEdge } from './structure.js';

/** Bridges with more ports than this are folded by default. */
export const FOLD_PORTS_ABOVE = 8;

/** Ports to fold: veth ends that are ports of a bridge with more than `above` ports. */
export function foldablePorts(t: Topology, s: Structure, above = FOLD_PORTS_ABOVE): Map<string, Interface> {
  const drawn = new Set(s.namespaces.flatMap((n) => n.children.map((c) => c.id)));
  const byId = new Map(t.interfaces.map((i) => [i.id, i]));
  const ports = new Map<string, Interface[]>();
  for (const i of t.interfaces) {
    if (!i.master || !drawn.has(i.id) || !i.peer || !drawn.has(i.peer)) continue;
    if (byId.get(i.master)?.kind !== 'bridge' || !drawn.has(i.master)) continue;
    const list = ports.get(i.master) ?? [];
    list.push(i);
    ports.set(i.master, list);
  }
  const out = new Map<string, Interface>();
  for (const list of ports.values()) if (list.length > above) for (const i of list) out.set(i.id, i);
  return out;
}

/**
 * The structure with the given ports left out: each port's veth edge and port edge become one
 * `fold` edge (member interface -> bridge) that keeps the veth's id, so selecting, highlighting
 * and searching the pair work as before.
 */
export function foldPorts(t: Topology, s: Structure, above = FOLD_PORTS_ABOVE): Structure {
  const fold = foldablePorts(t, s, above);
  if (fold.size === 0) return s;
  const edges: StructureEdge[] = [];
  for (const e of s.edges) {
    if (e.kind === 'port' && fold.has(e.source)) continue;
    const port = fold.get(e.source) ?? fold.get(e.target);
    if (e.kind !== 'veth' || !port?.master) {
      edges.push(e);
      continue;
    }
    const member = port.id === e.source ? e.target : e.source;
    edges.push({ id: e.id, kind: 'fold', source: member, target: port.master, label: port.name });
  }
  const namespaces = s.namespaces.map((n) =>
    n.children.some((c) => fold.has(c.id))
      ? { ...n, children: n.children.filter((c) => !fold.has(c.id)) }
      : n,
  );
  const key = `${s.key}|fold:${[...fold.keys()].join(',')}`;
  return { namespaces, edges, key };
}
