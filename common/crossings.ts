/**
 * The "edges over foreign boxes" measure of issue 13: an edge counts when a point sampled along
 * its drawn path lies inside a namespace box that is not one of its two ends. Pure: the unit
 * tests feed it layouts and routes, the e2e test and the bench feed it the page's DOM geometry.
 */

/** Plain shapes, so the bench (built without the page's libraries) can use this file as is. */
interface XY {
  x: number;
  y: number;
}
type Rect = XY & { w: number; h: number };

export interface DrawnEdge {
  id: string;
  /** The namespace boxes the edge joins (over them it may run). */
  ends: readonly string[];
  /** Points sampled along the drawn path. */
  points: readonly XY[];
}

export type DrawnBox = Rect & { id: string };

/** How far inside a box a point must be to count (strokes touching a border do not). */
const INSET = 2;

function inside(p: XY, b: Rect): boolean {
  return p.x > b.x + INSET && p.x < b.x + b.w - INSET && p.y > b.y + INSET && p.y < b.y + b.h - INSET;
}

/** Ids of edges that pass over a box other than their ends. */
export function edgesOverForeignBoxes(edges: readonly DrawnEdge[], boxes: readonly DrawnBox[]): string[] {
  // A coarse grid of buckets keeps this near-linear at a thousand boxes and edges.
  const CELL = 512;
  const buckets = new Map<string, DrawnBox[]>();
  const key = (cx: number, cy: number) => `${cx},${cy}`;
  for (const b of boxes) {
    for (let cx = Math.floor(b.x / CELL); cx <= Math.floor((b.x + b.w) / CELL); cx++)
      for (let cy = Math.floor(b.y / CELL); cy <= Math.floor((b.y + b.h) / CELL); cy++) {
        const list = buckets.get(key(cx, cy)) ?? [];
        list.push(b);
        buckets.set(key(cx, cy), list);
      }
  }
  const over: string[] = [];
  for (const e of edges) {
    const ends = new Set(e.ends);
    const hit = e.points.some((p) =>
      (buckets.get(key(Math.floor(p.x / CELL), Math.floor(p.y / CELL))) ?? []).some(
        (b) => !ends.has(b.id) && inside(p, b),
      ),
    );
    if (hit) over.push(e.id);
  }
  return over;
}

/** Points every `step` units along a polyline (and its corners). */
export function samplePolyline(points: readonly XY[], step = 8): XY[] {
  const out: XY[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / step));
    for (let k = 0; k < n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  if (points.length) out.push(points[points.length - 1]!);
  return out;
}
