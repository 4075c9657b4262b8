/** Floating edge geometry: where the line between two box centres leaves each box. Pure. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Point where the segment from the centre of `box` towards `to` crosses the box border. */
export function borderPoint(box: Box, to: { x: number; y: number }): { x: number; y: number } {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const dx = to.x - cx;
  const dy = to.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const sx = dx === 0 ? Infinity : box.w / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : box.h / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: cx + dx * s, y: cy + dy * s };
}

export function floatingEnds(a: Box, b: Box): { sx: number; sy: number; tx: number; ty: number } {
  const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
  const cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
  const s = borderPoint(a, cb);
  const t = borderPoint(b, ca);
  return { sx: s.x, sy: s.y, tx: t.x, ty: t.y };
}

/** Bounds of the top-level boxes (children lie inside them), or null when there are none. */
export function boxesBounds(
  nodes: ReadonlyArray<{
    position: { x: number; y: number };
    width?: number;
    height?: number;
    parentId?: string;
  }>,
): Box | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    if (n.parentId) continue;
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + (n.width ?? 0));
    y1 = Math.max(y1, n.position.y + (n.height ?? 0));
  }
  return x0 === Infinity ? null : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** How far a self-loop (both ends in one box) bulges out of the box's right side. */
export const LOOP_OUT = 64;

/** A loop out of the right side of a box and back: a pending veth with both ends in one namespace. */
export function selfLoop(b: Box): { path: string; labelX: number; labelY: number } {
  const x = b.x + b.w;
  const y1 = b.y + b.h * 0.3;
  const y2 = b.y + b.h * 0.7;
  const cx = x + LOOP_OUT;
  return {
    path: `M ${x} ${y1} C ${cx} ${y1 - 24}, ${cx} ${y2 + 24}, ${x} ${y2}`,
    labelX: x + (LOOP_OUT * 3) / 4,
    labelY: (y1 + y2) / 2,
  };
}
