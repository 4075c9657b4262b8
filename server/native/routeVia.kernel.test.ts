/**
 * An IPv4 route via an IPv6 gateway (RTA_VIA, `ip route add ... via inet6 ADDR`) in the model:
 * the native reader's parser and the ip reader agree, and the gateway is the one `ip -j route`
 * prints. The namespace is this test's own.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nsId } from '../../common/ids.js';
import type { Topology } from '../../common/model.js';
import { createDiscovery } from '../discovery/index.js';
import { cleanupPrefix, ipJson, sh, uniquePrefix } from '../../test/kernel.js';
import { createNativeDiscovery } from './discovery.js';

const p = uniquePrefix('rv');
const NS = `${p}a`;

beforeAll(async () => {
  await sh(`ip netns add ${NS} && ip -n ${NS} link set lo up`);
  await sh(
    `ip -n ${NS} link add e0 type veth peer name e1 && ip -n ${NS} link set e0 up && ip -n ${NS} link set e1 up`,
  );
  await sh(`ip -n ${NS} -6 addr add fd72:8::1/64 dev e0 nodad`);
  await sh(`ip -n ${NS} route add 10.72.9.0/24 via inet6 fd72:8::2 dev e0`);
});

afterAll(async () => {
  await cleanupPrefix(p);
});

const viaRoutes = (t: Topology) => {
  const id = nsId(statSync(`/run/netns/${NS}`).ino);
  return t.routes.filter((r) => r.namespace === id && r.dst === '10.72.9.0/24');
};

describe('route via inet6 in the model', () => {
  it('native and ip readers agree with ip -j', async () => {
    const [shown] = await ipJson<Array<{ dst: string; via?: { family: string; host: string } }>>(
      ['route', 'show', '10.72.9.0/24'],
      { name: NS },
    );
    expect(shown?.via).toEqual({ family: 'inet6', host: 'fd72:8::2' });
    const natively = viaRoutes((await createNativeDiscovery().full()).topology);
    const byIp = viaRoutes((await createDiscovery().full()).topology);
    expect(natively).toEqual(byIp);
    expect(natively).toHaveLength(1);
    expect(natively[0]).toMatchObject({ family: 'inet', gateway: 'fd72:8::2', dev: 'e0', table: 'main' });
  });
});
