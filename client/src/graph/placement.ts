/**
 * Stable placement: merges a fresh layout (ELK's, the instant grid's, or none at all) into what
 * is on screen, so a live change never makes the rest of the picture jump. Pure.
 */
import { packChildren } from './grid.js';
import { RectIndex } from './rectIndex.js';
import {
  BOX_GAP,
  CHILD_GAP,
  NEW_BOX_CLEARANCE,
  NEW_ROW_GAP,
  NEW_ROW_MIN_W,
  NS_HEADER,
  NS_MIN_H,
  NS_MIN_W,
  NS_PAD,
} from './spacing.js';
import type { Structure, StructureNs } from './structure.js';
import type { Layout, Size, XY } from './types.js';

export const EMPTY_LAYOUT: Layout = { pos: {}, size: {} };

/** Rows of interfaces are recognised by their top edge; this much off still counts as the same. */
const ROW_TOLERANCE = 0.5;

type Rect = XY & Size;

function overlaps(a: Rect, b: Rect, gap: number): boolean {
  return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
}

/** Box size that holds its children at their positions (never smaller than the minimum box). */
export function fitBox(children: ReadonlyArray<{ id: string } & Size>, pos: Record<string, XY>): Size {
  let w = NS_MIN_W;
  let h = NS_MIN_H;
  for (const c of children) {
    const p = pos[c.id];
    if (!p) continue;
    w = Math.max(w, p.x + c.w + NS_PAD);
    h = Math.max(h, p.y + c.h + NS_PAD);
  }
  return { w, h };
}

/**
 * Puts interfaces new to an already drawn box after the last one in its bottom row while the box
 * is wide enough, else in a new row below: the box grows as little as possible, so it rarely
 * reaches over its neighbours.
 */
function placeNewChildren(n: StructureNs, prev: Layout, out: Layout, width: number): void {
  let rowY = NS_HEADER;
  let rowH = 0;
  let nextX = NS_PAD;
  for (const c of n.children) {
    const p = prev.pos[c.id];
    if (!p) continue;
    if (p.y > rowY + ROW_TOLERANCE) {
      rowY = p.y;
      rowH = 0;
      nextX = NS_PAD;
    }
    if (p.y >= rowY - ROW_TOLERANCE) {
      rowH = Math.max(rowH, c.h);
      nextX = Math.max(nextX, p.x + c.w + CHILD_GAP);
    }
  }
  for (const c of n.children) {
    if (prev.pos[c.id]) continue;
    if (nextX + c.w + NS_PAD > width && nextX > NS_PAD) {
      rowY += rowH + CHILD_GAP;
      rowH = 0;
      nextX = NS_PAD;
    }
    out.pos[c.id] = { x: nextX, y: rowY };
    nextX += c.w + CHILD_GAP;
    rowH = Math.max(rowH, c.h);
  }
}

/**
 * An interface that grew (a new address) may now reach over the one below it: nudge such
 * siblings down just enough, top to bottom; everything else stays where it is.
 */
export function separateChildren(
  children: ReadonlyArray<{ id: string } & Size>,
  pos: Record<string, XY>,
): void {
  const done: Rect[] = [];
  const order = children
    .filter((c) => pos[c.id])
    .sort((a, b) => pos[a.id]!.y - pos[b.id]!.y || pos[a.id]!.x - pos[b.id]!.x);
  for (const c of order) {
    let p = pos[c.id]!;
    for (;;) {
      const hit = done.find((d) => overlaps({ ...p, w: c.w, h: c.h }, d, 0));
      if (!hit) break;
      p = { x: p.x, y: hit.y + hit.h + CHILD_GAP };
    }
    pos[c.id] = p;
    done.push({ ...p, w: c.w, h: c.h });
  }
}

/**
 * A box that grew (new interfaces) must not cover its neighbours: boxes it now reaches over are
 * moved down below it, and so on down the picture. Boxes it does not touch stay put.
 */
