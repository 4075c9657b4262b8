/**
 * Boxes with many interfaces (a host with dozens of veth ends) came out of the layered layout as
 * one very wide row: every host end sits in the layer below its peer. Such boxes are given to ELK
 * as a fixed-size block instead (from the start when they have many interfaces, else once a first
 * run showed them too wide), and their interfaces are packed in a grid afterwards, ordered so that
 * each sits on the side where its peer is. Pure.
 */
import { packChildren } from './grid.js';
import type { Structure, StructureNs } from './structure.js';
import type { Layout, Size, XY } from './types.js';

/** Wider than about six interfaces side by side is hard to read: such a box is packed. */
export const MAX_BOX_W = 1200;
/**
 * A box with more interfaces than this is packed from the start: the layered layout would make
 * it too wide anyway, and finding that out costs a whole extra ELK run (most of a second).
 */
export const PACK_ABOVE = 12;

export function crowdedBoxes(s: Structure): Set<string> {
  return new Set(s.namespaces.filter((n) => n.children.length > PACK_ABOVE).map((n) => n.id));
}

/** Boxes, other than those already packed, that the layout made wider than MAX_BOX_W. */
export function wideBoxes(s: Structure, l: Layout, packed: ReadonlySet<string> = new Set()): Set<string> {
  const wide = s.namespaces.filter((n) => !packed.has(n.id) && (l.size[n.id]?.w ?? 0) > MAX_BOX_W);
  return new Set(wide.map((n) => n.id));
}

/** Size of a packed box (the grid of its interfaces), without placing anything. */
export function packedSize(n: StructureNs): Size {
  return packChildren(n, {});
}

/** Which box each interface is in, and its width. */
type Owners = Map<string, { box: string; w: number }>;

function owners(s: Structure): Owners {
  const m: Owners = new Map();
  for (const n of s.namespaces) for (const c of n.children) m.set(c.id, { box: n.id, w: c.w });
  return m;
}

/**
 * The edges as the packed layout sees them: an end inside a packed box becomes the box itself,
 * and edges inside one packed box are left out (the grid places those interfaces).
 */
export function packedEdges(s: Structure, packed: ReadonlySet<string>): Structure['edges'] {
  const own = owners(s);
  const end = (id: string) => {
    const box = own.get(id)?.box;
    return box && packed.has(box) ? box : id;
  };
  return s.edges
    .map((e) => ({ ...e, source: end(e.source), target: end(e.target) }))
    .filter((e) => e.source !== e.target);
}

/** Horizontal centre of an interface (or of its packed box) in the laid-out picture. */
function centreX(id: string, l: Layout, own: Owners): number | null {
  const o = own.get(id);
  const b = o && l.pos[o.box];
  if (!o || !b) return null;
  const p = l.pos[id];
  // An interface in another packed box has no place yet: its box's centre will do.
  return p ? b.x + p.x + o.w / 2 : b.x + (l.size[o.box]?.w ?? 0) / 2;
}

/**
 * The children of a packed box in reading order: by where their peers outside the box are, left
 * to right; an interface with no peer outside (a bridge) goes next to the ports it joins; the
 * rest keep model order at the end.
 */
function orderChildren(n: StructureNs, s: Structure, l: Layout, own: Owners): StructureNs {
  const inside = new Set(n.children.map((c) => c.id));
  const outside = new Map<string, number[]>();
  const within = new Map<string, string[]>();
  const add = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const e of s.edges) {
    for (const [a, b] of [
      [e.source, e.target],
      [e.target, e.source],
    ] as const) {
      if (!inside.has(a)) continue;
      if (inside.has(b)) add(within, a, b);
      else {
        const x = centreX(b, l, own);
        if (x !== null) add(outside, a, x);
      }
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const key = new Map<string, number>();
  for (const c of n.children) {
    const k = mean(outside.get(c.id) ?? []);
    if (k !== null) key.set(c.id, k);
  }
  for (const c of n.children) {
    if (key.has(c.id)) continue;
    const k = mean((within.get(c.id) ?? []).flatMap((x) => (key.has(x) ? [key.get(x)!] : [])));
    if (k !== null) key.set(c.id, k);
  }
  const at = (id: string) => key.get(id) ?? Infinity;
  // Array.prototype.sort is stable: equal keys keep model order, so the result is deterministic.
  return { ...n, children: [...n.children].sort((a, b) => at(a.id) - at(b.id)) };
}

/**
 * Fills in the interfaces of packed boxes (laid out as blocks) in a grid, column by column in
 * reading order, so that edges from the left land in the left columns. Boxes are filled in model
 * order, each seeing the interfaces of those filled before it (two packed boxes joined by many
 * veths then line up with each other).
 */
export function fillPackedBoxes(s: Structure, l: Layout, packed: ReadonlySet<string>): Layout {
  const out: Layout = { pos: { ...l.pos }, size: { ...l.size } };
  const own = owners(s);
  for (const n of s.namespaces) {
    if (!packed.has(n.id)) continue;
    const pos: Record<string, XY> = {};
    out.size[n.id] = packChildren(orderChildren(n, s, out, own), pos, true);
    Object.assign(out.pos, pos);
  }
  return out;
}
