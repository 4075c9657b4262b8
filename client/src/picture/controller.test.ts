import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { LARGE_GRAPH } from '../graph/elkGraph.js';
import type { XY } from '../graph/types.js';
import { foldPorts } from '../graph/fold.js';
import { placeStable } from '../graph/placement.js';
import { segmentLayout } from '../graph/segmentLayout.js';
import { findHubs } from '../graph/segments.js';
import { buildStructure } from '../graph/structure.js';
import { figure1, iface, ns } from '../testing/fixture.js';
import { HUB_NS, hubTopology, memberInode } from '../testing/hubFixture.js';
import { FLASH_MS, createPicture } from './controller.js';
import type { SavedPositions } from './positions.js';

/** ELK whose answers the test releases one by one (to land them late or out of order). */
function heldElk() {
  const elk = new ELK();
  const held: Array<() => Promise<void>> = [];
  return {
    calls: () => held.length,
    release: async (i: number) => {
      await held[i]!();
      // Let the rest of the promise chain (elkLayout's return, then adopt) run: no timer involved.
      for (let k = 0; k < 10; k++) await Promise.resolve();
    },
    engine: {
      layout: (g: ElkNode) =>
        new Promise<ElkNode>((resolve, reject) => {
          held.push(() => elk.layout(g).then(resolve, reject));
        }),
    },
  };
}

function memory(start: Record<string, XY> = {}): SavedPositions & { kept: Record<string, XY> } {
  const m = {
    kept: { ...start },
    load: () => ({ ...m.kept }),
    save: (p: Record<string, XY>) => void (m.kept = { ...p }),
    clear: () => void (m.kept = {}),
  };
  return m;
}

