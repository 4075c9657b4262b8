/**
 * Level of detail for big segments: zoomed out, a segment with AGGREGATE_MIN or more members is
 * drawn as one aggregate node over its members' places ("br0 · 48 namespaces · 47 up") and one
 * edge to its bridge, so an overview of a thousand containers is a few readable shapes instead of
 * thousands of boxes (and the page renders tens of nodes, not thousands). Zoomed in, or clicked,
 * it opens: the members are drawn in their places again, which the layout never moved. Pure.
 */
import type { Interface, Topology } from '../../../common/model.js';
import { isUp } from '../model/interface.js';
import type { Segment } from './segments.js';
import type { AggregateEdge, AggregateNode, FlowEdge, FlowNode, Layout } from './types.js';

/** Segments with at least this many drawn members are aggregated when zoomed out. */
export const AGGREGATE_MIN = 20;
/** Below this zoom a member's text is a bar (textLod.ts): its segment is drawn as one node. */
export const OPEN_ZOOM = 0.35;

export interface AggregateSummary {
  members: number;
  /** Members whose every veth into the hub is up. */
  up: number;
  down: number;
}

export interface Aggregate {
  id: string;
  hub: string;
  /** What the aggregated edge leads to: the bridge most members are ports of, else the hub box. */
  target: string;
  /** The bridge's name, else the hub namespace's name. */
  title: string;
  members: string[];
  summary: AggregateSummary;
}

/** Ids of the drawn aggregate node and edge; they name the hub, so they stay the same across changes. */
export const aggregateId = (hub: string): string => `aggregate:${hub}`;
export const aggregateEdgeId = (hub: string): string => `aggregate-edge:${hub}`;

export function isZoomedOut(zoom: number): boolean {
  return zoom < OPEN_ZOOM;
}

/** Each member's interfaces whose peer is in the hub, and the bridges those peers are ports of. */
function legs(t: Topology, hub: string, members: ReadonlySet<string>) {
  const byId = new Map(t.interfaces.map((i) => [i.id, i]));
  const own = new Map<string, Interface[]>();
  const bridges = new Map<string, number>();
  for (const i of t.interfaces) {
    if (!members.has(i.namespace) || !i.peer) continue;
    const peer = byId.get(i.peer);
    if (peer?.namespace !== hub) continue;
    own.set(i.namespace, [...(own.get(i.namespace) ?? []), i]);
    const master = peer.master ? byId.get(peer.master) : undefined;
    if (master?.kind === 'bridge') bridges.set(master.id, (bridges.get(master.id) ?? 0) + 1);
  }
  return { own, bridges, byId };
}

/** Counts of a segment's members from the model: up when every veth into the hub is up. */
export function summarize(t: Topology, hub: string, members: readonly string[]): AggregateSummary {
  const { own } = legs(t, hub, new Set(members));
  const up = members.filter((m) => {
    const l = own.get(m) ?? [];
    return l.length > 0 && l.every(isUp);
  }).length;
  return { members: members.length, up, down: members.length - up };
}

/** The segments big enough to aggregate, with their summaries; the hub must be drawn. */
export function findAggregates(t: Topology, segments: readonly Segment[], min = AGGREGATE_MIN): Aggregate[] {
  const nsById = new Map(t.namespaces.map((n) => [n.id, n]));
  return segments
    .filter((g) => g.members.length >= min && nsById.has(g.hub))
    .map((g) => {
      const { bridges, byId } = legs(t, g.hub, new Set(g.members));
      const top = [...bridges].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
      const bridge = top ? byId.get(top) : undefined;
      return {
        id: aggregateId(g.hub),
        hub: g.hub,
        target: bridge?.id ?? g.hub,
        title: bridge?.name ?? nsById.get(g.hub)?.name ?? g.hub,
        members: g.members,
        summary: summarize(t, g.hub, g.members),
      };
    });
}

/** The aggregates drawn closed: all of them while zoomed out, except the ones the user opened. */
export function closedAggregates(
  all: readonly Aggregate[],
  zoomedOut: boolean,
  opened: ReadonlySet<string>,
): Aggregate[] {
  return zoomedOut ? all.filter((a) => !opened.has(a.id)) : [];
}

/** The aggregate that holds a namespace or one of its interfaces (a search hit), if any. */
export function aggregateOf(
  all: readonly Aggregate[],
  id: string,
  nsOf: (id: string) => string,
): string | null {
  const ns = nsOf(id);
  return all.find((a) => a.members.includes(ns))?.id ?? null;
}

/** Bounds of the members' boxes as laid out (their hub lies between them in a comb). */
function membersRect(a: Aggregate, layout: Layout) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const m of a.members) {
    const p = layout.pos[m];
    const s = layout.size[m];
    if (!p || !s) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + s.w);
    y1 = Math.max(y1, p.y + s.h);
  }
  return x0 === Infinity ? null : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * The drawn nodes and edges with the closed aggregates' members (boxes, their interfaces and
 * every edge touching them) replaced by one aggregate node each, drawn first so its hub lies on
 * top of it, and one edge from it to its target. `folded` maps each hidden box to its aggregate.
 */
export function withAggregates(
  flow: { nodes: FlowNode[]; edges: FlowEdge[] },
  closed: readonly Aggregate[],
  layout: Layout,
): { nodes: FlowNode[]; edges: FlowEdge[]; folded: Map<string, string> } {
  const folded = new Map<string, string>();
  if (closed.length === 0) return { ...flow, folded };
  for (const a of closed) for (const m of a.members) folded.set(m, a.id);
  const nodes = flow.nodes.filter((n) => !folded.has(n.id) && !folded.has(n.parentId ?? ''));
  const kept = new Set(nodes.map((n) => n.id));
  const edges = flow.edges.filter((e) => kept.has(e.source) && kept.has(e.target));
  const front: AggregateNode[] = [];
  const extra: AggregateEdge[] = [];
  for (const a of closed) {
    const r = membersRect(a, layout);
    if (!r) continue;
    front.push({
      id: a.id,
      type: 'aggregate',
      position: { x: r.x, y: r.y },
      width: r.w,
      height: r.h,
      measured: { width: r.w, height: r.h },
      data: { title: a.title, hub: a.hub, summary: a.summary },
      draggable: false,
      // Under everything: its hub is drawn inside it, in the band between the members' rows.
      zIndex: -1,
    });
    if (kept.has(a.target))
      extra.push({
        id: aggregateEdgeId(a.hub),
        type: 'aggregate',
        source: a.id,
        target: a.target,
        sourceHandle: 'port',
        targetHandle: 'port',
        selectable: false,
        data: { members: a.summary.members },
      });
  }
  return { nodes: [...front, ...nodes], edges: [...edges, ...extra], folded };
}
