/**
 * 1,000 generated malformed or hostile requests: each gets a 4xx with a message naming the
 * problem, none a 5xx, no mutating `ip` is spawned and the kernel is unchanged.
 */
import { statSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real kernel work on a shared, busy machine: generous per-test time (correctness, not speed).
vi.setConfig({ testTimeout: 300_000 });
import { cleanupPrefix, sh, uniquePrefix } from '../../test/kernel.js';
import { nsId } from '../../common/ids.js';
import { onSpawn } from '../exec/run.js';
import type { Kit } from './testing/kit.js';
import { kernelState, startKit } from './testing/kit.js';
import { isIfName, NETNS_NAME_RE } from '../../common/api.js';
import { HOSTILE_STRINGS } from '../fuzz/hostileStrings.js';
import { canonicalCidr, canonicalNetwork, parseAddr } from './validate.js';

const P = uniquePrefix('hf');
const NA = `${P}a`;
const NB = `${P}b`;
let kit: Kit;
let idA: string;
let idB: string;
let vA: string;

beforeAll(async () => {
  await sh(
    `ip netns add ${NA}; ip netns add ${NB}; ip -n ${NA} link add name ${P}v type veth peer name ${P}w; ip -n ${NA} addr add 10.95.0.1/24 dev ${P}v`,
  );
  idA = nsId(statSync(`/run/netns/${NA}`).ino);
  idB = nsId(statSync(`/run/netns/${NB}`).ino);
  kit = await startKit();
  vA = kit.topology().interfaces.find((i) => i.namespace === idA && i.name === `${P}v`)!.id;
});

afterAll(async () => {
  await kit?.close();
  await cleanupPrefix(P);
});

/** The shared hostile strings, and ids, address notations and argv-like strings the actions parse. */
const HOSTILE = [
  ...HOSTILE_STRINGS,
  'x'.repeat(20000),
  'ns-1',
  'if-1-1',
  'ns-abc',
  '1.2.3.4/08',
  '0x0b.1.1.1/32',
  'netns exec x sh',
];
const WRONG_TYPES: unknown[] = [1.5, -1, true, [], {}, [1, 2], { $gt: '' }, 2 ** 53];
const anyBad = fc.constantFrom<unknown>(...HOSTILE, ...WRONG_TYPES);
/** Hostile values that are certainly invalid for a field (some hostile strings are valid names). */
const invalid = (ok: (s: string) => boolean) => anyBad.filter((v) => typeof v !== 'string' || !ok(v));
const passes = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};
const badIfName = invalid(isIfName);
const badNetns = invalid((s) => NETNS_NAME_RE.test(s));
const badCidr = invalid((s) => passes(() => canonicalCidr(s, 'x')));
const badDst = invalid((s) => s === 'default' || passes(() => canonicalNetwork(s, 'x')));
const badGw = invalid((s) => passes(() => parseAddr(s, 'x')));
// (Not -0: JSON sends it as 0, a valid metric.)
const badNumber = fc.constantFrom<unknown>(-1, 1.5, 2 ** 32, 'x', '100', true, [], {}, 0.0001);
const badTable = fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 32, 'local', 'all', '100', true, [], {});
const badBool = fc.constantFrom<unknown>('true', 1, 0, null, [], {}, 'yes');
const badId = fc.constantFrom(
  '-x',
  '..',
  'if-1-1',
  'if-0',
  'ns-1',
  'a b',
  'if-1-1;ls',
  '%2e%2e',
  'if-999999-999999',
);
const badBody = fc.constantFrom(
  '[]',
  'null',
  '"str"',
  '123',
  '{not json',
  `{"a":"${'x'.repeat(20000)}"}`,
  '{"__proto__":{"x":1}}',
);

type Req = { method: string; path: string; body: unknown };