/** Timers run when the test says so. */
function clock() {
  const due: Array<{ at: number; fn: () => void }> = [];
  let now = 0;
  return {
    later: (fn: () => void, ms: number) => void due.push({ at: now + ms, fn }),
    advance(ms: number) {
      now += ms;
      for (const t of due.filter((d) => d.at <= now)) {
        due.splice(due.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

const ids = (t: Topology) => [
  ...t.namespaces.map((n) => n.id),
  ...t.interfaces.filter((i) => i.kind !== 'loopback').map((i) => i.id),
];

describe('picture controller', () => {
  it('draws the first picture from one ELK run, then places a new interface without ELK', async () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    const t = figure1();
    pic.showTopology(t);
    expect(pic.store.getState().layoutRuns).toBe(0);
    expect(pic.store.getState().nodes).toEqual([]);
    await elk.release(0);
    const first = pic.store.getState();
    expect(first.layoutRuns).toBe(1);
    expect(first.nodes.map((n) => n.id).sort()).toEqual(ids(t).sort());

    const t2 = { ...t, interfaces: [...t.interfaces, iface(2, 30, 'extra0')] };
    pic.showTopology(t2, ['if-2-30']);
    const second = pic.store.getState();
    expect(elk.calls()).toBe(1);
    expect(second.layoutRuns).toBe(1);
    expect(second.nodes.map((n) => n.id)).toContain('if-2-30');
    for (const id of ['ns-1', 'ns-2', 'ns-3', 'if-2-13'])
      expect(second.layout.pos[id]).toEqual(first.layout.pos[id]);
  });

  it('marks what a delta changed, and unmarks it after FLASH_MS', async () => {
    const elk = heldElk();
    const time = clock();
    const pic = createPicture({ engine: elk.engine, saved: memory(), later: time.later });
    pic.showTopology(figure1());
    await elk.release(0);
    pic.showTopology(figure1(), ['if-2-13']);
    const node = () => pic.store.getState().nodes.find((n) => n.id === 'if-2-13');
    expect(node()?.className).toBe('changed');
    time.advance(FLASH_MS - 1);
    expect(node()?.className).toBe('changed');
    time.advance(1);
    expect(node()?.className).toBeUndefined();
  });

  it('adopts only the newest ELK run when Re-layout is pressed while one is running', async () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    pic.showTopology(figure1());
    pic.relayout();
    expect(elk.calls()).toBe(2);
    await elk.release(0);
    expect(pic.store.getState().layoutRuns).toBe(0);
    await elk.release(1);
    expect(pic.store.getState().layoutRuns).toBe(1);
  });

  it('keeps a dragged box where it was put, saves it, and forgets it on Re-layout', async () => {
    const saved = memory();
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved });
    pic.showTopology(figure1());
    await elk.release(0);
    const to = { x: 5000, y: 7000 };
    pic.onNodesChange([{ type: 'position', id: 'ns-3', position: to, dragging: false }]);
    expect(saved.kept).toEqual({ 'ns-3': to });
    expect(pic.store.getState().nodes.find((n) => n.id === 'ns-3')?.position).toEqual(to);

    // The next visit: a new controller over the same storage puts the box there again.
    const elk2 = heldElk();
    const again = createPicture({ engine: elk2.engine, saved });
    again.showTopology(figure1());
    await elk2.release(0);
    expect(again.store.getState().layout.pos['ns-3']).toEqual(to);

    again.relayout();
    expect(saved.kept).toEqual({});
    await elk2.release(1);
    expect(again.store.getState().layout.pos['ns-3']).not.toEqual(to);
  });

  it('lets a dragged interface follow the pointer and sends it home when the drag ends', async () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    pic.showTopology(figure1());
    await elk.release(0);
    const home = pic.store.getState().layout.pos['if-2-13']!;
    const away = { x: home.x + 300, y: home.y + 200 };
    pic.onNodesChange([{ type: 'position', id: 'if-2-13', position: away, dragging: true }]);
    expect(pic.store.getState().layout.pos['if-2-13']).toEqual(away);
    pic.onNodesChange([{ type: 'position', id: 'if-2-13', position: away, dragging: false }]);
    expect(pic.store.getState().layout.pos['if-2-13']).toEqual(home);
  });

  it('does not let a change during an interface drag push its siblings away from the pointer', async () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    const t = figure1();
    pic.showTopology(t);
    await elk.release(0);
    const before = { ...pic.store.getState().layout.pos };
    const eth0 = before['if-1-2']!;
    // The veth end hovers just above eth0 (as when dropping it onto a bridge there) ...
    const over = { x: eth0.x, y: eth0.y - 5 };
    pic.onNodesChange([{ type: 'position', id: 'if-1-14', position: over, dragging: true }]);
    // ... when another namespace appears: a placement over the whole picture.
    pic.showTopology({ ...t, namespaces: [...t.namespaces, ns(9, 'named', 'late')] }, ['ns-9']);
    const during = pic.store.getState().layout.pos;
    expect(during['ns-9']).toBeDefined();
    expect(during['if-1-14']).toEqual(over);
    for (const id of ['if-1-2', 'if-1-3', 'if-1-16', 'ns-1']) expect(during[id]).toEqual(before[id]);
    pic.onNodesChange([{ type: 'position', id: 'if-1-14', position: over, dragging: false }]);
    const after = pic.store.getState().layout.pos;
    for (const id of ['if-1-14', 'if-1-2', 'if-1-3', 'if-1-16']) expect(after[id]).toEqual(before[id]);
  });

  it('draws a large picture at once from the grid, without ELK', () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    const many = Array.from({ length: LARGE_GRAPH + 1 }, (_, k) => ns(100 + k, 'named', `n${k}`));
    pic.showTopology({ ...figure1(), namespaces: many, interfaces: [], links: [], routes: [] });
    expect(elk.calls()).toBe(0);
    expect(pic.store.getState().layoutRuns).toBe(1);
    expect(pic.store.getState().nodes).toHaveLength(LARGE_GRAPH + 1);
  });

  it('hides a kind and brings its boxes back to the same place', async () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    pic.showTopology(figure1());
    await elk.release(0);
    const before = pic.store.getState().layout.pos['ns-2'];
    pic.toggleKind('container');
    expect(pic.store.getState().nodes.some((n) => n.id === 'ns-2')).toBe(false);
    pic.toggleKind('container');
    expect(pic.store.getState().nodes.find((n) => n.id === 'ns-2')?.position).toEqual(before);
    expect(elk.calls()).toBe(1);
  });

  it('keeps the comb on Re-layout of a large picture (no ELK), and forgets dragged places', () => {
    const elk = heldElk();
    const pic = createPicture({ engine: elk.engine, saved: memory() });
    const t = hubTopology(LARGE_GRAPH + 20);
    pic.showTopology(t);
    const view = pic.store.getState().view;
    const s = foldPorts(t, buildStructure(t, view));
    const comb = placeStable({ pos: {}, size: {} }, segmentLayout(s, findHubs(t, s)), s);
    const member = `ns-${memberInode(7)}`;
    expect(pic.store.getState().layout.pos[member]).toEqual(comb.pos[member]);
    pic.onNodesChange([{ type: 'position', id: member, position: { x: -9000, y: -9000 }, dragging: false }]);
    expect(pic.store.getState().layout.pos[member]).toEqual({ x: -9000, y: -9000 });

    pic.relayout();
    expect(elk.calls()).toBe(0);
    const after = pic.store.getState();
    expect(after.layoutRuns).toBe(2);
    for (const n of s.namespaces) expect(after.layout.pos[n.id]).toEqual(comb.pos[n.id]);
    expect(after.layout.pos[HUB_NS]).toEqual(comb.pos[HUB_NS]);
  });

  it('draws a big segment closed while zoomed out, opens it on zoom, click or a search hit', () => {
    const pic = createPicture({ engine: heldElk().engine, saved: memory() });
    pic.showTopology(hubTopology(LARGE_GRAPH + 20));
    const agg = `aggregate:${HUB_NS}`;
    const member = `ns-${memberInode(7)}`;
    const drawn = () => new Set(pic.store.getState().nodes.map((n) => n.id));
    expect(drawn().has(agg)).toBe(true);
    expect(drawn().has(member)).toBe(false);
    const place = pic.store.getState().layout.pos[member];

    pic.setZoomedOut(false);
    expect(drawn().has(agg)).toBe(false);
    expect(pic.store.getState().nodes.find((n) => n.id === member)?.position).toEqual(place);
    pic.setZoomedOut(true);
    expect(drawn().has(member)).toBe(false);

    pic.openAggregate(agg);
    expect(drawn().has(member)).toBe(true);
    pic.setZoomedOut(false);
    pic.setZoomedOut(true);
    expect(drawn().has(member)).toBe(false);

    pic.setHit(`if-${memberInode(7)}-2`);
    expect(drawn().has(member)).toBe(true);
    expect(pic.store.getState().layout.pos[member]).toEqual(place);
  });
});
