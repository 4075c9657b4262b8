/**
 * Instant deterministic layout for large pictures (ELK takes seconds at hundreds of boxes):
 * interfaces in a grid inside each box, boxes packed masonry-style into lanes. Pure.
 */
import type { Structure, StructureNs } from './structure.js';
import type { Layout, Size, XY } from './types.js';
import { NS_HEADER, NS_MIN_W, NS_PAD } from './types.js';

export const CHILD_GAP = 12;
export const BOX_GAP = 40;

/** Columns for a box of n interfaces: one column for a few, about a square grid for many. */
export function childColumns(n: number): number {
  return n <= 4 ? 1 : Math.ceil(Math.sqrt(n / 2));
}

/** Interfaces in rows of `childColumns` cells (cell = widest interface); returns the box size. */
export function packChildren(n: StructureNs, pos: Record<string, XY>): Size {
  const cols = childColumns(n.children.length);
  const cellW = Math.max(0, ...n.children.map((c) => c.w));
  let y = NS_HEADER;
  let rowH = 0;
  n.children.forEach((c, i) => {
    const col = i % cols;
    if (col === 0 && i > 0) {
      y += rowH + CHILD_GAP;
      rowH = 0;
    }
    pos[c.id] = { x: NS_PAD + col * (cellW + CHILD_GAP), y };
    rowH = Math.max(rowH, c.h);
  });
  const w = n.children.length ? NS_PAD * 2 + cols * cellW + (cols - 1) * CHILD_GAP : NS_MIN_W;
  const h = n.children.length ? y + rowH + NS_PAD : NS_HEADER + 24;
  return { w: Math.max(NS_MIN_W, w), h: Math.max(NS_HEADER + 24, h) };
}

/**
 * Lanes of the narrowest box's width; each box (in model order, so the picture is the same on
 * every load) goes where the lanes it spans are lowest. Lane count aims at the given aspect ratio.
 */
export function gridLayout(s: Structure, aspect = 1.6): Layout {
  const layout: Layout = { pos: {}, size: {} };
  if (s.namespaces.length === 0) return layout;
  let area = 0;
  for (const n of s.namespaces) {
    const size = packChildren(n, layout.pos);
    layout.size[n.id] = size;
    area += (size.w + BOX_GAP) * (size.h + BOX_GAP);
  }
  const sizes = Object.values(layout.size);
  const lane = Math.min(...sizes.map((z) => z.w)) + BOX_GAP;
  const span = (z: Size) => Math.ceil((z.w + BOX_GAP) / lane);
  const lanes = Math.max(...sizes.map(span), Math.round(Math.sqrt(area * aspect) / lane));
  const bottom = new Array<number>(lanes).fill(0);
  for (const n of s.namespaces) {
    const z = layout.size[n.id]!;
    const k = Math.min(span(z), lanes);
    let best = 0;
    let bestY = Infinity;
    for (let i = 0; i + k <= lanes; i++) {
      const y = Math.max(...bottom.slice(i, i + k));
      if (y < bestY) {
        bestY = y;
        best = i;
      }
    }
    layout.pos[n.id] = { x: best * lane, y: bestY };
    for (let i = best; i < best + k; i++) bottom[i] = bestY + z.h + BOX_GAP;
  }
  return layout;
}
