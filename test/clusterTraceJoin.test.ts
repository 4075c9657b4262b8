/**
 * Joining traces across nodes over the recorded-style three-node scene (test/clusterScene.ts):
 * where a path that leaves its node goes on, how the legs join, the joined verdict.
 */
import { describe, expect, it } from 'vitest';
import { qualifyTopology, unionTopologies } from '../common/cluster.js';
import { nodeRoutes } from '../common/clusterLinks.js';
import { ifId, qualifiedId } from '../common/ids.js';
import type { TraceHop } from '../common/trace.js';
import { joinedVerdict, joinLeg, nextNode } from '../server/cluster/traceJoin.js';
import { HOST_NS, HOSTS, nodeTopology } from './clusterScene.js';

const merged = unionTopologies(HOSTS.map((h, n) => qualifyTopology(h, nodeTopology(n))));
const links = nodeRoutes(merged);
const q = (host: string, id: string) => qualifiedId(host, id);
const eth0 = ifId(4026531840, 2);

function hop(over: Partial<TraceHop> & { namespace: string }): TraceHop {
  return { in: null, out: null, action: 'route', detail: '', command: '', ok: true, reason: null, ...over };
}

/** node-a's answer for a packet to node-b's pod: out by the underlay eth0, then undecided. */
const leavesA: TraceHop[] = [
  hop({
    namespace: q('node-a', HOST_NS),
    out: q('node-a', eth0),
    detail: '10.244.1.2 via 10.77.0.2 dev eth0',
  }),
  hop({
    namespace: q('node-a', HOST_NS),
    in: q('node-a', eth0),
    action: 'drop',
    ok: false,
    unknown: true,
    reason: 'the veth peer of eth0 is not known',
  }),
];

describe('trace across nodes (pure)', () => {
  it('a path leaving by a node-to-node route goes on where the gateway is', () => {
    expect(nextNode(leavesA, '10.244.1.2', merged, links)).toEqual({
      host: 'node-b',
      enter: q('node-b', eth0),
      namespace: q('node-b', HOST_NS),
      via: 'route 10.244.1.0/24 from node-a',
    });
    // another node's own underlay address: no route names it, the address does
    expect(nextNode(leavesA, '10.77.0.3', merged, links)?.host).toBe('node-c');
    // nobody's address: the path stays as the agent said
    expect(nextNode(leavesA, '10.99.0.1', merged, links)).toBeNull();
    // a refused or delivered path is not continued
    expect(
      nextNode([leavesA[0]!, { ...leavesA[1]!, unknown: false }], '10.244.1.2', merged, links),
    ).toBeNull();
  });

  it('joins the legs: the undecided hop goes, the next leg enters by the gateway interface', () => {
    const c = nextNode(leavesA, '10.244.1.2', merged, links)!;
    const onB = [
      hop({ namespace: q('node-b', HOST_NS), out: q('node-b', ifId(4026531840, 4)), detail: 'dev pod0h' }),
      hop({
        namespace: q('node-b', 'ns-4026532000'),
        in: q('node-b', ifId(4026532000, 2)),
        action: 'deliver',
      }),
    ];
    const joined = joinLeg(leavesA, onB, c);
    expect(joined.map((h) => [h.namespace, h.in, h.action])).toEqual([
      [q('node-a', HOST_NS), null, 'route'],
      [q('node-b', HOST_NS), q('node-b', eth0), 'route'],
      [q('node-b', 'ns-4026532000'), q('node-b', ifId(4026532000, 2)), 'deliver'],
    ]);
    expect(joined[1]!.detail).toBe('arrives over route 10.244.1.0/24 from node-a; dev pod0h');
    expect(joinedVerdict(joined, joined)).toBe('reachable');
    expect(joinedVerdict(joined, null)).toBe('unknown');
    expect(joinedVerdict(leavesA, null)).toBe('unknown');
    const refused = [...joined.slice(0, 2), { ...joined[2]!, ok: false, action: 'drop' as const }];
    expect(joinedVerdict(refused, null)).toBe('unreachable');
  });
});
