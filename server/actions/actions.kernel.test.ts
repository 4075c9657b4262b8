/**
 * Each action through the HTTP API against the real kernel, verified with `ip -j`, then undone.
 */
import { statSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real kernel work on a shared, busy machine: generous per-test time (correctness, not speed).
vi.setConfig({ testTimeout: 300_000 });
import { cleanupPrefix, ipJson, sh, uniquePrefix } from '../../test/kernel.js';
import { ifId, nsId, parseNsId } from '../../common/ids.js';
import { onSpawn } from '../exec/run.js';
import type { Kit } from './testing/kit.js';
import { startKit } from './testing/kit.js';

const P = uniquePrefix('ac');
const NA = `${P}a`;
const NB = `${P}b`;
let kit: Kit;
let idA: string;
let idB: string;
let hostId: string;

interface IpLink {
  ifindex: number;
  ifname: string;
  ifalias?: string;
  address?: string;
  flags: string[];
  master?: string;
  addr_info?: Array<{ local: string; prefixlen: number }>;
}
const links = (ns: string | null) => ipJson<IpLink[]>(['-d', 'addr', 'show'], ns ? { name: ns } : undefined);
const find = async (ns: string | null, name: string) => (await links(ns)).find((l) => l.ifname === name);
const ifIdOf = async (ns: string, name: string) => {
  const t = await kit.refresh();
  const i = t.interfaces.find((x) => x.namespace === ns && x.name === name);
  if (!i) throw new Error(`${name} not in topology`);
  return i.id;
};

beforeAll(async () => {
  await sh(`ip netns add ${NA}; ip netns add ${NB}; ip -n ${NA} link set lo up`);
  idA = nsId(statSync(`/run/netns/${NA}`).ino);
  idB = nsId(statSync(`/run/netns/${NB}`).ino);
  kit = await startKit();
  hostId = kit.topology().namespaces.find((n) => n.kind === 'host')!.id;
});

afterAll(async () => {
  await kit?.close();
  await cleanupPrefix(P);
});

describe('veth', () => {
  it('creates a pair across namespaces with addresses, up, tagged; deleting one end removes both', async () => {
    const r = await kit.call('POST', '/veth', {
      a: { namespace: idA, name: `${P}x`, address: '10.77.0.1/24' },
      b: { namespace: idB, name: `${P}y`, address: '10.77.0.2/24' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.rolledBack).toBe(false);
    const a = await find(NA, `${P}x`);
    const b = await find(NB, `${P}y`);
    expect(a?.ifalias).toMatch(/^netns-explorer:/);
    expect(b?.ifalias).toBe(a?.ifalias);
    expect(a?.flags).toContain('UP');
    expect(a?.addr_info?.some((x) => x.local === '10.77.0.1' && x.prefixlen === 24)).toBe(true);
    expect(b?.addr_info?.some((x) => x.local === '10.77.0.2')).toBe(true);
    const body = r.body as { a: { id: string }; link: string };
    expect(body.a.id).toBe(ifId(parseNsId(idA)!, a!.ifindex));
    expect(kit.changed.at(-1)).toEqual([idA, idB]);

    await kit.refresh();
    const d = await kit.call('DELETE', `/interfaces/${body.a.id}`, {});
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(await find(NA, `${P}x`)).toBeUndefined();
    expect(await find(NB, `${P}y`)).toBeUndefined();
  });

  it('creates a pair inside one namespace, down when up=false', async () => {
    const r = await kit.call('POST', '/veth', {
      a: { namespace: idA, name: `${P}s1` },
      b: { namespace: idA, name: `${P}s2` },
      up: false,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await find(NA, `${P}s2`))?.flags).not.toContain('UP');
    await sh(`ip -n ${NA} link del dev ${P}s1`);
  });

  it('connects the host to a namespace (additive in the host is allowed) and deletes its own host end', async () => {
    const r = await kit.call('POST', '/veth', {
      a: { namespace: hostId, name: `${P}h` },
      b: { namespace: idB, name: `${P}hb` },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await find(null, `${P}h`))?.ifalias).toMatch(/^netns-explorer:/);
    expect(await find(NB, `${P}hb`)).toBeDefined();
    const d = await kit.call('DELETE', `/interfaces/${await ifIdOf(idB, `${P}hb`)}`, {});
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(await find(null, `${P}h`)).toBeUndefined();
  });

  it('answers 409 naming the field when the name exists, and 404 for an unknown namespace', async () => {
    const e = await kit.call('POST', '/veth', {
      a: { namespace: idA, name: 'lo' },
      b: { namespace: idB, name: `${P}q` },
    });
    expect(e.status).toBe(409);
    expect((e.body.error as { field: string }).field).toBe('a.name');
    const u = await kit.call('POST', '/veth', {
      a: { namespace: 'ns-1', name: `${P}q` },
      b: { namespace: idB, name: `${P}r` },
    });
    expect(u.status).toBe(404);
    expect((u.body.error as { field: string }).field).toBe('a.namespace');
  });
});

describe('interface, address, bridge, route and namespace actions', () => {
  it('sets state, adds and removes an address, attaches to and detaches from a bridge', async () => {
    await sh(`ip -n ${NA} link add name ${P}p type veth peer name ${P}q`);
    const pid = await ifIdOf(idA, `${P}p`);
    expect((await kit.call('POST', `/interfaces/${pid}/state`, { up: true })).status).toBe(200);
    expect((await find(NA, `${P}p`))?.flags).toContain('UP');
    expect((await kit.call('POST', `/interfaces/${pid}/state`, { up: false })).status).toBe(200);
    expect((await find(NA, `${P}p`))?.flags).not.toContain('UP');

    const add = await kit.call('POST', `/interfaces/${pid}/addresses`, { cidr: 'fd00:0077::1/64' });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    expect(add.body.cidr).toBe('fd00:77::1/64');
    expect((await find(NA, `${P}p`))?.addr_info?.some((x) => x.local === 'fd00:77::1')).toBe(true);
    const rm = await kit.call(
      'DELETE',
      `/interfaces/${pid}/addresses/${encodeURIComponent('fd00:77::1/64')}`,
      {},
    );
    expect(rm.status, JSON.stringify(rm.body)).toBe(200);
    expect((await find(NA, `${P}p`))?.addr_info?.some((x) => x.local === 'fd00:77::1')).toBe(false);

    const br = await kit.call('POST', '/bridges', { namespace: idA, name: `${P}br` });
    expect(br.status, JSON.stringify(br.body)).toBe(201);
    const made = await find(NA, `${P}br`);
    expect(made?.ifalias).toMatch(/^netns-explorer:/);
    // Created with the MAC the intent recorded before the create (crash recovery relies on it).
    const intent = readFileSync(`${kit.deps.auditLogPath}.intents`, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`"op":"${String(br.body.op)}"`) && l.includes('"t":"intent"'));
    expect(intent).toHaveLength(1);
    expect(intent[0]).toContain(`"mac":"${made?.address}"`);
    const brId = await ifIdOf(idA, `${P}br`);
    expect((await kit.call('POST', `/interfaces/${pid}/master`, { bridge: brId })).status).toBe(200);
    expect((await find(NA, `${P}p`))?.master).toBe(`${P}br`);
    // A set MAC stays when a port joins (a random one would switch to the port's).
    expect((await find(NA, `${P}br`))?.address).toBe(made?.address);
    const notBridge = await kit.call('POST', `/interfaces/${pid}/master`, {
      bridge: await ifIdOf(idA, `${P}q`),
    });
    expect(notBridge.status).toBe(422);
    expect((await kit.call('POST', `/interfaces/${pid}/master`, { bridge: null })).status).toBe(200);
    expect((await find(NA, `${P}p`))?.master).toBeUndefined();
    expect((await kit.call('DELETE', `/interfaces/${brId}`, {})).status).toBe(200);
    expect(await find(NA, `${P}br`)).toBeUndefined();
    await sh(`ip -n ${NA} link del dev ${P}p`);
  });

  it('adds and removes a host route (the seed), a route via a gateway in table 100, and a default route', async () => {
    await sh(
      `ip -n ${NB} link add name ${P}r type veth peer name ${P}r2; ip -n ${NB} link set dev ${P}r up; ip -n ${NB} link set dev ${P}r2 up; ip -n ${NB} addr add 10.78.0.1/24 dev ${P}r`,
    );
    await kit.refresh();
    const routes = () =>
      ipJson<Array<{ dst: string; gateway?: string; protocol?: string }>>(['route', 'show', 'table', 'all'], {
        name: NB,
      });

    const host = await kit.call('POST', '/routes', { namespace: idB, dst: '8.8.8.8', dev: `${P}r` });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    expect((await routes()).find((r) => r.dst === '8.8.8.8')?.protocol).toBe('252');
    const via = await kit.call('POST', '/routes', {
      namespace: idB,
      dst: '10.79.0.0/16',
      gateway: '10.78.0.2',
      table: 100,
      metric: 7,
    });
    expect(via.status, JSON.stringify(via.body)).toBe(201);
    expect((await routes()).some((r) => r.dst === '10.79.0.0/16' && r.gateway === '10.78.0.2')).toBe(true);
    const def = await kit.call('POST', '/routes', { namespace: idB, dst: 'default', gateway: '10.78.0.254' });
    expect(def.status, JSON.stringify(def.body)).toBe(201);
    expect((await routes()).some((r) => r.dst === 'default')).toBe(true);
    const dup = await kit.call('POST', '/routes', { namespace: idB, dst: 'default', gateway: '10.78.0.254' });
    expect(dup.status).toBe(409);

    expect(
      (await kit.call('DELETE', '/routes', { namespace: idB, dst: '8.8.8.8/32', dev: `${P}r` })).status,
    ).toBe(200);
    expect((await routes()).some((r) => r.dst === '8.8.8.8')).toBe(false);
    expect(
      (
        await kit.call('DELETE', '/routes', {
          namespace: idB,
          dst: '10.79.0.0/16',
          gateway: '10.78.0.2',
          table: 100,
          metric: 7,
        })
      ).status,
    ).toBe(200);
    const t = await kit.refresh();
    const defRoute = t.routes.find((r) => r.namespace === idB && r.dst === 'default');
    expect(defRoute).toBeDefined();
    const byId = await kit.call('DELETE', '/routes', { id: defRoute!.id });
    expect(byId.status, JSON.stringify(byId.body)).toBe(200);
    expect((await routes()).some((r) => r.dst === 'default' || r.dst === '10.79.0.0/16')).toBe(false);
    const gone = await kit.call('DELETE', '/routes', { namespace: idB, dst: '8.8.8.8', dev: `${P}r` });
    expect(gone.status).toBe(404);
    await sh(`ip -n ${NB} link del dev ${P}r`);
  });

  it('creates and deletes a named namespace, refuses to delete one it did not make', async () => {
    const c = await kit.call('POST', '/namespaces', { name: `${P}n` });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(c.body.id).toBe(nsId(statSync(`/run/netns/${P}n`).ino));
    const again = await kit.call('POST', '/namespaces', { name: `${P}n` });
    expect(again.status).toBe(409);
    await kit.refresh();
    const notOurs = await kit.call('DELETE', `/namespaces/${idA}`, {});
    expect(notOurs.status).toBe(403);
    const d = await kit.call('DELETE', `/namespaces/${String(c.body.id)}`, {});
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect((await sh('ip netns list')).includes(`${P}n`)).toBe(false);
  });
});

describe('host namespace safety', () => {
  it('refuses destructive changes to host devices, addresses and routes it did not make, spawning no mutation', async () => {
    const t = await kit.refresh();
    const eth0 = t.interfaces.find((i) => i.namespace === hostId && i.name === 'eth0')!;
    const lo = t.interfaces.find((i) => i.namespace === hostId && i.name === 'lo')!;
    const def = t.routes.find((r) => r.namespace === hostId && r.dst === 'default' && r.family === 'inet');
    const before = await sh('ip -j addr show dev eth0; ip -j route show table all dev eth0');
    const spawned: string[][] = [];
    const off = onSpawn((argv) => void spawned.push([...argv]));
    try {
      const tries: Array<[string, string, unknown]> = [
        ['DELETE', `/interfaces/${eth0.id}`, {}],
        ['POST', `/interfaces/${eth0.id}/state`, { up: false }],
        ['POST', `/interfaces/${eth0.id}/master`, { bridge: null }],
        ['DELETE', `/interfaces/${eth0.id}/addresses`, { cidr: eth0.addresses[0]?.cidr ?? '192.0.2.2/24' }],
        ['DELETE', `/interfaces/${lo.id}/addresses`, { cidr: '127.0.0.1/8' }],
        ['DELETE', '/routes', def ? { id: def.id } : { namespace: hostId, dst: 'default', dev: 'eth0' }],
        ['DELETE', '/routes', { namespace: hostId, dst: 'default', dev: 'eth0' }],
      ];
      for (const [m, p, b] of tries) {
        const r = await kit.call(m, p, b);
        expect(r.status, `${m} ${p} ${JSON.stringify(r.body)}`).toBe(403);
        expect((r.body.error as { code: string }).code).toBe('host_protected');
      }
    } finally {
      off();
    }
    const mutating = spawned.filter((a) =>
      a.some((x) => ['add', 'del', 'delete', 'set', 'replace', 'change', 'flush'].includes(x)),
    );
    expect(mutating).toEqual([]);
    expect(await sh('ip -j addr show dev eth0; ip -j route show table all dev eth0')).toBe(before);
  });
});

describe('audit log', () => {
  it('is 0600 and has one JSON line per mutating request with argv and rc, without cookies', async () => {
    const path = kit.deps.auditLogPath;
    const n0 = readFileSync(path, 'utf8').trim().split('\n').length;
    await kit.call('POST', '/namespaces', { name: '../evil' }, { Cookie: 'nx_session=SECRETCOOKIE123' });
    await kit.call('POST', '/namespaces', '{not json', { Cookie: 'nx_session=SECRETCOOKIE123' });
    const text = readFileSync(path, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(n0 + 2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(text).not.toContain('SECRETCOOKIE123');
    const ok = lines
      .map(
        (l) =>
          JSON.parse(l) as { action: string; commands: Array<{ argv: string[]; rc: number }>; ok: boolean },
      )
      .find((x) => x.action === 'veth.create' && x.ok);
    expect(ok?.commands[0]?.argv).toContain('/usr/sbin/ip');
    expect(ok?.commands.every((c) => typeof c.rc === 'number')).toBe(true);
  });
});
