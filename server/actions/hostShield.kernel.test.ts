/**
 * Finding 2 against the real kernel: without --allow-host-changes, host routes and addresses that
 * would shadow the default route, cover its gateway or overlap the host's subnets get 400 naming
 * the field, spawn nothing and leave the kernel as it was; a harmless host route still works.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nsId } from '../../common/ids.js';
import { cleanupPrefix, ipJson, sh, uniquePrefix } from '../../test/kernel.js';
import { onSpawn } from '../exec/run.js';
import type { Kit } from './testing/kit.js';
import { kernelState, startKit } from './testing/kit.js';

vi.setConfig({ testTimeout: 120_000 });

const P = uniquePrefix('hs');
const NS = `${P}n`;
const HOST_DEV = `${P}h`;
let kit: Kit;
let hostId: string;
let hostDevId: string;
let gateway: string;
const nsIdOf = (name: string) => nsId(statSync(`/run/netns/${name}`).ino);

beforeAll(async () => {
  await sh(`ip netns add ${NS}; ip link add name ${HOST_DEV} type veth peer name ${P}p netns ${NS}`);
  kit = await startKit();
  hostId = nsId(statSync('/proc/self/ns/net').ino);
  hostDevId = kit.topology().interfaces.find((i) => i.namespace === hostId && i.name === HOST_DEV)!.id;
  const def = kit
    .topology()
    .routes.find((r) => r.namespace === hostId && r.family === 'inet' && r.dst === 'default' && r.gateway);
  if (!def?.gateway) throw new Error('this test needs a host default route via a gateway');
  gateway = def.gateway;
});

afterAll(async () => {
  await kit?.close();
  await cleanupPrefix(P);
});

describe('host shield (without --allow-host-changes)', () => {
  const refused: Array<[string, () => [string, string, unknown], string]> = [
    [
      'route 0.0.0.0/1 via a device',
      () => ['POST', '/routes', { namespace: hostId, dst: '0.0.0.0/1', dev: HOST_DEV }],
      'dst',
    ],
    [
      'route 128.0.0.0/1 via a device',
      () => ['POST', '/routes', { namespace: hostId, dst: '128.0.0.0/1', dev: HOST_DEV }],
      'dst',
    ],
    [
      'a second default route',
      () => ['POST', '/routes', { namespace: hostId, dst: 'default', dev: HOST_DEV, metric: 1 }],
      'dst',
    ],
    [
      '::/1 via a device',
      () => ['POST', '/routes', { namespace: hostId, dst: '::/1', dev: HOST_DEV }],
      'dst',
    ],
    [
      'a route to the default gateway',
      () => ['POST', '/routes', { namespace: hostId, dst: `${gateway}/32`, dev: HOST_DEV }],
      'dst',
    ],
    [
      'an address inside the host subnet',
      () => ['POST', `/interfaces/${hostDevId}/addresses`, { cidr: `${gateway}/32` }],
      'cidr',
    ],
    [
      'a new veth whose host end gets an address in the host subnet',
      () => [
        'POST',
        '/veth',
        {
          a: { namespace: hostId, name: `${P}x`, address: `${gateway}/32` },
          b: { namespace: nsIdOf(NS), name: `${P}y` },
        },
      ],
      'a.address',
    ],
    [
      'an address whose subnet is /1',
      () => ['POST', `/interfaces/${hostDevId}/addresses`, { cidr: '10.97.0.1/1' }],
      'cidr',
    ],
  ];
  it.each(refused)('%s: 400 naming the field, nothing spawned, kernel unchanged', async (_n, req, field) => {
    const [method, path, body] = req();
    const before = await kernelState([NS], P);
    const spawned: string[][] = [];
    const stop = onSpawn((argv) => spawned.push([...argv]));
    let r: Awaited<ReturnType<Kit['call']>>;
    try {
      r = await kit.call(method, path, body);
    } finally {
      stop();
    }
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'host_protected', field });
    expect(String((r.body.error as { message: string }).message)).toContain('--allow-host-changes');
    expect(spawned).toEqual([]);
    expect(await kernelState([NS], P)).toBe(before);
  });

  it('still adds a host route that keeps the host reachable (positive control)', async () => {
    await sh(`ip link set dev ${HOST_DEV} up`);
    const r = await kit.call('POST', '/routes', { namespace: hostId, dst: '10.97.3.0/24', dev: HOST_DEV });
    expect(r.status).toBe(201);
    const rows = await ipJson<Array<{ dst: string; dev: string }>>(['route', 'show', 'dev', HOST_DEV]);
    expect(rows.map((x) => x.dst)).toContain('10.97.3.0/24');
  });
});
