import ELK from 'elkjs/lib/elk.bundled.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Interface, Link, Namespace, Topology } from '../../../common/model.js';
import { vethLinkId } from '../../../common/ids.js';
import { normalizeTopology } from '../../../common/model.js';
import { figure1, iface, ns } from '../testing/fixture.js';
import { packChildren } from './grid.js';
import { elkLayout } from './elkGraph.js';
import { EMPTY_LAYOUT, placeStable } from './placement.js';
import { MAX_BOX_W, wideBoxes } from './pack.js';
import { buildStructure } from './structure.js';
import type { Structure, StructureNs } from './structure.js';
import type { Layout, ViewOptions } from './types.js';

const elk = new ELK();
const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };
type Rect = { x: number; y: number; w: number; h: number };

const apart = (a: Rect, b: Rect) =>
  a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;

/** Figure 1 plus `count` veth pairs from the host: peers spread over `peerBoxes` named namespaces
 * (0: both ends in the host). */
function manyHostVeths(count: number, peerBoxes: number): Topology {
  const t = figure1();
  const namespaces: Namespace[] = [...t.namespaces];
  const interfaces: Interface[] = [...t.interfaces];
  const links: Link[] = [...t.links];
  for (let b = 0; b < peerBoxes; b++) namespaces.push(ns(100 + b, 'named', `peer${b}`));
  for (let k = 0; k < count; k++) {
    const a = iface(1, 1000 + k, `vh${k}`);
    const b =
      peerBoxes > 0 ? iface(100 + (k % peerBoxes), 2000 + k, `vp${k}`) : iface(1, 3000 + k, `vh${k}-peer`);
    interfaces.push({ ...a, peer: b.id }, { ...b, peer: a.id });
    links.push({ id: vethLinkId(a.id, b.id), kind: 'veth', a: a.id, b: b.id });
  }
  return normalizeTopology({ ...t, namespaces, interfaces, links });
}

function rects(s: Structure, l: Layout) {
  return s.namespaces.map((n) => ({
    id: n.id,
    box: { ...l.pos[n.id]!, ...l.size[n.id]! },
    children: n.children.map((c) => ({ id: c.id, ...l.pos[c.id]!, w: c.w, h: c.h })),
  }));
}

/** Every box and interface placed; interfaces inside their box, apart from each other; boxes apart. */
function expectSound(s: Structure, l: Layout): void {
  const all = rects(s, l);
  for (const { box, children } of all) {
    for (const c of children) {
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.y).toBeGreaterThanOrEqual(0);
      expect(c.x + c.w).toBeLessThanOrEqual(box.w + 0.5);
      expect(c.y + c.h).toBeLessThanOrEqual(box.h + 0.5);
    }
    for (let i = 0; i < children.length; i++)
      for (let j = i + 1; j < children.length; j++) expect(apart(children[i]!, children[j]!)).toBe(true);
  }
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) expect(apart(all[i]!.box, all[j]!.box)).toBe(true);
}

