import { describe, expect, it } from 'vitest';
import { vethLinkId } from '../../../common/ids.js';
import { emptyTopology, normalizeTopology } from '../../../common/model.js';
import type { Topology } from '../../../common/model.js';
import { iface, ns, route } from '../../../common/testing/builders.js';
import { countMarks, diffView } from './diffView.js';

function model(parts: Partial<Topology>): Topology {
  return normalizeTopology({ ...emptyTopology(), ...parts });
}

describe('diffView', () => {
  it('marks added, removed (kept as a ghost) and changed things', () => {
    const A = ns(1, 'named', 'a');
    const B = ns(2, 'named', 'b');
    const v1 = iface(1, 3, 'v1');
    const v2 = iface(2, 4, 'v2');
    const old = iface(1, 9, 'old');
    const link = { id: vethLinkId(v1.id, v2.id), kind: 'veth' as const, a: v1.id, b: v2.id };
    const before = model({ namespaces: [A, B], interfaces: [v1, old] });
    const after = model({
      namespaces: [A, B],
      interfaces: [{ ...v1, state: 'DOWN' }, v2],
      links: [link],
      routes: [route(2, { dst: '10.0.0.0/8' })],
    });
    const d = diffView(before, after);
    expect(Object.fromEntries(d.marks)).toEqual({
      [v1.id]: 'changed',
      [v2.id]: 'added',
      [old.id]: 'removed',
      [link.id]: 'added',
      [B.id]: 'changed',
    });
    expect(d.topology.interfaces.map((i) => i.name)).toEqual(['v1', 'old', 'v2']);
    expect(d.topology.interfaces[0]!.state).toBe('DOWN');
    expect(countMarks(d.marks)).toEqual({ added: 2, removed: 1, changed: 2 });
  });

  it('marks nothing between equal models', () => {
    const t = model({ namespaces: [ns(1, 'host', 'host')] });
    expect(diffView(t, t).marks.size).toBe(0);
  });
});
