/**
 * The path guess from the model (plan.ts) and the split of one `ip -force -b -` run into its
 * lines' answers (reader.ts), over a hand-built model and recorded ip output.
 */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { iface, ns, route } from '../../common/testing/builders.js';
import { lookupRoute, planTrace } from './plan.js';
import { splitBatch } from './reader.js';
import { indexTopology } from './segment.js';

const v4 = (cidr: string) => ({ family: 'inet' as const, cidr, scope: 'global', broadcast: null });

/** a (10.97.1.1) - r (forwards) - b (10.97.2.1), joined by veths; a has a default and a host route. */
const topology: Topology = {
  version: 1,
  namespaces: [ns(1, 'named', 'a'), ns(2, 'named', 'r'), ns(3, 'named', 'b')],
  interfaces: [
    iface(1, 2, 'e0', { peer: 'if-2-2', addresses: [v4('10.97.1.1/24')] }),
    iface(2, 2, 'r0', { peer: 'if-1-2', addresses: [v4('10.97.1.254/24')] }),
    iface(2, 3, 'r1', { peer: 'if-3-2', addresses: [v4('10.97.2.254/24')] }),
    iface(3, 2, 'e0', { peer: 'if-2-3', addresses: [v4('10.97.2.1/24')] }),
  ],
  routes: [
    route(1, { dst: 'default', gateway: '10.97.1.254', dev: 'e0' }),
    route(1, { dst: '10.97.1.0/24', dev: 'e0', prefsrc: '10.97.1.1' }),
    route(1, { dst: '10.97.2.0/24', dev: 'e0', gateway: '10.97.1.253', metric: 50 }),
    route(1, { dst: '10.97.2.0/24', dev: 'e0', gateway: '10.97.1.254', metric: 10 }),
    route(2, { dst: '10.97.1.0/24', dev: 'r0', prefsrc: '10.97.1.254' }),
    route(2, { dst: '10.97.2.0/24', dev: 'r1', prefsrc: '10.97.2.254' }),
    route(3, { dst: 'default', gateway: '10.97.2.254', dev: 'e0' }),
    route(3, { dst: '10.97.2.0/24', dev: 'e0', prefsrc: '10.97.2.1' }),
    route(3, { dst: '10.99.0.0/16', dev: 'e0', table: '100' }),
  ],
  links: [],
};

describe('lookupRoute', () => {
  it('takes the longest prefix, then the lowest metric, main table only', () => {
    const a = topology.routes.filter((r) => r.namespace === 'ns-1');
    expect(lookupRoute(a, '10.97.2.1', 4)?.metric).toBe(10);
    expect(lookupRoute(a, '10.97.1.9', 4)?.gateway).toBe(null);
    expect(lookupRoute(a, '192.0.2.1', 4)?.dst).toBe('default');
    expect(lookupRoute(a, '2001:db8::1', 6)).toBe(null);
    const b = topology.routes.filter((r) => r.namespace === 'ns-3');
    expect(lookupRoute(b, '10.99.1.1', 4)?.dst).toBe('default');
  });
});

describe('planTrace', () => {
  it('guesses a, r, b with the questions both walks will ask', () => {
    const plan = planTrace(topology, indexTopology(topology), 'ns-1', '10.97.2.1', 4);
    expect(plan.deliveredTo).toBe('ns-3');
    expect(plan.namespaces).toEqual([
      {
        namespace: 'ns-1',
        queries: [
          { to: '10.97.2.1', from: null, iif: null, mark: null },
          { to: '10.97.1.1', from: '10.97.2.1', iif: 'e0', mark: null },
        ],
      },
      {
        namespace: 'ns-2',
        queries: [
          { to: '10.97.2.1', from: '10.97.1.1', iif: 'r0', mark: null },
          { to: '10.97.1.1', from: '10.97.2.1', iif: 'r1', mark: null },
        ],
      },
      {
        namespace: 'ns-3',
        queries: [
          { to: '10.97.2.1', from: '10.97.1.1', iif: 'e0', mark: null },
          { to: '10.97.1.1', from: '10.97.2.1', iif: null, mark: null },
        ],
      },
    ]);
  });

  it('carries the mark on the way there only, and stops where the model has no route', () => {
    const plan = planTrace(topology, indexTopology(topology), 'ns-2', '192.0.2.7', 4, 7);
    expect(plan.deliveredTo).toBe(null);
    expect(plan.namespaces).toEqual([
      { namespace: 'ns-2', queries: [{ to: '192.0.2.7', from: null, iif: null, mark: 7 }] },
    ]);
  });
});

describe('splitBatch', () => {
  // `ip -j -d -force -b -` with addr show, neigh show, then route gets: the 1st and 3rd fail.
  const stdout = [
    '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"addr_info":[]}]',
    '[]',
    '[{"dst":"10.97.1.1","dev":"e0","prefsrc":"10.97.1.254","flags":[],"uid":0,"cache":[]}]',
    '',
  ].join('\n');
  const stderr = [
    'RTNETLINK answers: Network is unreachable',
    'Command failed -:3',
    'RTNETLINK answers: Invalid argument',
    'Command failed -:5',
    '',
  ].join('\n');

  it('gives each route question its own answer or error, by line number', () => {
    const parts = splitBatch(stdout, stderr, 3);
    expect(parts).not.toBeNull();
    expect(parts!.map((p) => [p.json === undefined ? 'failed' : 'json', p.error])).toEqual([
      ['json', ''],
      ['json', ''],
      ['failed', 'RTNETLINK answers: Network is unreachable'],
      ['json', ''],
      ['failed', 'RTNETLINK answers: Invalid argument'],
    ]);
    expect(parts![3]!.json).toContain('"dst":"10.97.1.1"');
  });

  it('refuses a run whose link or neighbour dump failed', () => {
    expect(splitBatch('[]\n', 'Cannot open netlink socket\nCommand failed -:1\n', 0)).toBeNull();
    expect(splitBatch('', '', 0)).toBeNull();
  });
});
