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
