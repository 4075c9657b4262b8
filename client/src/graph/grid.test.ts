import { describe, expect, it } from 'vitest';
import { childColumns, gridLayout, packChildren } from './grid.js';
import { BOX_GAP, NS_HEADER, NS_PAD } from './spacing.js';
import type { Structure, StructureNs } from './structure.js';

function box(id: string, n: number): StructureNs {
  return { id, children: Array.from({ length: n }, (_, i) => ({ id: `${id}-${i}`, w: 184, h: 46 })) };
}

function structure(counts: number[]): Structure {
  return { namespaces: counts.map((n, i) => box(`ns-${i}`, n)), edges: [], key: '' };
}

type Rect = { x: number; y: number; w: number; h: number };
const apart = (a: Rect, b: Rect, gap: number) =>
  a.x + a.w + gap <= b.x || b.x + b.w + gap <= a.x || a.y + a.h + gap <= b.y || b.y + b.h + gap <= a.y;

describe('packChildren', () => {
  it('stacks a few interfaces and grids many, all inside the box', () => {
    expect(childColumns(3)).toBe(1);
    expect(childColumns(300)).toBe(13);
    const pos = {};
    const few = packChildren(box('a', 2), pos);
    expect(pos).toEqual({ 'a-0': { x: NS_PAD, y: NS_HEADER }, 'a-1': { x: NS_PAD, y: NS_HEADER + 58 } });
    expect(few.h).toBe(NS_HEADER + 58 + 46 + NS_PAD);
    const many: Record<string, { x: number; y: number }> = {};
    const size = packChildren(box('b', 50), many);
    for (const p of Object.values(many)) {
      expect(p.x + 184).toBeLessThanOrEqual(size.w - NS_PAD);
      expect(p.y + 46).toBeLessThanOrEqual(size.h - NS_PAD);
    }
    expect(new Set(Object.values(many).map((p) => `${p.x},${p.y}`)).size).toBe(50);
  });
});

describe('gridLayout', () => {
  it('places every box without overlap, deterministically, roughly at the aspect ratio', () => {
    const s = structure([300, ...Array.from({ length: 300 }, (_, i) => 1 + (i % 3))]);
    const l = gridLayout(s);
    expect(gridLayout(s)).toEqual(l);
    const rects = s.namespaces.map((n) => ({ ...l.pos[n.id]!, ...l.size[n.id]! }));
    let overlapping = 0;
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++)
        if (!apart(rects[i]!, rects[j]!, BOX_GAP - 0.5)) overlapping++;
    expect(overlapping).toBe(0);
    const w = Math.max(...rects.map((r) => r.x + r.w));
    const h = Math.max(...rects.map((r) => r.y + r.h));
    expect(w / h).toBeGreaterThan(0.8);
    expect(w / h).toBeLessThan(3.2);
    for (const n of s.namespaces) for (const c of n.children) expect(l.pos[c.id]).toBeDefined();
  });
  it('handles nothing and an empty box', () => {
    expect(gridLayout(structure([]))).toEqual({ pos: {}, size: {} });
    const l = gridLayout(structure([0]));
    expect(l.pos['ns-0']).toEqual({ x: 0, y: 0 });
  });
});
