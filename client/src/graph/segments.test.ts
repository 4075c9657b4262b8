import { describe, expect, it } from 'vitest';
import { vethLinkId } from '../../../common/ids.js';
import { normalizeTopology } from '../../../common/model.js';
import { figure1, iface, ns } from '../testing/fixture.js';
import { BR0, BR1, HUB_NS, hubTopology } from '../testing/hubFixture.js';
import { foldPorts } from './fold.js';
import { findSegments } from './segments.js';
import { buildStructure } from './structure.js';
import type { ViewOptions } from './types.js';

const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };

describe('findSegments', () => {
  it('groups the members of one bridge around their hub', () => {
    const t = hubTopology(10);
    const g = findSegments(t, buildStructure(t, view));
    expect(g).toEqual([
      {
        hub: HUB_NS,
        bridge: BR0,
        members: t.namespaces.filter((n) => n.name.startsWith('m')).map((n) => n.id),
      },
    ]);
  });
  it('finds docker0 in the small picture', () => {
    const t = figure1();
    expect(findSegments(t, buildStructure(t, view))).toEqual([
      { hub: 'ns-1', bridge: 'if-1-3', members: ['ns-2', 'ns-3'] },
    ]);
  });
  it('keeps a router between two bridges out of both segments', () => {
    const t = hubTopology(5, { second: 4, router: true });
    const g = findSegments(t, buildStructure(t, view));
    expect(g.map((s) => [s.bridge, s.members.length])).toEqual([
      [BR0, 5],
      [BR1, 4],
    ]);
    expect(g.flatMap((s) => s.members)).not.toContain('ns-900');
  });
  it('makes the middle of a chain the hub of its two ends', () => {
    const a = iface(1, 2, 'a', { peer: 'if-2-2' });
    const b1 = iface(2, 2, 'b1', { peer: a.id });
    const b2 = iface(2, 3, 'b2', { peer: 'if-3-2' });
    const c = iface(3, 2, 'c', { peer: b2.id });
    const t = normalizeTopology({
      version: 1,
      namespaces: [ns(1, 'named', 'a'), ns(2, 'named', 'b'), ns(3, 'named', 'c')],
      interfaces: [a, b1, b2, c],
      routes: [],
      links: [
        { id: vethLinkId(a.id, b1.id), kind: 'veth', a: a.id, b: b1.id },
        { id: vethLinkId(b2.id, c.id), kind: 'veth', a: b2.id, b: c.id },
      ],
    });
    expect(findSegments(t, buildStructure(t, view))).toEqual([
      { hub: 'ns-2', bridge: null, members: ['ns-1', 'ns-3'] },
    ]);
  });
});

describe('foldPorts', () => {
  it('leaves a bridge with few ports alone', () => {
    const t = hubTopology(8);
    const s = buildStructure(t, view);
    expect(foldPorts(t, s)).toBe(s);
  });
  it('draws each port of a busy bridge as one edge from the member to the bridge, named after the port', () => {
    const t = hubTopology(20);
    const s = foldPorts(t, buildStructure(t, view));
    expect(s.namespaces.find((n) => n.id === HUB_NS)!.children.map((c) => c.id)).toEqual([BR0, BR1]);
    expect(s.edges.filter((e) => e.kind !== 'fold')).toEqual([]);
    const folds = s.edges.filter((e) => e.kind === 'fold');
    expect(folds).toHaveLength(20);
    for (const e of folds) {
      const link = t.links.find((l) => l.id === e.id)!;
      const port = t.interfaces.find((i) => i.id === link.a || i.id === link.b)!;
      const hubEnd = port.namespace === HUB_NS ? port : t.interfaces.find((i) => i.id === link.b)!;
      expect(e.target).toBe(BR0);
      expect(e.label).toBe(hubEnd.name);
      expect(e.source).not.toBe(hubEnd.id);
    }
    expect(s.key).not.toBe(buildStructure(t, view).key);
  });
});
