import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { hubTopology } from '../testing/hubFixture.js';
import { edgesOverForeignBoxes, samplePolyline } from '../../../common/crossings.js';
import type { DrawnBox, DrawnEdge } from '../../../common/crossings.js';
import { foldPorts } from './fold.js';
import { placeStable } from './placement.js';
import { foldRoute } from './routing.js';
import { segmentLayout } from './segmentLayout.js';
import { findHubs } from './segments.js';
import { buildStructure } from './structure.js';
import type { Structure } from './structure.js';
import type { Layout, ViewOptions } from './types.js';

const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };

function picture(t: Topology): { s: Structure; layout: Layout } {
  const s = foldPorts(t, buildStructure(t, view));
  return { s, layout: placeStable({ pos: {}, size: {} }, segmentLayout(s, findHubs(t, s)), s) };
}

function boxes(s: Structure, l: Layout): DrawnBox[] {
  return s.namespaces.map((n) => ({ id: n.id, ...l.pos[n.id]!, ...l.size[n.id]! }));
}

/** Every fold edge as routing.ts draws it, sampled, with its two boxes as ends. */
function foldEdges(s: Structure, l: Layout): DrawnEdge[] {
  const owner = new Map(s.namespaces.flatMap((n) => n.children.map((c) => [c.id, { n: n.id, c }] as const)));
  const abs = (id: string) => {
    const o = owner.get(id)!;
    const b = l.pos[o.n]!;
    return { x: b.x + l.pos[id]!.x, y: b.y + l.pos[id]!.y, w: o.c.w, h: o.c.h };
  };
  const box = (id: string) => ({ ...l.pos[id]!, ...l.size[id]! });
  return s.edges
    .filter((e) => e.kind === 'fold')
    .map((e) => {
      const m = owner.get(e.source)!.n;
      const h = owner.get(e.target)!.n;
      const points = foldRoute({ iface: abs(e.source), member: box(m), bridge: abs(e.target), hub: box(h) });
      return { id: e.id, ends: [m, h], points: samplePolyline(points) };
    });
}

function overlapping(bs: DrawnBox[]): number {
  let n = 0;
  const sorted = [...bs].sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j]!.x < sorted[i]!.x + sorted[i]!.w; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (a.y < b.y + b.h && b.y < a.y + a.h) n++;
    }
  return n;
}

describe('segmentLayout', () => {
  it('draws 1,000 members around their bridge with no edge over another box and no overlap', () => {
    const { s, layout } = picture(hubTopology(1000));
    const edges = foldEdges(s, layout);
    expect(edges).toHaveLength(1000);
    expect(edgesOverForeignBoxes(edges, boxes(s, layout))).toEqual([]);
    expect(overlapping(boxes(s, layout))).toBe(0);
    // Readable proportions: about as wide as a screen, not a single row or column.
    const bs = boxes(s, layout);
    const w = Math.max(...bs.map((b) => b.x + b.w)) - Math.min(...bs.map((b) => b.x));
    const h = Math.max(...bs.map((b) => b.y + b.h)) - Math.min(...bs.map((b) => b.y));
    expect(w / h).toBeGreaterThan(0.8);
    expect(w / h).toBeLessThan(3);
  });
  it('puts two bridges side by side and the router between them in the picture, crossing nothing', () => {
    const { s, layout } = picture(hubTopology(300, { second: 200, router: true }));
    const edges = foldEdges(s, layout);
    expect(edges).toHaveLength(502);
    expect(edgesOverForeignBoxes(edges, boxes(s, layout))).toEqual([]);
    expect(overlapping(boxes(s, layout))).toBe(0);
  });
  it('is the same picture on every load', () => {
    const a = picture(hubTopology(120)).layout;
    const b = picture(hubTopology(120)).layout;
    expect(b).toEqual(a);
  });
  it('gives a new member its comb slot and moves nobody', () => {
    const before = picture(hubTopology(200));
    const t2 = hubTopology(201);
    const s2 = foldPorts(t2, buildStructure(t2, view));
    const after = placeStable(before.layout, segmentLayout(s2, findHubs(t2, s2)), s2);
    for (const n of before.s.namespaces) expect(after.pos[n.id]).toEqual(before.layout.pos[n.id]);
    expect(edgesOverForeignBoxes(foldEdges(s2, after), boxes(s2, after))).toEqual([]);
    expect(overlapping(boxes(s2, after))).toBe(0);
  });
});
