/** Validators and argv construction (pure; no kernel). Checklist items 14, 16, 17, 18. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IP, NSENTER } from '../exec/run.js';
import type { NsRef } from './context.js';
import { deviceTag, Op } from './context.js';
import { routeArgs } from './routes.js';
import { isIfName, NETNS_NAME_RE } from '../../common/api.js';
import { canonicalCidr, canonicalNetwork } from './validate.js';
import { vethSteps } from './veth.js';

describe('interface names', () => {
  it('accepts exactly the allowlist', () => {
    for (const ok of ['a', 'eth0', 'veth-a.1', '_x', 'A'.repeat(15), 'up', 'help'])
      expect(isIfName(ok), ok).toBe(true);
    const bad = [
      '',
      '.',
      '..',
      'a'.repeat(16),
      'a/b',
      'a:b',
      'a b',
      'a\tb',
      'x%d',
      'a#b',
      '-x',
      '.x',
      'é',
      'a\0b',
      "a'b",
      'a"b',
      'a\\b',
      'a\nb',
    ];
    for (const b of bad) expect(isIfName(b), JSON.stringify(b)).toBe(false);
  });
  it('agrees with the regex for random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        expect(isIfName(s)).toBe(
          /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(s) && s !== 'all' && s !== 'default',
        );
      }),
    );
  });
  it('netns names reject traversal and options', () => {
    for (const b of ['../../proc/1/ns/net', '.', '..', 'a/b', '-n', ''])
      expect(NETNS_NAME_RE.test(b), b).toBe(false);
  });
});

describe('addresses', () => {
  it('rejects what ip would reinterpret', () => {
    for (const b of [
      '010.1.2.3/8',
      '10.8/16',
      '0x0b.1.1.1/32',
      '1.2.3.4/33',
      '1.2.3.4/08',
      'fe80::1%eth0/64',
      'default',
      ' 1.2.3.4/8',
      '1.2.3.4/8 ',
      '1.2.3.4',
      '::1/129',
      '1.2.3.4/-1',
      '1.2.3.256/8',
    ])
      expect(() => canonicalCidr(b, 'cidr'), b).toThrow();
  });
  it('re-serialises canonically', () => {
    expect(canonicalCidr('10.1.0.1/24', 'c').cidr).toBe('10.1.0.1/24');
    expect(canonicalCidr('FD00:0:0::1/64', 'c').cidr).toBe('fd00::1/64');
    expect(canonicalNetwork('8.8.8.8', 'dst').cidr).toBe('8.8.8.8/32');
    expect(() => canonicalNetwork('10.0.0.1/24', 'dst')).toThrow(/host bits/);
  });
  it('round-trips any IPv4 CIDR', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, p) => {
        expect(canonicalCidr(`${a}/${p}`, 'c').cidr).toBe(`${a}/${p}`);
      }),
    );
  });
});

const nsRef = (id: string, path: string): NsRef => ({ id, inode: 1, kind: 'named', path, netnsNames: [] });
const name = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/);

/** Every occurrence of a user value in argv must directly follow one of its keywords. */
function expectKeyworded(argv: string[], value: string, keywords: string[]) {
  argv.forEach((x, i) => {
    if (x === value && i > 0 && !argv[i - 1]!.startsWith('--net='))
      expect(keywords, `${value} after ${argv[i - 1]}`).toContain(argv[i - 1]);
  });
}

describe('argv', () => {
  it('veth steps: one atomic create, every user value after its keyword, through nsenter + /usr/sbin/ip', () => {
    fc.assert(
      fc.property(name, name, fc.boolean(), fc.boolean(), fc.ipV4(), (na, nb, same, up, addr) => {
        const words = new Set([
          'link',
          'add',
          'name',
          'type',
          'veth',
          'peer',
          'netns',
          'set',
          'dev',
          'alias',
          'address',
          'local',
          'up',
          'abc',
        ]);
        fc.pre(na !== nb && !words.has(na) && !words.has(nb));
        const A = nsRef('ns-1', '/run/netns/x');
        const B = same ? A : nsRef('ns-2', '/proc/42/ns/net');
        const steps = vethSteps(
          {
            key: 'a',
            ns: A,
            name: na,
            cidr: { family: 4, addr, bytes: [], prefix: 24, cidr: `${addr}/24` },
            mac: '02:00:00:00:00:0a',
          },
          { key: 'b', ns: B, name: nb, cidr: null, mac: '02:00:00:00:00:0b' },
          up,
          'abc',
        );
        expect(steps.filter((s) => s.args.includes('veth'))).toHaveLength(1);
        // The MACs are in the create itself (crash recovery before the tag relies on them).
        expect(steps[0]!.args.slice(0, 13)).toEqual([
          'link',
          'add',
          'name',
          na,
          'address',
          '02:00:00:00:00:0a',
          'type',
          'veth',
          'peer',
          'name',
          nb,
          'address',
          '02:00:00:00:00:0b',
        ]);
        if (!same) expect(steps[0]!.args.slice(13)).toEqual(['netns', '/proc/42/ns/net']);
        // The tag is still set on both ends, right after the create.
        expect(steps.slice(1, 3).map((s) => s.args)).toEqual([
          ['link', 'set', 'dev', na, 'alias', deviceTag('abc')],
          ['link', 'set', 'dev', nb, 'alias', deviceTag('abc')],
        ]);
        for (const s of steps) {
          const [file, args] = Op.argv(s.ns, s.args);
          expect(file).toBe(NSENTER);
          expect(args.slice(0, 3)).toEqual([`--net=${s.ns.path}`, '--', IP]);
          expect(args).not.toContain('-batch');
          expect(args.join(' ')).not.toMatch(/netns exec/);
          expectKeyworded(args, na, ['name', 'dev']);
          expectKeyworded(args, nb, ['name', 'dev']);
          expectKeyworded(args, `${addr}/24`, ['local']);
        }
      }),
    );
  });

  it('route selectors: to, via, dev, table, metric each before their value', () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.option(fc.ipV4()),
        fc.option(name),
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        fc.option(fc.nat()),
        (dst, gw, dev, table, metric) => {
          const args = routeArgs({
            ns: nsRef('ns-1', '/x'),
            family: 4,
            dst: `${dst}/32`,
            gateway: gw,
            dev,
            table: String(table),
            metric,
          });
          expect(args[0]).toBe('to');
          expect(args[1]).toBe(`${dst}/32`);
          for (const [k, v] of [
            ['via', gw],
            ['dev', dev],
            ['table', String(table)],
            ['metric', metric === null ? null : String(metric)],
          ] as const) {
            if (v === null) continue;
            const i = args.indexOf(k);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(args[i + 1]).toBe(v);
          }
        },
      ),
    );
  });
});
