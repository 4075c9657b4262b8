import { describe, expect, it } from 'vitest';
import { applyDelta } from '../../../common/delta.js';
import { figure1, iface } from '../testing/fixture.js';
import { mergeEdges, mergeNodes } from './merge.js';
import { buildStructure, portEdgeId } from './structure.js';
import { toFlow } from './toFlow.js';
import type { Layout, ViewOptions } from './types.js';

const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };
const noMarks = { changed: new Set<string>(), hit: null };

/** Everything at a made-up place, as a finished layout would be. */
function fakeLayout(ids: string[], boxes: string[]): Layout {
  const l: Layout = { pos: {}, size: {} };
  ids.forEach((id, i) => (l.pos[id] = { x: i * 10, y: i * 5 }));
  for (const b of boxes) l.size[b] = { w: 400, h: 300 };
  return l;
}

function flowOf(t = figure1(), v = view) {
  const s = buildStructure(t, v);
  const ids = s.namespaces.flatMap((n) => [n.id, ...n.children.map((c) => c.id)]);
  return {
    s,
    flow: toFlow(
      t,
      s,
      fakeLayout(
        ids,
        s.namespaces.map((n) => n.id),
      ),
      noMarks,
    ),
  };
}

describe('buildStructure', () => {
  it('hides loopback unless asked, and orients veths container -> host', () => {
    const s = buildStructure(figure1(), view);
    expect(s.namespaces.find((n) => n.id === 'ns-1')?.children.map((c) => c.id)).not.toContain('if-1-1');
    expect(buildStructure(figure1(), { ...view, showLoopback: true }).key).toContain('if-1-1');
    const veth = s.edges.find((e) => e.id === 'veth:if-1-14:if-2-13');
    expect(veth).toMatchObject({ kind: 'veth', source: 'if-2-13', target: 'if-1-14' });
    expect(s.edges.filter((e) => e.kind === 'port').map((e) => e.id)).toEqual([
      portEdgeId('if-1-14', 'if-1-3'),
      portEdgeId('if-1-16', 'if-1-3'),
    ]);
  });
  it('keeps its key when only a state or a route changes', () => {
    const t = figure1();
    const down = applyDelta(t, [
      { op: 'put', entity: 'interface', value: { ...t.interfaces[1]!, state: 'DOWN' } },
    ]);
    expect(buildStructure(down, view).key).toBe(buildStructure(t, view).key);
  });
  it('drops a hidden kind with its interfaces and edges', () => {
    const s = buildStructure(figure1(), { ...view, hiddenKinds: new Set(['container']) });
    expect(s.namespaces.map((n) => n.id)).toEqual(['ns-1']);
    expect(s.edges.every((e) => e.kind === 'port')).toBe(true);
  });
});

describe('toFlow', () => {
  it('emits boxes before their interfaces, with model ids and parentId', () => {
    const { flow } = flowOf();
    const ids = flow.nodes.map((n) => n.id);
    expect(ids.slice(0, 3)).toEqual(['ns-1', 'ns-2', 'ns-3']);
    const eth0 = flow.nodes.find((n) => n.id === 'if-2-13');
    expect(eth0).toMatchObject({ type: 'iface', parentId: 'ns-2', extent: 'parent' });
    expect(flow.nodes.find((n) => n.id === 'if-1-3')?.type).toBe('bridge');
    expect(flow.edges.map((e) => e.id)).toContain('veth:if-1-16:if-3-15');
  });
  it('leaves out what the layout has not placed yet', () => {
    const t = figure1();
    const s = buildStructure(t, view);
    const flow = toFlow(t, s, { pos: { 'ns-1': { x: 0, y: 0 } }, size: { 'ns-1': { w: 1, h: 1 } } }, noMarks);
    expect(flow.nodes.map((n) => n.id)).toEqual(['ns-1']);
    expect(flow.edges).toEqual([]);
  });
});

describe('merge', () => {
  it('keeps unchanged node objects and React Flow state across a delta', () => {
    const { flow } = flowOf();
    const measured = flow.nodes.map((n) =>
      n.id === 'if-2-13' ? { ...n, measured: { width: 1, height: 2 }, selected: true } : n,
    );
    const t2 = applyDelta(figure1(), [
      { op: 'put', entity: 'interface', value: iface(3, 15, 'eth0', { peer: 'if-1-16', state: 'UP' }) },
    ]);
    const next = flowOf(t2).flow;
    const merged = mergeNodes(measured, next.nodes);
    const same = merged.filter((n, i) => n === measured[i]).map((n) => n.id);
    expect(same).toContain('if-2-13');
    expect(same).toContain('ns-1');
    expect(same).not.toContain('if-3-15');
    expect(merged.find((n) => n.id === 'if-2-13')?.selected).toBe(true);
    expect(mergeNodes(merged, next.nodes)).toBe(merged);
    expect(mergeEdges(flowOf().flow.edges, next.edges)).toHaveLength(next.edges.length);
  });
});
