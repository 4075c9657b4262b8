/** What a drop of the trace handle on the picture puts in the destination box (pure). */
import { describe, expect, it } from 'vitest';
import type { Address, Topology } from '../../../common/model.js';
import { iface, namedNs } from '../../../common/testing/builders.js';
import { destinationFor } from './dropTarget.js';

const addr = (cidr: string, scope = 'global'): Address => ({
  family: cidr.includes(':') ? 'inet6' : 'inet',
  cidr,
  scope,
  broadcast: null,
});

const t: Topology = {
  version: 1,
  namespaces: [namedNs(1, 'web'), namedNs(2, 'empty')],
  interfaces: [
    iface(1, 1, 'lo', { kind: 'loopback', addresses: [addr('127.0.0.1/8', 'host')] }),
    iface(1, 2, 'eth0', { addresses: [addr('fe80::1/64', 'link'), addr('10.9.0.2/24'), addr('fd00::2/64')] }),
    iface(1, 3, 'eth1', { addresses: [addr('10.9.1.2/24')] }),
    iface(2, 2, 'e0', { addresses: [addr('fe80::2/64', 'link')] }),
  ],
  routes: [],
  links: [],
};

describe('drop the trace handle on the picture', () => {
  it('an interface gives its global address; several: the first, said so', () => {
    expect(destinationFor(t, 'if-1-3')).toEqual({
      addr: '10.9.1.2',
      note: 'destination: 10.9.1.2 (eth1 in web)',
    });
    expect(destinationFor(t, 'if-1-2')).toEqual({
      addr: '10.9.0.2',
      note: 'eth0 in web has 2 global addresses; took the first, 10.9.0.2 (eth0)',
    });
  });
  it('a namespace gives the first global address of its interfaces (never lo or link-local)', () => {
    expect(destinationFor(t, 'ns-1')).toEqual({
      addr: '10.9.0.2',
      note: 'web has 3 global addresses; took the first, 10.9.0.2 (eth0)',
    });
    expect(destinationFor(t, 'ns-2')).toEqual({
      addr: null,
      note: 'empty has no global address to trace to',
    });
    expect(destinationFor(t, 'if-2-2')?.addr).toBeNull();
  });
  it('anything else is not a destination', () => {
    expect(destinationFor(t, 'agg:whatever')).toBeNull();
  });
});
