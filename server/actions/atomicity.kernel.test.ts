/**
 * Veth and bridge creation are all-or-nothing: a failure injected after every step leaves the
 * kernel exactly as before; two concurrent identical requests give one 201 and one 409; --read-only spawns nothing.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real kernel work on a shared, busy machine: generous per-test time (correctness, not speed).
vi.setConfig({ testTimeout: 300_000 });
import { cleanupPrefix, sh, uniquePrefix } from '../../test/kernel.js';
import { nsId } from '../../common/ids.js';
import { onSpawn } from '../exec/run.js';
import { ActionContext } from './context.js';
import { createBridge } from './iface.js';
import type { Kit } from './testing/kit.js';
import { kernelState, startKit } from './testing/kit.js';
import { vethRequest } from '../../common/api.js';
import { createVeth } from './veth.js';

const P = uniquePrefix('at');
const NA = `${P}a`;
const NB = `${P}b`;
let kit: Kit;
let idA: string;
let idB: string;
let hostId: string;

beforeAll(async () => {
  await sh(`ip netns add ${NA}; ip netns add ${NB}`);
  idA = nsId(statSync(`/run/netns/${NA}`).ino);
  idB = nsId(statSync(`/run/netns/${NB}`).ino);
  kit = await startKit();
  hostId = kit.topology().namespaces.find((n) => n.kind === 'host')!.id;
});

afterAll(async () => {
  await kit?.close();
  await cleanupPrefix(P);
});

describe('veth rollback', () => {
  const cases = () => [
    {
      label: 'ns to ns',
      body: {
        a: { namespace: idA, name: `${P}x`, address: '10.90.0.1/24' },
        b: { namespace: idB, name: `${P}y`, address: 'fd00:90::2/64' },
        up: true,
      },
    },
    {
      label: 'host to ns',
      body: {
        a: { namespace: hostId, name: `${P}h`, address: '10.91.0.1/30' },
        b: { namespace: idB, name: `${P}k`, address: '10.91.0.2/30' },
        up: true,
      },
    },
    {
      label: 'same ns',
      body: {
        a: { namespace: idA, name: `${P}s1`, address: '10.92.0.1/24' },
        b: { namespace: idA, name: `${P}s2`, address: '10.92.0.2/24' },
        up: true,
      },
    },
  ];
  const STEPS = 7; // add, tag a, tag b, addr a, addr b, up a, up b

  for (let step = 1; step <= STEPS; step++) {
    it(`leaves the kernel exactly as before when step ${step} is followed by a failure`, async () => {
      for (const c of cases()) {
        await kit.refresh();
        const ctx = new ActionContext(kit.deps);
        const before = await kernelState([NA, NB], P);
        const spawned: string[][] = [];
        const off = onSpawn((argv) => void spawned.push([...argv]));
        const r = await createVeth(ctx, c.body, { failAfterStep: step }).finally(off);
        expect(r.status, c.label).toBeGreaterThanOrEqual(400);
        expect(r.body.rolledBack, `${c.label}: ${JSON.stringify(r.body)}`).toBe(true);
        expect(r.body.residue).toEqual([]);
        // Exactly one create, and it is the atomic create+move.
        const creates = spawned.filter((a) => a.includes('add') && a.includes('veth'));
        expect(creates).toHaveLength(1);
        expect(creates[0]).toContain('peer');
        expect(await kernelState([NA, NB], P), c.label).toBe(before);
      }
    });
  }

  it('succeeds without injection and the step count matches the plan', async () => {
    const ctx = new ActionContext(kit.deps);
    const r = await createVeth(ctx, cases()[0]!.body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const ok = await createVeth(ctx, cases()[0]!.body, { failAfterStep: STEPS + 1 });
    expect(ok.status).toBe(409); // already exists now: pre-check in the kernel, nothing deleted
    expect(await sh(`ip -n ${NA} -br link show dev ${P}x`)).toContain(`${P}x`);
    await sh(`ip -n ${NA} link del dev ${P}x`);
    expect(vethRequest.parse(cases()[0]!.body).up).toBe(true);
  });
});

describe('bridge rollback', () => {
  for (let step = 1; step <= 3; step++) {
    it(`leaves the kernel exactly as before when bridge step ${step} is followed by a failure`, async () => {
      await kit.refresh();
      const before = await kernelState([NA, NB], P);
      const body = { namespace: idA, name: `${P}br`, up: true }; // add, tag, up
      const r = await createBridge(new ActionContext(kit.deps), body, { failAfterStep: step });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.body.rolledBack, JSON.stringify(r.body)).toBe(true);
      expect(r.body.residue).toEqual([]);
      expect(await kernelState([NA, NB], P)).toBe(before);
    });
  }
});

describe('conflicts', () => {
  it('two concurrent identical creates: one 201, one 409, no residue after delete', async () => {
    const body = { a: { namespace: idA, name: `${P}c1` }, b: { namespace: idB, name: `${P}c2` } };
    const rs = await Promise.all([kit.call('POST', '/veth', body), kit.call('POST', '/veth', body)]);
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = rs.find((r) => r.status === 409)!;
    expect((loser.body.error as { field?: string }).field).toMatch(/^[ab]\.name$/);
    expect(await sh(`ip -n ${NA} -br link show dev ${P}c1`)).toContain(`${P}c1`);
    await sh(`ip -n ${NA} link del dev ${P}c1`);
    expect(await sh(`ip -n ${NB} -br link`)).not.toContain(`${P}c2`);
  });

  it('a create racing with a different name in the same namespace both succeed (the lock serialises)', async () => {
    const rs = await Promise.all([
      kit.call('POST', '/veth', {
        a: { namespace: idA, name: `${P}d1` },
        b: { namespace: idB, name: `${P}d2` },
      }),
      kit.call('POST', '/veth', {
        a: { namespace: idA, name: `${P}e1` },
        b: { namespace: idB, name: `${P}e2` },
      }),
    ]);
    expect(rs.map((r) => r.status)).toEqual([201, 201]);
    await sh(`ip -n ${NA} link del dev ${P}d1; ip -n ${NA} link del dev ${P}e1`);
  });
});

describe('read-only', () => {
  it('refuses every mutating route with 403 and spawns nothing', async () => {
    const ro = await startKit({ readOnly: true });
    const anyIf = ro.topology().interfaces.find((i) => i.namespace === hostId)!.id;
    const spawned: string[][] = [];
    const off = onSpawn((argv) => void spawned.push([...argv]));
    try {
      const calls: Array<[string, string, unknown]> = [
        ['POST', '/veth', { a: { namespace: idA, name: `${P}r1` }, b: { namespace: idB, name: `${P}r2` } }],
        ['DELETE', `/interfaces/${anyIf}`, {}],
        ['POST', `/interfaces/${anyIf}/state`, { up: true }],
        ['POST', `/interfaces/${anyIf}/addresses`, { cidr: '10.93.0.1/24' }],
        ['DELETE', `/interfaces/${anyIf}/addresses`, { cidr: '10.93.0.1/24' }],
        ['DELETE', `/interfaces/${anyIf}/addresses/10.93.0.1%2F24`, {}],
        ['POST', `/interfaces/${anyIf}/master`, { bridge: null }],
        ['POST', '/bridges', { namespace: idA, name: `${P}rb` }],
        ['POST', '/routes', { namespace: idA, dst: '8.8.8.8', dev: 'lo' }],
        ['DELETE', '/routes', { namespace: idA, dst: '8.8.8.8', dev: 'lo' }],
        ['POST', '/namespaces', { name: `${P}rn` }],
        ['DELETE', `/namespaces/${idA}`, {}],
        ['POST', '/veth', '{broken json'],
      ];
      for (const [m, p, b] of calls) {
        const r = await ro.call(m, p, b);
        expect(r.status, `${m} ${p}`).toBe(403);
        expect((r.body.error as { code: string }).code).toBe('read_only');
      }
    } finally {
      off();
      await ro.close();
    }
    expect(spawned).toEqual([]);
  });
});
