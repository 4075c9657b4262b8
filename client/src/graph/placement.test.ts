import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { figure1, iface } from '../testing/fixture.js';
import { elkLayout } from './elkGraph.js';
import { EMPTY_LAYOUT, fitBox, placeStable, separateChildren } from './placement.js';
import { buildStructure } from './structure.js';
import type { ViewOptions } from './types.js';

const elk = new ELK();
const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };

describe('placeStable', () => {
  it('keeps what is on screen when an interface and a namespace are added', async () => {
    const t = figure1();
    const s1 = buildStructure(t, view);
    const first = placeStable({ pos: {}, size: {} }, await elkLayout(s1, elk), s1);
    const t2 = {
      ...t,
      namespaces: [...t.namespaces, { ...t.namespaces[2]!, id: 'ns-4', inode: 4, name: 'new' }],
      interfaces: [...t.interfaces, iface(2, 30, 'extra0'), iface(4, 2, 'eth0')],
    };
    const s2 = buildStructure(t2, view);
    const second = placeStable(first, await elkLayout(s2, elk), s2);
    for (const id of ['ns-1', 'ns-2', 'ns-3', 'if-2-13', 'if-1-3', 'if-1-14'])
      expect(second.pos[id]).toEqual(first.pos[id]);
    // The new interface sits below its sibling, inside the grown box.
    expect(second.pos['if-2-30']!.y).toBeGreaterThan(first.pos['if-2-13']!.y);
    expect(second.size['ns-2']!.h).toBeGreaterThan(first.size['ns-2']!.h);
    // The new box does not overlap the old ones.
    const nb = { ...second.pos['ns-4']!, ...second.size['ns-4']! };
    for (const id of ['ns-1', 'ns-2', 'ns-3']) {
      const b = { ...second.pos[id]!, ...second.size[id]! };
      const apart = nb.x >= b.x + b.w || b.x >= nb.x + nb.w || nb.y >= b.y + b.h || b.y >= nb.y + nb.h;
      expect(apart).toBe(true);
    }
  });
  it('places new things without ELK (or with a stale ELK result) and keeps the places of hidden boxes', async () => {
    const t = figure1();
    const s1 = buildStructure(t, view);
    const first = placeStable(EMPTY_LAYOUT, await elkLayout(s1, elk), s1);
    const t2 = {
      ...t,
      namespaces: [...t.namespaces, { ...t.namespaces[2]!, id: 'ns-5', inode: 5, name: 'five' }],
      interfaces: [...t.interfaces, iface(5, 2, 'eth0'), iface(5, 3, 'eth1')],
    };
    const s2 = buildStructure(t2, view);
    const second = placeStable(first, EMPTY_LAYOUT, s2);
    expect(second.pos['ns-1']).toEqual(first.pos['ns-1']);
    const below = Math.max(...['ns-1', 'ns-2', 'ns-3'].map((id) => first.pos[id]!.y + first.size[id]!.h));
    expect(second.pos['ns-5']!.y).toBeGreaterThan(below);
    expect(second.pos['if-5-3']!.y).toBeGreaterThan(second.pos['if-5-2']!.y);
    // Hide containers, show them again: they come back to the same place.
    const hidden = placeStable(
      second,
      EMPTY_LAYOUT,
      buildStructure(t2, { ...view, hiddenKinds: new Set(['container']) }),
    );
    const again = placeStable(hidden, EMPTY_LAYOUT, s2);
    expect(again.pos['ns-2']).toEqual(second.pos['ns-2']);
  });
  it('nudges down a sibling that a grown interface now covers, and nothing else', () => {
    const pos = { a: { x: 16, y: 64 }, b: { x: 16, y: 120 }, c: { x: 300, y: 64 } };
    separateChildren(
      [
        { id: 'a', w: 184, h: 78 },
        { id: 'b', w: 184, h: 46 },
        { id: 'c', w: 184, h: 46 },
      ],
      pos,
    );
    expect(pos).toEqual({ a: { x: 16, y: 64 }, b: { x: 16, y: 154 }, c: { x: 300, y: 64 } });
  });
  it('moves a box down when the box above it grows over it, and leaves the others', () => {
    const s = {
      key: '',
      edges: [],
      namespaces: [
        {
          id: 'ns-a',
          children: [
            { id: 'a1', w: 184, h: 46 },
            { id: 'a2', w: 184, h: 46 },
          ],
        },
        { id: 'ns-b', children: [] },
        { id: 'ns-c', children: [] },
      ],
    };
    const prev = {
      pos: {
        'ns-a': { x: 0, y: 0 },
        a1: { x: 16, y: 64 },
        'ns-b': { x: 0, y: 150 },
        'ns-c': { x: 400, y: 150 },
      },
      size: { 'ns-a': { w: 240, h: 126 }, 'ns-b': { w: 240, h: 88 }, 'ns-c': { w: 240, h: 88 } },
    };
    const next = placeStable(prev, EMPTY_LAYOUT, s);
    const a = { ...next.pos['ns-a']!, ...next.size['ns-a']! };
    expect(a.h).toBeGreaterThan(150);
    expect(next.pos['ns-b']!.y).toBe(a.y + a.h + 40);
    expect(next.pos['ns-c']).toEqual({ x: 400, y: 150 });
  });
  it('fits a box around its children', () => {
    expect(fitBox([{ id: 'a', w: 100, h: 50 }], { a: { x: 300, y: 100 } })).toEqual({ w: 416, h: 166 });
  });
});
