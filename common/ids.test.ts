import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ifId,
  isIfId,
  isNsId,
  namespaceOfId,
  namespaceOfInterface,
  namespaceOfRoute,
  nsId,
  parseIfId,
  parseNsId,
  parseVethLinkId,
  routeId,
  vethLinkId,
} from './ids.js';
import type { RouteKey } from './ids.js';

const inode = fc.integer({ min: 1, max: 2 ** 32 - 1 });
const ifindex = fc.integer({ min: 1, max: 2 ** 31 - 1 });
// Route fields as ip prints them, IPv6 text (colons) included: the id must stay readable anyway.
const text = fc.stringMatching(/^[0-9a-z.:/]{1,20}$/);
const routeKey: fc.Arbitrary<RouteKey> = fc.record({
  family: fc.constantFrom('inet', 'inet6'),
  table: fc.oneof(fc.constantFrom('main', 'local'), fc.nat().map(String)),
  type: fc.constantFrom('unicast', 'local', 'broadcast', 'blackhole'),
  dst: fc.oneof(fc.constant('default'), text),
  dev: fc.option(fc.stringMatching(/^[a-z0-9@._-]{1,15}$/)),
  gateway: fc.option(text),
  metric: fc.option(fc.nat()),
});

describe('ids', () => {
  it('reads back the inode of every namespace id it builds', () => {
    fc.assert(
      fc.property(inode, (i) => {
        expect(parseNsId(nsId(i))).toBe(i);
        expect(isNsId(nsId(i))).toBe(true);
        expect(namespaceOfId(nsId(i))).toBe(nsId(i));
      }),
    );
  });

  it('reads back the namespace and ifindex of every interface id it builds', () => {
    fc.assert(
      fc.property(inode, ifindex, (i, x) => {
        expect(parseIfId(ifId(i, x))).toEqual({ nsInode: i, ifindex: x });
        expect(isIfId(ifId(i, x))).toBe(true);
        expect(namespaceOfInterface(ifId(i, x))).toBe(nsId(i));
        expect(parseNsId(ifId(i, x))).toBeNull();
      }),
    );
  });

  it('builds one veth link id per pair, whichever end comes first, and reads both ends back', () => {
    fc.assert(
      fc.property(inode, ifindex, inode, ifindex, (i, x, j, y) => {
        const a = ifId(i, x);
        const b = ifId(j, y);
        const id = vethLinkId(a, b);
        expect(vethLinkId(b, a)).toBe(id);
        expect(parseVethLinkId(id)).toEqual(a < b ? { a, b } : { a: b, b: a });
        expect(namespaceOfId(id)).toBe(nsId(a < b ? i : j));
      }),
    );
  });

  it('reads back the namespace of every route id, IPv6 colons and ordinals included', () => {
    fc.assert(
      fc.property(inode, routeKey, fc.integer({ min: 1, max: 5 }), (i, key, n) => {
        const id = routeId(i, key, n);
        expect(namespaceOfRoute(id)).toBe(nsId(i));
        expect(namespaceOfId(id)).toBe(nsId(i));
        expect(id.endsWith(`#${n}`)).toBe(n > 1);
      }),
    );
  });

  it('keeps the route id format the model has always had', () => {
    const key: RouteKey = {
      family: 'inet',
      table: 'main',
      type: 'unicast',
      dst: 'default',
      dev: 'a',
      gateway: '10.0.0.1',
      metric: null,
    };
    expect(routeId(7, key)).toBe('rt-7:inet:main:unicast:default:a:10.0.0.1:');
    expect(routeId(7, key, 2)).toBe('rt-7:inet:main:unicast:default:a:10.0.0.1:#2');
  });

  it('refuses what is not an id of the kind asked', () => {
    for (const bad of ['', 'ns-', 'ns-x', 'ns-1-2', ' ns-1', 'ns-1 ', 'ns-123456789012345678901', 'if-1-2']) {
      expect(parseNsId(bad)).toBeNull();
      expect(isNsId(bad)).toBe(false);
    }
    for (const bad of [
      'if-1',
      'if-1-',
      'if--2',
      'if-1-2-3',
      'ns-1',
      'if-1-12345678901',
      'veth:if-1-2:if-1-3',
    ]) {
      expect(parseIfId(bad)).toBeNull();
      expect(namespaceOfInterface(bad)).toBeNull();
    }
    expect(parseVethLinkId('veth:if-1-2')).toBeNull();
    expect(parseVethLinkId('veth:if-1-2:ns-3')).toBeNull();
    expect(namespaceOfRoute('rt-x:inet')).toBeNull();
    expect(namespaceOfId('pending-veth:ns-1/a:ns-2/b')).toBeNull();
  });
});
