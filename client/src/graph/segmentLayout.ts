/**
 * The instant layout of large pictures, following the network: each big segment (segments.ts)
 * is a comb: its hub box alone in a middle band, the members in columns above and below it. A
 * folded edge (fold.ts) runs from the member's interface out to the corridor left of the
 * member's box, along the corridor to the band, and along the band to the bridge (see
 * routing.ts), so it never passes over another box. Boxes outside big segments are packed below
 * by the grid (grid.ts). Pure and deterministic: the same structure gives the same picture.
 */
import { gridLayout, packChildren } from './grid.js';
import type { Segment } from './segments.js';
import { BOX_GAP, NEW_ROW_GAP } from './spacing.js';
import type { Structure, StructureNs } from './structure.js';
import type { Layout, Size, XY } from './types.js';

/** Segments with fewer members than this are packed with the other boxes. */
export const COMB_MIN = 6;
/** Width to height the comb aims at (a screen is wider than tall). */
const COMB_ASPECT = 1.6;

interface Block {
  /** Width, and the extent above (negative) and below the band's top (y = 0). */
  w: number;
  top: number;
  bottom: number;
  /**
   * Positions relative to the block's left and the band's top: one more member adds a slot
   * without moving the others (a new row above grows upwards), so a live change can put a new
   * member in its slot (placement.ts takes it when it is free).
   */
  pos: Record<string, XY>;
}

/** Columns for n members of the given size, halves above and below the hub, near COMB_ASPECT. */
export function combColumns(n: number, cell: Size): number {
  // width = c * cell.w, height ~ 2 * ceil(n / 2c) * cell.h; solve width = aspect * height.
  const c = Math.sqrt((COMB_ASPECT * n * cell.h) / cell.w);
  return Math.max(1, Math.min(Math.ceil(n / 2), Math.round(c)));
}

/** One segment as a comb block: members over and under the hub, one corridor left of each column. */
export function combBlock(hub: Size, members: ReadonlyArray<{ id: string } & Size>, hubId: string): Block {
  const cellW = Math.max(...members.map((m) => m.w)) + BOX_GAP;
  const cellH = Math.max(...members.map((m) => m.h)) + BOX_GAP;
  const cols = combColumns(members.length, { w: cellW, h: cellH });
  // Alternating halves: one more member adds a slot and moves nobody (as long as the columns
  // stay), so a live change can put a new member in its comb slot (placement.ts takes it if free).
  const above = members.filter((_, i) => i % 2 === 0);
  const below = members.filter((_, i) => i % 2 === 1);
  const rowsAbove = Math.ceil(above.length / cols);
  // A corridor (BOX_GAP wide) before the first column as well: edges of that column run in it.
  const width = Math.max(BOX_GAP + cols * cellW, hub.w + 2 * BOX_GAP);
  const pos: Record<string, XY> = {};
  // Rows above fill from the band upwards, so the first members sit next to the hub.
  above.forEach((m, i) => {
    const row = Math.floor(i / cols);
    pos[m.id] = { x: BOX_GAP + (i % cols) * cellW, y: -(row + 1) * cellH };
  });
  const hubY = BOX_GAP;
  pos[hubId] = { x: Math.round((width - hub.w) / 2), y: hubY };
  const belowY = hubY + hub.h + 2 * BOX_GAP;
  below.forEach((m, i) => {
    pos[m.id] = { x: BOX_GAP + (i % cols) * cellW, y: belowY + Math.floor(i / cols) * cellH };
  });
  const rowsBelow = Math.ceil(below.length / cols);
  const bottom = rowsBelow ? belowY + rowsBelow * cellH - BOX_GAP : hubY + hub.h;
  return { w: width, top: -rowsAbove * cellH, bottom, pos };
}

/** Segments big enough for a comb, each box in at most one (a hub is never another's member). */
function combSegments(s: Structure, segments: readonly Segment[]): Segment[] {
  const shown = new Set(s.namespaces.map((n) => n.id));
  const taken = new Set<string>();
  const out: Segment[] = [];
  for (const g of segments) {
    if (!shown.has(g.hub) || taken.has(g.hub)) continue;
    const members = g.members.filter((m) => shown.has(m) && !taken.has(m) && m !== g.hub);
    if (members.length < COMB_MIN) continue;
    taken.add(g.hub);
    for (const m of members) taken.add(m);
    out.push({ ...g, members });
  }
  return out;
}

export function segmentLayout(s: Structure, segments: readonly Segment[]): Layout {
  const layout: Layout = { pos: {}, size: {} };
  const byId = new Map<string, StructureNs>(s.namespaces.map((n) => [n.id, n]));
  for (const n of s.namespaces) layout.size[n.id] = packChildren(n, layout.pos);
  const combs = combSegments(s, segments);
  const inComb = new Set(combs.flatMap((g) => [g.hub, ...g.members]));
  // Combs side by side, their hubs on one band (y = 0); the rest below the lowest comb.
  let x = 0;
  let bottom = 0;
  for (const g of combs) {
    const members = g.members.map((m) => ({ id: m, ...layout.size[m]! }));
    const block = combBlock(layout.size[g.hub]!, members, g.hub);
    for (const [id, p] of Object.entries(block.pos)) layout.pos[id] = { x: x + p.x, y: p.y };
    x += block.w + BOX_GAP;
    bottom = Math.max(bottom, block.bottom);
  }
  const rest: Structure = {
    namespaces: s.namespaces.filter((n) => !inComb.has(n.id) && byId.has(n.id)),
    edges: [],
    key: '',
  };
  const grid = gridLayout(rest);
  const dy = combs.length ? bottom + NEW_ROW_GAP : 0;
  for (const n of rest.namespaces) {
    const p = grid.pos[n.id];
    if (p) layout.pos[n.id] = { x: p.x, y: p.y + dy };
  }
  return layout;
}
