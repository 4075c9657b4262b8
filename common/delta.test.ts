import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDelta, diffTopology, jsonEqual } from './delta.js';
import { vethLinkId } from './ids.js';
import { emptyTopology, normalizeTopology } from './model.js';
import type { Interface, Namespace, Topology } from './model.js';
import { iface as makeIface, namedNs as ns } from './testing/builders.js';

function iface(inode: number, ifindex: number, name: string, state = 'UP'): Interface {
  return makeIface(inode, ifindex, name, { state, flags: [], mac: null });
}

function topo(nss: Namespace[], ifs: Interface[]): Topology {
  return normalizeTopology({ ...emptyTopology(), namespaces: nss, interfaces: ifs });
}

/** Small random topologies (normalized). */
const arbTopo = fc
  .record({
    nss: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 5 }),
    ifs: fc.uniqueArray(
      fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.boolean()),
      { maxLength: 10, selector: ([n, i]) => `${n}-${i}` },
    ),
  })
  .map(({ nss, ifs }) => {
    const t = topo(
      nss.map((n) => ns(n, `n${n}`)),
      ifs.map(([n, i, up]) => iface(n, i, `e${i}`, up ? 'UP' : 'DOWN')),
    );
    const links = t.interfaces.length >= 2 ? [t.interfaces[0]!.id, t.interfaces[1]!.id] : null;
    return links
      ? normalizeTopology({
          ...t,
          links: [{ id: vethLinkId(links[0]!, links[1]!), kind: 'veth', a: links[0]!, b: links[1]! }],
        })
      : t;
  });

describe('diffTopology', () => {
  it('returns null when nothing changed', () => {
    const t = topo([ns(1, 'a')], [iface(1, 2, 'v0')]);
    expect(diffTopology(t, structuredClone(t))).toBeNull();
  });

  it('emits one put for one changed interface, nothing else', () => {
    const a = topo([ns(1, 'a'), ns(2, 'b')], [iface(1, 2, 'v0'), iface(2, 2, 'v1')]);
    const b = topo([ns(1, 'a'), ns(2, 'b')], [iface(1, 2, 'v0', 'DOWN'), iface(2, 2, 'v1')]);
    expect(diffTopology(a, b)).toEqual([{ op: 'put', entity: 'interface', value: b.interfaces[0] }]);
  });

  it('puts parents before children and removes children before parents', () => {
    const a = topo([ns(1, 'a')], [iface(1, 2, 'v0')]);
    const b = topo([ns(2, 'b')], [iface(2, 2, 'v1')]);
    const ops = diffTopology(a, b) ?? [];
    expect(ops.map((o) => `${o.op}:${o.entity}`)).toEqual([
      'put:namespace',
      'put:interface',
      'remove:interface',
      'remove:namespace',
    ]);
  });

  it('round-trips any pair of topologies (property)', () => {
    fc.assert(
      fc.property(arbTopo, arbTopo, (a, b) => {
        const ops = diffTopology(a, b);
        const applied = ops ? applyDelta(a, ops) : a;
        expect(jsonEqual(applied, b)).toBe(true);
      }),
    );
  });

  it('gives the same operations whether or not the input is sorted (property)', () => {
    const reversed = (t: Topology): Topology => ({
      version: t.version,
      namespaces: [...t.namespaces].reverse(),
      interfaces: [...t.interfaces].reverse(),
      routes: [...t.routes].reverse(),
      links: [...t.links].reverse(),
    });
    const asSet = (ops: ReturnType<typeof diffTopology>) => (ops ?? []).map((o) => JSON.stringify(o)).sort();
    fc.assert(
      fc.property(arbTopo, arbTopo, (a, b) => {
        expect(asSet(diffTopology(reversed(a), reversed(b)))).toEqual(asSet(diffTopology(a, b)));
      }),
    );
  });
});

describe('jsonEqual', () => {
  it('tells arrays from objects and compares nested values', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(false);
  });
});