function pushAwayFromGrown(s: Structure, prev: Layout, out: Layout): void {
  const ids = s.namespaces.map((n) => n.id).filter((id) => prev.pos[id]);
  const queue = ids.filter((id) => {
    const a = prev.size[id];
    const b = out.size[id];
    return a && b && (b.h > a.h || b.w > a.w);
  });
  for (let guard = 0; queue.length && guard < 10_000; guard++) {
    const g = queue.shift()!;
    const gb = { ...out.pos[g]!, ...out.size[g]! };
    for (const id of ids) {
      if (id === g) continue;
      const b = { ...out.pos[id]!, ...out.size[id]! };
      if (b.y < gb.y || !overlaps(gb, b, 0)) continue;
      out.pos[id] = { x: b.x, y: gb.y + gb.h + BOX_GAP };
      queue.push(id);
    }
  }
}

/** Boxes already on screen: their new interfaces placed, grown to fit, neighbours pushed away. */
function keepPlaced(prev: Layout, s: Structure, out: Layout): Rect[] {
  for (const n of s.namespaces) {
    if (!prev.pos[n.id]) continue;
    placeNewChildren(n, prev, out, prev.size[n.id]?.w ?? NS_MIN_W);
    separateChildren(n.children, out.pos);
    out.size[n.id] = fitBox(n.children, out.pos);
  }
  pushAwayFromGrown(s, prev, out);
  const placed: Rect[] = [];
  for (const n of s.namespaces) {
    const at = out.pos[n.id];
    const size = out.size[n.id];
    if (prev.pos[n.id] && at && size) placed.push({ ...at, ...size });
  }
  return placed;
}

/** New boxes that ELK placed (with all their interfaces) go where ELK put them if that is free. */
function placeWhereElkSaid(
  pending: StructureNs[],
  fresh: Layout,
  out: Layout,
  placed: Rect[],
): StructureNs[] {
  const slotted: StructureNs[] = [];
  const index = new RectIndex(placed);
  for (const n of pending) {
    const want = fresh.pos[n.id];
    const complete = want && n.children.every((c) => fresh.pos[c.id]);
    let size: Size;
    if (complete) {
      for (const c of n.children) out.pos[c.id] = fresh.pos[c.id]!;
      size = fresh.size[n.id] ?? fitBox(n.children, out.pos);
    } else {
      // Without ELK's word, the same grid as large pictures use: a stack for a few interfaces,
      // about square for many (never one very tall or very wide box).
      size = packChildren(n, out.pos);
    }
    out.size[n.id] = size;
    if (want && complete && !index.near({ ...want, ...size }, NEW_BOX_CLEARANCE)) {
      out.pos[n.id] = want;
      placed.push({ ...want, ...size });
      index.add({ ...want, ...size });
    } else slotted.push(n);
  }
  return slotted;
}

/** The remaining new boxes fill rows below everything on screen. */
function placeInRowsBelow(slotted: StructureNs[], out: Layout, placed: Rect[]): void {
  const minX = placed.length ? Math.min(...placed.map((p) => p.x)) : 0;
  let rowY = placed.length ? Math.max(...placed.map((p) => p.y + p.h)) + NEW_ROW_GAP : 0;
  const rowWidth = Math.max(NEW_ROW_MIN_W, ...placed.map((p) => p.x + p.w - minX));
  let cursorX = minX;
  let rowH = 0;
  for (const n of slotted) {
    const size = out.size[n.id] ?? fitBox(n.children, out.pos);
    if (cursorX > minX && cursorX + size.w > minX + rowWidth) {
      rowY += rowH + BOX_GAP;
      cursorX = minX;
      rowH = 0;
    }
    out.pos[n.id] = { x: cursorX, y: rowY };
    cursorX += size.w + BOX_GAP;
    rowH = Math.max(rowH, size.h);
  }
}

/**
 * Merges a fresh layout (possibly empty, possibly for an older structure) into what is on
 * screen (`prev`, including user-dragged positions): boxes and interfaces that already have a place
 * keep it; a new interface goes below its siblings; a new box takes ELK's place if that is free,
 * else a free slot below everything. So a change never makes the rest of the picture jump. Places
 * of boxes not shown now are kept, so hiding and showing a kind puts them back where they were.
 */
export function placeStable(prev: Layout, fresh: Layout, s: Structure): Layout {
  const out: Layout = { pos: { ...prev.pos }, size: { ...prev.size } };
  const placed = keepPlaced(prev, s, out);
  const pending = s.namespaces.filter((n) => !prev.pos[n.id]);
  const slotted = placeWhereElkSaid(pending, fresh, out, placed);
  placeInRowsBelow(slotted, out, placed);
  return out;
}
