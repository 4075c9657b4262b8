/** Which nsids the native reader asks for: one per candidate pair, from the busier side. */
import { describe, expect, it } from 'vitest';
import { iface } from '../../common/testing/builders.js';
import type { NamespaceRead, ParsedLink } from '../discovery/ipParse.js';
import { resolve } from '../discovery/peers.js';
import { planNsidQueries } from './nsidPlan.js';

function veth(ns: number, ifindex: number, peerIndex: number, nsid: number): ParsedLink {
  return {
    iface: iface(ns, ifindex, `v${ifindex}`),
    pointer: { index: peerIndex, name: null, nsid },
    masterName: null,
  };
}
const read = (links: ParsedLink[], nsids: Map<number, number> | null = new Map()): NamespaceRead => ({
  links,
  routes: [],
  nsids,
});

describe('planNsidQueries', () => {
  it('a hub with one veth per leaf is asked once for every leaf; the leaves are not entered', () => {
    const reads = new Map<number, NamespaceRead>();
    // Hub 100 holds ifindex 10+k, each pointing at ifindex 2 of leaf 1000+k (nsid k in the hub).
    reads.set(100, read(Array.from({ length: 5 }, (_, k) => veth(100, 10 + k, 2, k))));
    for (let k = 0; k < 5; k++) reads.set(1000 + k, read([veth(1000 + k, 2, 10 + k, 0)]));
    const plan = planNsidQueries({ reads, unreadable: new Set(), hostInode: 1 });
    expect([...plan.keys()]).toEqual([100]);
    expect([...plan.get(100)!].sort()).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('colliding ifindexes: every candidate is asked about, and only the kernel answer pairs them', () => {
    // Namespaces 1, 2, 3 each hold a veth ifindex 2 pointing at ifindex 2 elsewhere.
    const reads = new Map<number, NamespaceRead>([
      [1, read([veth(1, 2, 2, 0)])],
      [2, read([veth(2, 2, 2, 0)])],
      [3, read([veth(3, 2, 2, 0)])],
    ]);
    const plan = planNsidQueries({ reads, unreadable: new Set(), hostInode: 1 });
    const asked = [...plan].flatMap(([from, ts]) => [...ts].map((t) => [from, t].sort().join('-')));
    expect(asked.sort()).toEqual(['1-2', '1-3', '2-3']);
    // Without answers nothing is guessed.
    const r = resolve({ reads, unreadable: new Map() });
    expect(r.links).toEqual([]);
    expect(r.interfaces.every((i) => i.peerUnresolved !== null)).toBe(true);
    // The answer "nsid 0 of namespace 1 is namespace 2" pairs 1 and 2 only.
    reads.get(1)!.nsids!.set(0, 2);
    expect(resolve({ reads, unreadable: new Map() }).links.map((l) => l.id)).toEqual(['veth:if-1-2:if-2-2']);
  });

  it('a pair already decided by a known map is not asked again; a pointer with no candidate asks the unreadable', () => {
    const reads = new Map<number, NamespaceRead>([
      [1, read([veth(1, 5, 7, 3), veth(1, 6, 9, 4)], new Map([[3, 2]]))],
      [2, read([veth(2, 7, 5, 0)])],
    ]);
    const plan = planNsidQueries({ reads, unreadable: new Set([42]), hostInode: 1 });
    expect([...plan]).toEqual([[1, new Set([42])]]);
  });
});
