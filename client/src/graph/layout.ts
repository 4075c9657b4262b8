/**
 * Automatic layout with elkjs over one compound graph (root -> namespace boxes -> interfaces),
 * plus the pure merge that keeps what is already on screen where it is.
 */
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { packChildren } from './grid.js';
import { crowdedBoxes, fillPackedBoxes, packedEdges, packedSize, wideBoxes } from './pack.js';
import type { Structure } from './structure.js';
import type { Layout, Size, XY } from './types.js';
import { NS_HEADER, NS_MIN_W, NS_PAD } from './types.js';

/** Above this many boxes a layered picture gets too wide; pack boxes in rows instead. */
export const LARGE_GRAPH = 60;

/**
 * The compound graph ELK lays out. Boxes in `packed` are blocks of their grid's size with no
 * children, and edges to their interfaces end at the block (see pack.ts).
 */
export function toElkGraph(s: Structure, packed: ReadonlySet<string> = new Set()): ElkNode {
  const large = s.namespaces.length > LARGE_GRAPH;
  const padding = `[top=${NS_HEADER},left=${NS_PAD},bottom=${NS_PAD},right=${NS_PAD}]`;
  const boxOptions: Record<string, string> = large
    ? {
        'elk.algorithm': 'rectpacking',
        'elk.padding': padding,
        'elk.spacing.nodeNode': '12',
        'elk.aspectRatio': '2.5',
      }
    : { 'elk.padding': padding, 'elk.spacing.nodeNode': '16' };
  const root: ElkNode = {
    id: 'root',
    layoutOptions: large
      ? { 'elk.algorithm': 'rectpacking', 'elk.spacing.nodeNode': '40', 'elk.aspectRatio': '1.6' }
      : {
          'elk.algorithm': 'layered',
          // Must sit on the graph itself so edges may cross box borders (kieler/elkjs#178).
          'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
          'elk.direction': 'DOWN',
          'elk.spacing.nodeNode': '40',
          'elk.layered.spacing.nodeNodeBetweenLayers': '60',
          'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        },
    children: s.namespaces.map((n): ElkNode => {
      if (packed.has(n.id)) {
        const size = packedSize(n);
        return { id: n.id, width: size.w, height: size.h };
      }
      return {
        id: n.id,
        layoutOptions: { ...boxOptions, 'elk.nodeSize.minimum': `(${NS_MIN_W}, ${NS_HEADER + 24})` },
        ...(n.children.length === 0 ? { width: NS_MIN_W, height: NS_HEADER + 24 } : {}),
        children: n.children.map((c) => ({ id: c.id, width: c.w, height: c.h })),
      };
    }),
    edges: large
      ? []
      : packedEdges(s, packed).map((e): ElkExtendedEdge => ({
          id: e.id,
          sources: [e.source],
          targets: [e.target],
        })),
  };
  return root;
}

export function fromElkGraph(g: ElkNode): Layout {
  const layout: Layout = { pos: {}, size: {} };
  for (const n of g.children ?? []) {
    layout.pos[n.id] = { x: n.x ?? 0, y: n.y ?? 0 };
    // ELK draws a box with one interface narrower than the minimum box (elk.nodeSize.minimum
    // has no effect on it here); fitBox does not, so such a box counted as grown on the first
    // live change and pushed its neighbours down: the whole picture jumped.
    layout.size[n.id] = {
      w: Math.max(n.width ?? 0, NS_MIN_W),
      h: Math.max(n.height ?? 0, NS_HEADER + 24),
    };
    for (const c of n.children ?? []) layout.pos[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  }
  return layout;
}

/**
 * ELK positions for every box and interface of the structure (the page passes a worker-backed
 * ELK). Boxes with many interfaces are packed into grids (pack.ts); a box that still comes out too
 * wide is packed as well and everything is laid out again around it.
 */
export async function elkLayout(s: Structure, engine: ELK): Promise<Layout> {
  const crowded = crowdedBoxes(s);
  const first = fromElkGraph(await engine.layout(toElkGraph(s, crowded)));
  const wide = wideBoxes(s, first, crowded);
  if (wide.size === 0) return fillPackedBoxes(s, first, crowded);
  const packed = new Set([...crowded, ...wide]);
  return fillPackedBoxes(s, fromElkGraph(await engine.layout(toElkGraph(s, packed))), packed);
}

function overlaps(a: XY & Size, b: XY & Size, gap: number): boolean {
  return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
}

/** Box size that holds its children at their positions (never smaller than the minimum box). */
export function fitBox(children: ReadonlyArray<{ id: string } & Size>, pos: Record<string, XY>): Size {
  let w = NS_MIN_W;
  let h = NS_HEADER + 24;
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
function placeNewChildren(
  n: Structure['namespaces'][number],
  prev: Layout,
  out: Layout,
  width: number,
): void {
  let rowY = NS_HEADER;
  let rowH = 0;
  let nextX = NS_PAD;
  for (const c of n.children) {
    const p = prev.pos[c.id];
    if (!p) continue;
    if (p.y > rowY + 0.5) {
      rowY = p.y;
      rowH = 0;
      nextX = NS_PAD;
    }
    if (p.y >= rowY - 0.5) {
      rowH = Math.max(rowH, c.h);
      nextX = Math.max(nextX, p.x + c.w + 12);
    }
  }
  // Rows are recognised by their top edge; children of an ELK row share it.
  for (const c of n.children) {
    if (prev.pos[c.id]) continue;
    if (nextX + c.w + NS_PAD > width && nextX > NS_PAD) {
      rowY += rowH + 12;
      rowH = 0;
      nextX = NS_PAD;
    }
    out.pos[c.id] = { x: nextX, y: rowY };
    nextX += c.w + 12;
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
  const done: Array<XY & Size> = [];
  const order = children
    .filter((c) => pos[c.id])
    .sort((a, b) => pos[a.id]!.y - pos[b.id]!.y || pos[a.id]!.x - pos[b.id]!.x);
  for (const c of order) {
    let p = pos[c.id]!;
    for (;;) {
      const hit = done.find((d) => overlaps({ ...p, w: c.w, h: c.h }, d, 0));
      if (!hit) break;
      p = { x: p.x, y: hit.y + hit.h + 12 };
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
      out.pos[id] = { x: b.x, y: gb.y + gb.h + 40 };
      queue.push(id);
    }
  }
}

/**
 * Merges a fresh ELK layout (possibly empty, possibly for an older structure) into what is on
 * screen (`prev`, including user-dragged positions): boxes and interfaces that already have a place
 * keep it; a new interface goes below its siblings; a new box takes ELK's place if that is free,
 * else a free slot below everything. So a change never makes the rest of the picture jump. Places
 * of boxes not shown now are kept, so hiding and showing a kind puts them back where they were.
 */
export function placeStable(prev: Layout, fresh: Layout, s: Structure): Layout {
  const out: Layout = { pos: { ...prev.pos }, size: { ...prev.size } };
  const placed: Array<XY & Size> = [];
  const pending: typeof s.namespaces = [];
  for (const n of s.namespaces) {
    const old = prev.pos[n.id];
    if (!old) {
      pending.push(n);
      continue;
    }
    placeNewChildren(n, prev, out, prev.size[n.id]?.w ?? NS_MIN_W);
    separateChildren(n.children, out.pos);
    const size = fitBox(n.children, out.pos);
    out.size[n.id] = size;
    placed.push({ ...old, ...size });
  }
  pushAwayFromGrown(s, prev, out);
  placed.length = 0;
  for (const n of s.namespaces) {
    const at = out.pos[n.id];
    const size = out.size[n.id];
    if (prev.pos[n.id] && at && size) placed.push({ ...at, ...size });
  }
  // Boxes ELK has placed (with all their interfaces) go first, where ELK put them if free.
  const slotted: typeof pending = [];
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
    if (want && complete && !placed.some((p) => overlaps({ ...want, ...size }, p, 20))) {
      out.pos[n.id] = want;
      placed.push({ ...want, ...size });
    } else slotted.push(n);
  }
  // The rest fill rows below everything on screen.
  const minX = placed.length ? Math.min(...placed.map((p) => p.x)) : 0;
  let rowY = placed.length ? Math.max(...placed.map((p) => p.y + p.h)) + 60 : 0;
  const rowWidth = Math.max(1600, ...placed.map((p) => p.x + p.w - minX));
  let cursorX = minX;
  let rowH = 0;
  for (const n of slotted) {
    const size = out.size[n.id] ?? fitBox(n.children, out.pos);
    if (cursorX > minX && cursorX + size.w > minX + rowWidth) {
      rowY += rowH + 40;
      cursorX = minX;
      rowH = 0;
    }
    out.pos[n.id] = { x: cursorX, y: rowY };
    cursorX += size.w + 40;
    rowH = Math.max(rowH, size.h);
  }
  return out;
}

export const EMPTY_LAYOUT: Layout = { pos: {}, size: {} };