/** A valid request with exactly one part replaced by something hostile. */
function template(): fc.Arbitrary<Req> {
  const set = (obj: Record<string, unknown>, path: string, v: unknown) => {
    const copy = structuredClone(obj);
    const keys = path.split('.');
    let o: Record<string, unknown> = copy;
    for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[keys.at(-1)!] = v;
    return copy;
  };
  const body = (
    method: string,
    path: string,
    good: Record<string, unknown>,
    fields: Record<string, fc.Arbitrary<unknown>>,
  ) =>
    fc.oneof(
      fc.oneof(
        ...Object.entries(fields).map(([f, arb]) =>
          arb.map((v) => ({ method, path, body: set(good, f, v) })),
        ),
      ),
      fc.constant({ method, path, body: { ...good, extra: 'x' } }),
      badBody.map((b) => ({ method, path, body: b })),
    );
  const veth = () => ({
    a: { namespace: idA, name: `${P}f1`, address: '10.96.0.1/24' },
    b: { namespace: idB, name: `${P}f2` },
    up: true,
  });
  const route = () => ({ namespace: idA, dst: '10.97.0.0/24', dev: `${P}v`, table: 100, metric: 5 });
  const withId = (
    method: string,
    suffix: string,
    good: Record<string, unknown>,
    fields: Record<string, fc.Arbitrary<unknown>>,
  ) =>
    fc.oneof(
      badId.map((id) => ({ method, path: `/interfaces/${encodeURIComponent(id)}${suffix}`, body: good })),
      body(method, `/interfaces/${vA}${suffix}`, good, fields),
    );
  return fc.oneof(
    body('POST', '/veth', veth(), {
      'a.namespace': anyBad,
      'a.name': badIfName,
      'a.address': badCidr,
      'b.namespace': anyBad,
      'b.name': badIfName,
      'b.address': badCidr,
      up: badBool,
      a: anyBad,
    }),
    withId('POST', '/state', { up: true }, { up: badBool }),
    withId('POST', '/addresses', { cidr: '10.98.0.1/24' }, { cidr: badCidr }),
    withId('DELETE', '/addresses', { cidr: '10.95.0.1/24' }, { cidr: badCidr }),
    withId('POST', '/master', { bridge: null }, { bridge: anyBad }),
    badId.map((id) => ({ method: 'DELETE', path: `/interfaces/${encodeURIComponent(id)}`, body: {} })),
    body(
      'POST',
      '/bridges',
      { namespace: idA, name: `${P}fb` },
      { namespace: anyBad, name: badIfName, up: badBool },
    ),
    body('POST', '/routes', route(), {
      namespace: anyBad,
      dst: badDst,
      gateway: badGw,
      dev: badIfName,
      table: badTable,
      metric: badNumber,
    }),
    body('DELETE', '/routes', route(), {
      namespace: anyBad,
      dst: badDst,
      gateway: badGw,
      dev: badIfName,
      table: badTable,
      metric: badNumber,
    }),
    body('POST', '/namespaces', { name: `${P}fn` }, { name: badNetns }),
    badId.map((id) => ({ method: 'DELETE', path: `/namespaces/${encodeURIComponent(id)}`, body: {} })),
  );
}

describe('hostile requests', () => {
  it('1,000 of them: all 4xx with a message, no 5xx, nothing spawned that mutates, kernel unchanged', async () => {
    const before = await kernelState([NA, NB], P);
    const spawned: string[][] = [];
    const off = onSpawn((argv) => void spawned.push([...argv]));
    const statuses = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(template(), async (req) => {
          const r = await kit.call(req.method, req.path, req.body);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect(
            r.status,
            `${req.method} ${req.path} ${JSON.stringify(req.body).slice(0, 200)} -> ${JSON.stringify(r.body)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(r.status).toBeLessThan(500);
          const err = r.body.error as { message?: string; code?: string } | undefined;
          expect(typeof err?.message).toBe('string');
          expect(err!.message!.length).toBeGreaterThan(5);
        }),
        { numRuns: 1000 },
      );
    } finally {
      off();
    }
    const mutating = spawned.filter((a) =>
      a.some((x) => ['add', 'del', 'delete', 'set', 'replace', 'change', 'flush'].includes(x)),
    );
    expect(mutating).toEqual([]);
    expect(await kernelState([NA, NB], P)).toBe(before);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  });
});
