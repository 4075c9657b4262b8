/**
 * Automatic layout with elkjs over one compound graph (root -> namespace boxes -> interfaces),
 * plus the pure merge that keeps what is already on screen where it is.
 */
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Structure } from './structure.js';
import type { Layout, Size, XY } from './types.js';
import { NS_HEADER, NS_MIN_W, NS_PAD } from './types.js';

/** Above this many boxes a layered picture gets too wide; pack boxes in rows instead. */
export const LARGE_GRAPH = 60;

export function toElkGraph(s: Structure): ElkNode {
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
    children: s.namespaces.map((n) => ({
      id: n.id,
      layoutOptions: { ...boxOptions, 'elk.nodeSize.minimum': `(${NS_MIN_W}, ${NS_HEADER + 24})` },
      ...(n.children.length === 0 ? { width: NS_MIN_W, height: NS_HEADER + 24 } : {}),
      children: n.children.map((c) => ({ id: c.id, width: c.w, height: c.h })),
    })),
    edges: large
      ? []
      : s.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  return root;
}

export function fromElkGraph(g: ElkNode): Layout {
  const layout: Layout = { pos: {}, size: {} };
  for (const n of g.children ?? []) {
    layout.pos[n.id] = { x: n.x ?? 0, y: n.y ?? 0 };
    layout.size[n.id] = { w: n.width ?? NS_MIN_W, h: n.height ?? NS_HEADER + 24 };
    for (const c of n.children ?? []) layout.pos[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  }
  return layout;
}

/** ELK positions for every box and interface of the structure (the page passes a worker-backed ELK). */
export async function elkLayout(s: Structure, engine: ELK): Promise<Layout> {
  return fromElkGraph(await engine.layout(toElkGraph(s)));
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
 * Merges a fresh ELK layout into what is on screen (`prev`, including user-dragged positions):
 * boxes and interfaces that already have a place keep it; a new interface goes below its
 * siblings; a new box takes ELK's place if free, else a free slot below everything. So a
 * change never makes the rest of the picture jump.
 */
export function placeStable(prev: Layout, fresh: Layout, s: Structure): Layout {
  const known = s.namespaces.filter((n) => prev.pos[n.id]);
  if (known.length === 0) return fresh;
  const out: Layout = { pos: {}, size: {} };
  const placed: Array<XY & Size> = [];
  const pending: typeof s.namespaces = [];
  for (const n of s.namespaces) {
    const old = prev.pos[n.id];
    if (!old) {
      pending.push(n);
      continue;
    }
    out.pos[n.id] = old;
    let bottom = NS_HEADER;
    for (const c of n.children) {
      const p = prev.pos[c.id];
      if (p) bottom = Math.max(bottom, p.y + c.h + 12);
    }
    for (const c of n.children) {
      const p = prev.pos[c.id];
      if (p) out.pos[c.id] = p;
      else {
        out.pos[c.id] = { x: NS_PAD, y: bottom };
        bottom += c.h + 12;
      }
    }
    const size = fitBox(n.children, out.pos);
    out.size[n.id] = size;
    placed.push({ ...old, ...size });
  }
  const minX = Math.min(...placed.map((p) => p.x));
  let rowY = Math.max(...placed.map((p) => p.y + p.h)) + 60;
  let cursorX = minX;
  let rowH = 0;
  const rowWidth = Math.max(1600, ...placed.map((p) => p.x + p.w - minX));
  for (const n of pending) {
    const size = fresh.size[n.id] ?? fitBox(n.children, fresh.pos);
    for (const c of n.children) out.pos[c.id] = fresh.pos[c.id] ?? { x: NS_PAD, y: NS_HEADER };
    out.size[n.id] = size;
    const want = fresh.pos[n.id];
    let at: XY;
    if (want && !placed.some((p) => overlaps({ ...want, ...size }, p, 20))) at = want;
    else {
      if (cursorX > minX && cursorX + size.w > minX + rowWidth) {
        rowY += rowH + 40;
        cursorX = minX;
        rowH = 0;
      }
      at = { x: cursorX, y: rowY };
      cursorX += size.w + 40;
      rowH = Math.max(rowH, size.h);
    }
    out.pos[n.id] = at;
    placed.push({ ...at, ...size });
  }
  return out;
}
