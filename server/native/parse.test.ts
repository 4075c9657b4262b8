/**
 * The native parser over recorded raw dumps (test/recordNativeFixtures.ts): it must build exactly
 * the model `ip -j -d -b -` gave for the same namespace at the same moment.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBatch } from '../discovery/ipParse.js';
import { linkFlags } from './linkParse.js';
import { loadRouteNames, parseNameFile } from './names.js';
import { messages, ntop } from './netlink.js';
import { parseDumps } from './parse.js';
import { routeFlags } from './routeParse.js';

interface Recorded {
  side: string;
  links: string;
  addrs: string;
  routes: string;
  ip: string;
}
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/varied.json', import.meta.url), 'utf8')) as {
  namespaces: Recorded[];
};
const names = loadRouteNames('/nonexistent'); // iproute2's built-in names only

describe('native parser over recorded dumps', () => {
  for (const ns of fixture.namespaces) {
    it(`namespace ${ns.side}: same links, addresses and routes as ip printed`, () => {
      const raw = {
        links: Buffer.from(ns.links, 'base64'),
        addrs: Buffer.from(ns.addrs, 'base64'),
        routes: Buffer.from(ns.routes, 'base64'),
      };
      const native = parseDumps(7, raw, names);
      const ip = parseBatch(7, ns.ip, false);
      expect(ip.error).toBeNull();
      expect(native.links).toEqual(ip.read!.links);
      expect(native.routes).toEqual(ip.read!.routes);
      expect(native.links.length).toBeGreaterThan(1);
    });
  }

  it('the varied scene exercises what the model reads', () => {
    const a = fixture.namespaces.find((n) => n.side === 'a')!;
    const read = parseDumps(
      7,
      {
        links: Buffer.from(a.links, 'base64'),
        addrs: Buffer.from(a.addrs, 'base64'),
        routes: Buffer.from(a.routes, 'base64'),
      },
      names,
    );
    const kinds = new Set(read.links.map((l) => l.iface.kind));
    for (const k of ['loopback', 'veth', 'bridge', 'macvlan', 'vxlan', 'tap', 'tun'])
      expect(kinds).toContain(k);
    const flags = read.links.flatMap((l) => l.iface.flags);
    expect(flags).toContain('NO-CARRIER');
    expect(flags).toContain('M-DOWN');
    expect(read.routes.map((r) => r.table)).toEqual(expect.arrayContaining(['100', '200', 'local', 'main']));
    expect(read.routes.flatMap((r) => r.flags)).toEqual(expect.arrayContaining(['linkdown', 'onlink']));
    expect(read.links.find((l) => l.iface.name === 'v1')?.iface.alias).toBe('netns-explorer: test alias');
  });

  it('stops at a truncated message instead of reading past it', () => {
    const a = Buffer.from(fixture.namespaces[0]!.links, 'base64');
    const whole = messages(a).length;
    expect(messages(a.subarray(0, a.length - 3)).length).toBe(whole - 1);
  });
});

describe('formatting as iproute2 prints', () => {
  it('IPv6 addresses like glibc inet_ntop', () => {
    const v6 = (s: string) => Buffer.from(s.replace(/:/g, ''), 'hex');
    expect(ntop(v6('fe80:0000:0000:0000:0000:0000:0000:0001'))).toBe('fe80::1');
    expect(ntop(v6('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('::1');
    expect(ntop(v6('0000:0000:0000:0000:0000:0000:0000:0000'))).toBe('::');
    expect(ntop(v6('fd00:0000:0001:0000:0000:0001:0000:0000'))).toBe('fd00:0:1::1:0:0');
    expect(ntop(v6('2001:0db8:0000:0001:0001:0001:0001:0001'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(ntop(v6('0000:0000:0000:0000:0000:ffff:0a00:0001'))).toBe('::ffff:10.0.0.1');
    expect(ntop(v6('fd61:0000:0000:0000:0000:0000:0000:0000'))).toBe('fd61::');
    expect(ntop(Buffer.from([10, 0, 0, 255]))).toBe('10.0.0.255');
  });

  it('link and route flags in ip order', () => {
    expect(linkFlags(0x1 | 0x2 | 0x1000, true)).toEqual([
      'NO-CARRIER',
      'BROADCAST',
      'MULTICAST',
      'UP',
      'M-DOWN',
    ]);
    expect(linkFlags(0x1 | 0x8 | 0x40 | 0x10000, false)).toEqual(['LOOPBACK', 'UP', 'LOWER_UP']);
    expect(routeFlags(0x4 | 0x10)).toEqual(['onlink', 'linkdown']);
  });

  it('name files: numbers in decimal or hex, comments ignored', () => {
    expect(parseNameFile('# c\n100\tvrf-red\n0x10 blue # x\nbad line\n')).toEqual([
      [100, 'vrf-red'],
      [16, 'blue'],
    ]);
  });
});
