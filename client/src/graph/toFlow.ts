/**
 * Topology + layout -> React Flow nodes (boxes before their interfaces) and edges. Pure.
 * Things the layout has not placed yet are left out until it has.
 */
import { isCrossLinkId } from '../../../common/ids.js';
import type { Interface, Topology } from '../../../common/model.js';
import type { Structure } from './structure.js';
import type { FlowEdge, FlowNode, IfaceNode, Layout, Marks, NamespaceNode } from './types.js';

function cls(id: string, marks: Marks): string | undefined {
  const d = marks.diff?.get(id);
  const c = [
    marks.changed.has(id) ? 'changed' : '',
    marks.hit === id ? 'hit' : '',
    d ? `diff-${d}` : '',
  ].filter(Boolean);
  return c.length ? c.join(' ') : undefined;
}

export function toFlow(
  t: Topology,
  s: Structure,
  layout: Layout,
  marks: Marks,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nsById = new Map(t.namespaces.map((n) => [n.id, n]));
  const ifById = new Map<string, Interface>(t.interfaces.map((i) => [i.id, i]));
  const counts = new Map<string, number>();
  for (const i of t.interfaces) counts.set(i.namespace, (counts.get(i.namespace) ?? 0) + 1);
  const nodes: FlowNode[] = [];
  const placed = new Set<string>();
  for (const sn of s.namespaces) {
    const ns = nsById.get(sn.id);
    const pos = layout.pos[sn.id];
    const size = layout.size[sn.id];
    if (!ns || !pos || !size) continue;
    const node: NamespaceNode = {
      id: ns.id,
      type: 'namespace',
      position: pos,
      width: size.w,
      height: size.h,
      // Known sizes count as measured, so React Flow draws the node at once and reports no change.
      measured: { width: size.w, height: size.h },
      data: { ns, ifaceCount: counts.get(ns.id) ?? 0 },
      className: cls(ns.id, marks),
      dragHandle: '.ns-header',
    };
    nodes.push(node);
    placed.add(ns.id);
  }
  for (const sn of s.namespaces) {
    if (!placed.has(sn.id)) continue;
    for (const c of sn.children) {
      const iface = ifById.get(c.id);
      const pos = layout.pos[c.id];
      if (!iface || !pos) continue;
      const master = iface.master ? ifById.get(iface.master) : undefined;
      const node: IfaceNode = {
        id: iface.id,
        type: iface.kind === 'bridge' ? 'bridge' : 'iface',
        parentId: sn.id,
        extent: 'parent',
        position: pos,
        width: c.w,
        height: c.h,
        measured: { width: c.w, height: c.h },
        data: { iface, bridgeName: master?.name ?? null },
        className: cls(iface.id, marks),
      };
      nodes.push(node);
      placed.add(iface.id);
    }
  }
  const edges: FlowEdge[] = [];
  for (const e of s.edges) {
    if (!placed.has(e.source) || !placed.has(e.target)) continue;
    const cross = isCrossLinkId(e.id);
    const className = [cls(e.id, marks), cross ? 'cross-node' : ''].filter(Boolean).join(' ');
    const common = {
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'port',
      targetHandle: 'port',
      selectable: e.kind !== 'port' && !cross,
      ...(className ? { className } : {}),
    };
    edges.push(
      e.kind === 'fold'
        ? { ...common, type: 'fold', data: { label: e.label ?? '' } }
        : { ...common, type: e.kind },
    );
  }
  return { nodes, edges };
}
