import { describe, expect, it } from 'vitest';
import { addressing, kindOf } from './fixture.js';
import { opNamespace } from './latency.js';
import { parseOptions } from './options.js';

describe('bench fixture plan', () => {
  it('mixes the three kinds of namespace', () => {
    const kinds = Array.from({ length: 10 }, (_, i) => kindOf(i));
    expect(kinds.filter((k) => k === 'named')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'process')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'bind')).toHaveLength(2);
  });
  it('gives 2000 namespaces distinct, valid addresses', () => {
    const fx = { octets: [244, 245] as [number, number] };
    const cidrs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const a = addressing(fx, i);
      for (const ip of [a.cidr, a.gateway, a.host].filter((x): x is string => x !== null)) {
        const octets = ip.split('/')[0]!.split('.').map(Number);
        expect(octets.every((o) => o >= 0 && o <= 255)).toBe(true);
      }
      expect(cidrs.has(a.cidr)).toBe(false);
      cidrs.add(a.cidr);
    }
  });
});

describe('opNamespace', () => {
  it('finds the namespace of every kind of operation', () => {
    expect(opNamespace({ op: 'remove', entity: 'namespace', id: 'ns-12' })).toBe('ns-12');
    expect(opNamespace({ op: 'remove', entity: 'interface', id: 'if-12-3' })).toBe('ns-12');
    expect(
      opNamespace({ op: 'remove', entity: 'route', id: 'rt-12:inet:main:unicast:10.0.0.0/24:eth0::' }),
    ).toBe('ns-12');
    expect(opNamespace({ op: 'remove', entity: 'link', id: 'veth:if-12-3:if-13-2' })).toBe('ns-12');
  });
});

describe('parseOptions', () => {
  it('parses sizes, repeat and parts, and rejects unknown ones', () => {
    const o = parseOptions(['--sizes', '300,10', '--repeat=3', '--only', 'snapshot,idle']);
    expect(o.sizes).toEqual([10, 300]);
    expect(o.repeat).toBe(3);
    expect([...o.only]).toEqual(['snapshot', 'idle']);
    expect(() => parseOptions(['--only', 'nope'])).toThrow(/unknown part/);
    expect(() => parseOptions(['--sizes', '0'])).toThrow();
    expect(() => parseOptions(['--bogus'])).toThrow(/unknown option/);
  });
});
