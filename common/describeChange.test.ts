import { describe, expect, it } from 'vitest';
import { diffTopology } from './delta.js';
import { describeOps, lookupOf, summarize } from './describeChange.js';
import { vethLinkId } from './ids.js';
import { emptyTopology, normalizeTopology } from './model.js';
import type { Topology } from './model.js';
import { iface, ns, route } from './testing/builders.js';

function model(parts: Partial<Topology>): Topology {
  return normalizeTopology({ ...emptyTopology(), ...parts });
}

function lines(before: Topology, after: Topology): string[] {
  return describeOps(diffTopology(before, after) ?? [], lookupOf(before));
}

const A = ns(11, 'named', 'netshoot-a');
const B = ns(12, 'named', 'netshoot-b');
const veth1 = iface(11, 5, 'veth1');

describe('describeOps', () => {
  it('says an interface went down or up', () => {
    const up = model({ namespaces: [A], interfaces: [veth1] });
    const down = model({ namespaces: [A], interfaces: [{ ...veth1, state: 'DOWN' }] });
    expect(lines(up, down)).toEqual(['veth1 in netshoot-a went down']);
    expect(lines(down, up)).toEqual(['veth1 in netshoot-a went up']);
  });

  it('names added and removed routes with their namespace', () => {
    const before = model({ namespaces: [A] });
    const after = model({ namespaces: [A], routes: [route(11, { dst: '8.8.8.8' })] });
    expect(lines(before, after)).toEqual(['route 8.8.8.8 added in netshoot-a']);
    expect(lines(after, before)).toEqual(['route 8.8.8.8 removed from netshoot-a']);
    const local = model({ namespaces: [A], routes: [route(11, { dst: '10.0.0.1', table: 'local' })] });
    expect(lines(before, local)).toEqual(['route 10.0.0.1 (table local) added in netshoot-a']);
  });

  it('describes addresses, mtu and bridge membership', () => {
    const br = iface(11, 2, 'br0', { kind: 'bridge' });
    const before = model({ namespaces: [A], interfaces: [br, veth1] });
    const after = model({
      namespaces: [A],
      interfaces: [
        br,
        {
          ...veth1,
          mtu: 9000,
          master: br.id,
          addresses: [{ family: 'inet', cidr: '10.1.0.1/24', scope: 'global', broadcast: null }],
        },
      ],
    });
    expect(lines(before, after)).toEqual([
      'address 10.1.0.1/24 added to veth1 in netshoot-a',
      'veth1 in netshoot-a: mtu 1500 -> 9000',
      'veth1 in netshoot-a joined br0 in netshoot-a',
    ]);
  });

  it('names both ends of a veth pair and what a removed namespace was called', () => {
    const peer = iface(12, 6, 'veth2');
    const link = { id: vethLinkId(veth1.id, peer.id), kind: 'veth' as const, a: veth1.id, b: peer.id };
    const before = model({ namespaces: [A, B] });
    const after = model({ namespaces: [A, B], interfaces: [veth1, peer], links: [link] });
    expect(lines(before, after)).toEqual([
      'veth veth1 in netshoot-a added',
      'veth veth2 in netshoot-b added',
      'veth pair veth1 in netshoot-a / veth2 in netshoot-b added',
    ]);
    expect(lines(after, before)).toEqual([
      'veth pair veth1 in netshoot-a / veth2 in netshoot-b removed',
      'veth veth2 removed from netshoot-b',
      'veth veth1 removed from netshoot-a',
    ]);
    expect(lines(model({ namespaces: [A] }), model({}))).toEqual(['namespace netshoot-a removed']);
    expect(lines(model({}), model({ namespaces: [A] }))).toEqual(['namespace netshoot-a added']);
  });

  it('puts namespaces and interfaces before the routes that follow them', () => {
    const before = model({ namespaces: [A] });
    const after = model({
      namespaces: [A],
      interfaces: [veth1],
      routes: [route(11, { dst: '10.2.0.0/24', dev: 'veth1' })],
    });
    const d = diffTopology(before, after)!;
    expect(describeOps([...d].reverse(), lookupOf(before))).toEqual([
      'veth veth1 in netshoot-a added',
      'route 10.2.0.0/24 added in netshoot-a',
    ]);
  });
});

describe('summarize', () => {
  it('keeps two things and counts the rest', () => {
    expect(summarize([])).toBe('no visible change');
    expect(summarize(['a', 'b'])).toBe('a; b');
    expect(summarize(['a', 'b', 'c', 'd'])).toBe('a; b; and 2 more');
  });
});
