/**
 * Where a folded edge (fold.ts) runs: out of the member's interface to the corridor left of the
 * member's box, along the corridor to the gap between the hub's box and its neighbours, along
 * that gap to above (or below) the bridge, and into it. In a comb (segmentLayout.ts) corridors and
 * gaps hold no boxes, so the edge passes over none but its own two. Pure.
 */
import { BOX_GAP } from './spacing.js';
import type { Size, XY } from './types.js';

export type Rect = XY & Size;

export interface FoldEnds {
  /** The member's interface and its namespace box (absolute). */
  iface: Rect;
  member: Rect;
  /** The bridge and the hub's box (absolute). */
  bridge: Rect;
  hub: Rect;
}

export function foldRoute(e: FoldEnds): XY[] {
  const start = { x: e.iface.x, y: e.iface.y + e.iface.h / 2 };
  const corridor = e.member.x - BOX_GAP / 2;
  const bx = e.bridge.x + e.bridge.w / 2;
  const memberMid = e.member.y + e.member.h / 2;
  if (memberMid < e.hub.y || memberMid > e.hub.y + e.hub.h) {
    const over = memberMid < e.hub.y;
    const bus = over ? e.hub.y - BOX_GAP / 2 : e.hub.y + e.hub.h + BOX_GAP / 2;
    const end = over ? e.bridge.y : e.bridge.y + e.bridge.h;
    return [
      start,
      { x: corridor, y: start.y },
      { x: corridor, y: bus },
      { x: bx, y: bus },
      { x: bx, y: end },
    ];
  }
  // Beside the hub (same band): along the corridor to the bridge's height, then straight in.
  const by = e.bridge.y + e.bridge.h / 2;
  const side = corridor < e.bridge.x ? e.bridge.x : e.bridge.x + e.bridge.w;
  return [start, { x: corridor, y: start.y }, { x: corridor, y: by }, { x: side, y: by }];
}

export function polylinePath(points: readonly XY[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
}