describe('elkLayout with many interfaces in one box', () => {
  it.each([
    ['40 host ends, peers in 4 boxes', 40, 4],
    ['20 host ends, peers in one box', 20, 1],
    ['20 pairs with both ends in the host', 20, 0],
  ])('%s: every box bounded and about square, nothing overlaps', async (_name, count, peers) => {
    const s = buildStructure(manyHostVeths(count, peers), view);
    const l = await elkLayout(s, elk);
    expectSound(s, l);
    for (const n of s.namespaces) {
      const size = l.size[n.id]!;
      expect(size.w).toBeLessThanOrEqual(MAX_BOX_W);
      if (n.children.length >= 20) {
        expect(size.w / size.h).toBeGreaterThan(0.5);
        expect(size.w / size.h).toBeLessThan(2.5);
      }
    }
    expect(await elkLayout(s, elk)).toEqual(l);
  });

  it('orders a packed box by where the peers are, and keeps a bridge by its ports', async () => {
    const s = buildStructure(manyHostVeths(40, 4), view);
    const l = await elkLayout(s, elk);
    const host = s.namespaces.find((n) => n.id === 'ns-1')!;
    const ends = host.children.filter((c) => Number(c.id.split('-')[2]) >= 1000);
    expect(ends).toHaveLength(40);
    // Peer boxes left to right; the host ends of each sit in columns that never go back.
    const pairs = ends
      .map((c) => {
        const k = Number(c.id.split('-')[2]) - 1000;
        return { col: l.pos[c.id]!.x, peerBoxX: l.pos[`ns-${100 + (k % 4)}`]!.x };
      })
      .sort((a, b) => a.peerBoxX - b.peerBoxX || a.col - b.col);
    for (let i = 1; i < pairs.length; i++) expect(pairs[i]!.col).toBeGreaterThanOrEqual(pairs[i - 1]!.col);
    expect(new Set(pairs.map((p) => p.peerBoxX)).size).toBe(4);
    // docker0 (if-1-3) sits among the columns of its ports (if-1-14, if-1-16).
    const cols = ['if-1-14', 'if-1-16'].map((id) => l.pos[id]!.x);
    expect(l.pos['if-1-3']!.x).toBeGreaterThanOrEqual(Math.min(...cols));
    expect(l.pos['if-1-3']!.x).toBeLessThanOrEqual(Math.max(...cols));
  });

  it.each([
    ['Figure 1', figure1()],
    ['40 host ends, peers in 4 boxes', manyHostVeths(40, 4)],
  ])('%s: a change-free update keeps the ELK layout as it is (nothing "grows")', async (_name, t) => {
    const s = buildStructure(t, view);
    const l = await elkLayout(s, elk);
    // A box ELK drew narrower than the minimum box once counted as grown on the first live
    // change, and pushed its neighbours down: the whole picture jumped.
    expect(placeStable(l, EMPTY_LAYOUT, s)).toEqual(l);
  });

  it('leaves a box with a few interfaces to the layered layout (Figure 1)', async () => {
    const s = buildStructure(figure1(), view);
    expect(wideBoxes(s, await elkLayout(s, elk))).toEqual(new Set());
  });

  it('gives a new box with many interfaces a grid when ELK has not placed it', () => {
    const s = buildStructure(manyHostVeths(20, 0), view);
    const l = placeStable(EMPTY_LAYOUT, EMPTY_LAYOUT, s);
    expectSound(s, l);
    const host = l.size['ns-1']!;
    expect(host.w).toBeLessThanOrEqual(MAX_BOX_W);
    expect(host.w / host.h).toBeGreaterThan(0.5);
    expect(host.w / host.h).toBeLessThan(2.5);
  });
});

describe('packChildren', () => {
  it('fills columns first when asked, the box just wide enough', () => {
    const n: StructureNs = {
      id: 'b',
      children: Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, w: 184, h: 46 })),
    };
    const pos: Record<string, { x: number; y: number }> = {};
    const size = packChildren(n, pos, true);
    // 10 interfaces: 3 columns of up to 4, filled top to bottom, then left to right.
    expect(pos['c1']!.x).toBe(pos['c0']!.x);
    expect(pos['c1']!.y).toBeGreaterThan(pos['c0']!.y);
    expect(pos['c4']!.x).toBeGreaterThan(pos['c3']!.x);
    expect(size.w).toBe(16 * 2 + 3 * 184 + 2 * 12);
  });

  it('never overlaps, stays inside the box, and keeps about a landscape square (property)', () => {
    const child = fc.record({ wide: fc.boolean(), h: fc.integer({ min: 46, max: 110 }) });
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 200 }), fc.boolean(), (kids, byColumn) => {
        const n: StructureNs = {
          id: 'b',
          children: kids.map((k, i) => ({ id: `c${i}`, w: k.wide ? 236 : 184, h: k.h })),
        };
        const pos: Record<string, { x: number; y: number }> = {};
        const size = packChildren(n, pos, byColumn);
        const cs = n.children.map((c) => ({ ...pos[c.id]!, w: c.w, h: c.h }));
        for (const c of cs) {
          if (c.x + c.w > size.w || c.y + c.h > size.h) return false;
        }
        for (let i = 0; i < cs.length; i++)
          for (let j = i + 1; j < cs.length; j++) if (!apart(cs[i]!, cs[j]!)) return false;
        return cs.length < 5 || size.w / size.h < 3.5;
      }),
      { numRuns: 200 },
    );
  });
});
