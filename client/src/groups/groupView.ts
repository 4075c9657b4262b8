/**
 * Pure: what the picture shows when the user picks a group (compose project, Kubernetes namespace,
 * podman pod), and the order that makes each group one segment of the layout.
 */
import type { Namespace, Topology } from '../../../common/model.js';
import { namespaceGroups } from '../model/groups.js';

/** The group a namespace is drawn with: its first group label, or null when it has none. */
export function primaryGroup(ns: Namespace): string | null {
  return namespaceGroups(ns)[0] ?? null;
}

/**
 * The namespaces a group filter keeps: the group's own, plus the namespaces their veths lead to
 * (the host with the bridge, a router), because a group alone would hide how it is connected.
 */
export function groupNamespaceIds(t: Topology, group: string): Set<string> {
  const members = new Set(t.namespaces.filter((n) => namespaceGroups(n).includes(group)).map((n) => n.id));
  const nsOf = new Map(t.interfaces.map((i) => [i.id, i.namespace]));
  const keep = new Set(members);
  for (const l of t.links) {
    const a = nsOf.get(l.a);
    const b = nsOf.get(l.b);
    if (a && b && members.has(a)) keep.add(b);
    if (a && b && members.has(b)) keep.add(a);
  }
  return keep;
}

/**
 * Members of one group next to each other (ungrouped namespaces first, in model order; then each
 * group in label order): the layout places boxes in model order, so a group becomes one segment.
 */
export function orderByGroup(namespaces: readonly Namespace[]): Namespace[] {
  const rank = (n: Namespace) => primaryGroup(n) ?? '';
  return namespaces
    .map((n, i) => ({ n, i, g: rank(n) }))
    .sort((x, y) => (x.g === y.g ? x.i - y.i : x.g < y.g ? -1 : 1))
    .map((x) => x.n);
}

/** The topology the picture draws: filtered to one group (when one is picked) and ordered by group. */
export function groupView(t: Topology, group: string | null): Topology {
  if (group === null) return { ...t, namespaces: orderByGroup(t.namespaces) };
  const keep = groupNamespaceIds(t, group);
  const interfaces = t.interfaces.filter((i) => keep.has(i.namespace));
  const ifaces = new Set(interfaces.map((i) => i.id));
  return {
    ...t,
    namespaces: orderByGroup(t.namespaces.filter((n) => keep.has(n.id))),
    interfaces,
    routes: t.routes.filter((r) => keep.has(r.namespace)),
    links: t.links.filter((l) => ifaces.has(l.a) && ifaces.has(l.b)),
  };
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GroupFrame extends Rect {
  group: string;
  members: number;
}

/** Space between a frame and the boxes it surrounds (room for its label above). */
export const FRAME_PAD = 14;

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * A labelled frame around each group's boxes, only where the frame would hold nothing else: a
 * frame that covered another group's box (or an ungrouped one) would say something false.
 * `pad`: room around the boxes (node frames in hub mode sit outside the group frames).
 */
export function groupFrames(
  boxes: ReadonlyArray<Rect & { group: string | null }>,
  pad = FRAME_PAD,
): GroupFrame[] {
  const byGroup = new Map<string, Rect[]>();
  for (const b of boxes) if (b.group !== null) byGroup.set(b.group, [...(byGroup.get(b.group) ?? []), b]);
  const out: GroupFrame[] = [];
  for (const [group, rects] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    const x = Math.min(...rects.map((r) => r.x)) - pad;
    const y = Math.min(...rects.map((r) => r.y)) - pad;
    const w = Math.max(...rects.map((r) => r.x + r.w)) + pad - x;
    const h = Math.max(...rects.map((r) => r.y + r.h)) + pad - y;
    const frame = { x, y, w, h };
    if (boxes.some((b) => b.group !== group && overlaps(frame, b))) continue;
    out.push({ group, members: rects.length, ...frame });
  }
  return out;
}

/** A stable hue per group label, so one group has one colour on every box and frame. */
export function groupHue(group: string): number {
  let h = 0;
  for (let i = 0; i < group.length; i++) h = (h * 31 + group.charCodeAt(i)) % 360;
  return h;
}
