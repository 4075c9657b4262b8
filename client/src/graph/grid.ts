/**
 * Instant deterministic layout for large pictures (ELK takes seconds at hundreds of boxes):
 * interfaces in a grid inside each box, boxes packed masonry-style into lanes. Pure.
 */
import type { Structure, StructureNs } from './structure.js';
import type { Layout, Size, XY } from './types.js';
import { BOX_GAP, CHILD_GAP, NS_HEADER, NS_MIN_H, NS_MIN_W, NS_PAD } from './spacing.js';

/** Columns for a box of n interfaces: one column for a few, about a square grid for many. */
export function childColumns(n: number): number {
  return n <= 4 ? 1 : Math.ceil(Math.sqrt(n / 2));
}

/**
 * Interfaces in a grid of `childColumns` columns (column width = widest interface in it, so one
 * bridge widens only its own column; row height = tallest in the row); returns the box size.
 * Filled row by row, or column by column when the order of the children says where their edges
 * go, left to right (see pack.ts).
 */
export function packChildren(n: StructureNs, pos: Record<string, XY>, byColumn = false): Size {
  const count = n.children.length;
  if (count === 0) return { w: NS_MIN_W, h: NS_MIN_H };
  const perRow = childColumns(count);
  const rows = Math.ceil(count / perRow);
  const cols = byColumn ? Math.ceil(count / rows) : Math.min(perRow, count);
  const cell = (i: number) =>
    byColumn
      ? { col: Math.floor(i / rows), row: i % rows }
      : { col: i % perRow, row: Math.floor(i / perRow) };
  const colW = new Array<number>(cols).fill(0);
  const rowH = new Array<number>(rows).fill(0);
  n.children.forEach((c, i) => {
    const { col, row } = cell(i);
    colW[col] = Math.max(colW[col]!, c.w);
    rowH[row] = Math.max(rowH[row]!, c.h);
  });
  const starts = (sizes: number[], from: number) => {
    const at: number[] = [];
    let v = from;
    for (const z of sizes) {
      at.push(v);
      v += z + CHILD_GAP;
    }
    return { at, end: v - CHILD_GAP };
  };
  const xs = starts(colW, NS_PAD);
  const ys = starts(rowH, NS_HEADER);
  n.children.forEach((c, i) => {
    const { col, row } = cell(i);
    pos[c.id] = { x: xs.at[col]!, y: ys.at[row]! };
  });
  return { w: Math.max(NS_MIN_W, xs.end + NS_PAD), h: Math.max(NS_MIN_H, ys.end + NS_PAD) };
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
