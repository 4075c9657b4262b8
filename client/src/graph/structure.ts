/**
 * What the layout needs from the topology: the visible boxes, their interface nodes with sizes,
 * and the edges between them. Pure; its `key` changes only when the structure changes.
 */
import type { Interface, Namespace, Topology } from '../../../common/model.js';
import { canvasAddresses, isLoopback } from '../model/interface.js';
import type { Size, ViewOptions } from './types.js';
import { ADDR_LINES_MAX, ADDR_LINE_H, BRIDGE_W, IFACE_BASE_H, IFACE_W } from './spacing.js';

export interface StructureNs {
  id: string;
  children: Array<{ id: string } & Size>;
}
export interface StructureEdge {
  id: string;
  kind: 'veth' | 'port' | 'fold';
  source: string;
  target: string;
  /** A folded veth pair's hub-side name (fold.ts), drawn on the edge. */
  label?: string;
}
export interface Structure {
  namespaces: StructureNs[];
  edges: StructureEdge[];
  /** Identity of the structure: ids of boxes, interface nodes and edges. */
  key: string;
}

export function ifaceSize(i: Interface): Size {
  const lines = Math.min(canvasAddresses(i).length, ADDR_LINES_MAX + 1);
  return { w: i.kind === 'bridge' ? BRIDGE_W : IFACE_W, h: IFACE_BASE_H + ADDR_LINE_H * lines };
}

export function visibleNamespaces(t: Topology, view: ViewOptions): Namespace[] {
  const hiddenNodes = view.hiddenNodes;
  return t.namespaces.filter(
    (n) => !view.hiddenKinds.has(n.kind) && !(hiddenNodes?.has(n.host ?? '') ?? false),
  );
}

export function visibleInterfaces(t: Topology, view: ViewOptions, shown: ReadonlySet<string>): Interface[] {
  return t.interfaces.filter((i) => shown.has(i.namespace) && (view.showLoopback || !isLoopback(i)));
}

/** Puts the host side last so layered layout draws containers above the host, as in Figure 1. */
function orient(a: Interface, b: Interface, hostNs: ReadonlySet<string>): [string, string] {
  return hostNs.has(a.namespace) && !hostNs.has(b.namespace) ? [b.id, a.id] : [a.id, b.id];
}

export function buildStructure(t: Topology, view: ViewOptions): Structure {
  const nss = visibleNamespaces(t, view);
  const shown = new Set(nss.map((n) => n.id));
  const hostNs = new Set(t.namespaces.filter((n) => n.kind === 'host').map((n) => n.id));
  const ifaces = visibleInterfaces(t, view, shown);
  const byId = new Map(ifaces.map((i) => [i.id, i]));
  const children = new Map<string, StructureNs['children']>(nss.map((n) => [n.id, []]));
  for (const i of ifaces) children.get(i.namespace)?.push({ id: i.id, ...ifaceSize(i) });
  const edges: StructureEdge[] = [];
  for (const l of t.links) {
    const a = byId.get(l.a);
    const b = byId.get(l.b);
    if (!a || !b) continue;
    const [source, target] = orient(a, b, hostNs);
    edges.push({ id: l.id, kind: 'veth', source, target });
  }
  for (const l of view.crossLinks ?? []) {
    if (byId.has(l.a) && byId.has(l.b)) edges.push({ id: l.id, kind: 'veth', source: l.a, target: l.b });
  }
  for (const i of ifaces) {
    if (i.master && byId.has(i.master)) {
      edges.push({ id: portEdgeId(i.id, i.master), kind: 'port', source: i.id, target: i.master });
    }
  }
  const namespaces = nss.map((n) => ({ id: n.id, children: children.get(n.id) ?? [] }));
  const key = namespaces
    .map((n) => `${n.id}(${n.children.map((c) => `${c.id}:${c.w}x${c.h}`).join(',')})`)
    .join(';');
  return { namespaces, edges, key };
}

export function portEdgeId(port: string, bridge: string): string {
  return `port:${port}:${bridge}`;
}
