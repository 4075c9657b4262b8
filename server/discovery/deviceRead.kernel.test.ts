/**
 * A device read merged into a namespace's cached read equals a fresh read of the whole
 * namespace, after the changes the host sees most (a peer's carrier, a link going down and up,
 * addresses and routes through the device); and it refuses what it cannot vouch for.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceRead } from './ipParse.js';
import type { DeviceAsk } from './deviceRead.js';
import { linkOnly, mergeDeviceRead, parseDeviceReads, readableDeviceName } from './deviceRead.js';
import { ReadServer } from './readServer.js';
import { readNamespace } from './reader.js';
import { cleanupPrefix, ipJson, nsInode, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';

const prefix = uniquePrefix('dr');
const ns = `${prefix}a`;
const path = `/run/netns/${ns}`;
const dev = `${prefix}v0`;
let inode = 0;
const server = new ReadServer();

async function fullRead(): Promise<NamespaceRead> {
  const o = await readNamespace({ inode, paths: [path], ours: false, nsids: false }, null, 10_000, server);
  if (!('read' in o)) throw new Error(o.error);
  return o.read;
}

/**
 * A full read once no IPv6 address in the namespace is still tentative: a link that came up (or
 * whose peer got its carrier back) gets its link-local address only after duplicate address
 * detection, and with it a local route. A cache taken before that would rightly differ from a
 * later full read by those routes (the product reads them on their own route events).
 */
async function settledRead(): Promise<NamespaceRead> {
  type Link = { ifname: string; flags: string[]; addr_info: Array<{ scope: string; tentative?: boolean }> };
  // A link with carrier gets its link-local address when linkwatch tells IPv6 (up to a second later).
  const settled = (l: Link) =>
    l.addr_info.every((a) => !a.tentative) &&
    (l.ifname === 'lo' || !l.flags.includes('LOWER_UP') || l.addr_info.some((a) => a.scope === 'link'));
  await pollUntil(
    async () => (await ipJson<Link[]>(['addr', 'show'], { name: ns })).every(settled),
    'every link with carrier to have its IPv6 link-local address, none tentative',
  );
  return fullRead();
}

async function deviceRead(name: string) {
  const devices = [{ name, routes: true }];
  const r = await server.read({ withNsids: false, path, mountNs: null, devices, timeoutMs: 10_000 });
  return r.exitCode === 0 ? (parseDeviceReads(inode, devices, r.stdout)?.[0] ?? null) : null;
}

/** Links and routes as sets (by id), for comparing reads whose lists differ only in order. */
function comparable(r: NamespaceRead) {
  const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    links: byId(r.links.map((l) => ({ ...l, id: l.iface.id }))),
    routes: byId(r.routes),
  };
}

/**
 * `cached` with a fresh read of these devices merged in, once it equals a full read: a link's
 * operstate follows a carrier change on its own (linkwatch, up to a second later), so the two
 * reads are taken again until the kernel has settled. A merge that stays different fails with
 * the difference shown.
 */
async function mergedEqualsFull(cached: NamespaceRead, asks: DeviceAsk[]): Promise<NamespaceRead> {
  const attempt = async () => {
    const r = await server.read({ withNsids: false, path, mountNs: null, devices: asks, timeoutMs: 10_000 });
    const found = r.exitCode === 0 ? parseDeviceReads(inode, asks, r.stdout) : null;
    let merged: NamespaceRead | null = found ? cached : null;
    asks.forEach(({ name }, i) => {
      const ifindex = cached.links.find((l) => l.iface.name === name)!.iface.ifindex;
      merged = merged && mergeDeviceRead(merged, ifindex, name, found![i]!);
    });
    return { merged, full: await fullRead() };
  };
  const settled = await pollUntil(async () => {
    const a = await attempt();
    return a.merged && isDeepStrictEqual(comparable(a.merged), comparable(a.full)) ? a.merged : null;
  }, 'the merged read to equal a full read').catch(() => null);
  if (settled) return settled;
  const last = await attempt();
  expect(last.merged).not.toBeNull();
  expect(comparable(last.merged!)).toEqual(comparable(last.full));
  return last.merged!;
}

beforeAll(async () => {
  await sh(`ip netns add ${ns}
ip netns add ${prefix}b
ip -n ${ns} link add ${dev} type veth peer name ${prefix}v1 netns ${prefix}b
ip -n ${ns} link add ${prefix}w0 type veth peer name ${prefix}w1
ip -n ${ns} addr add 10.78.1.1/24 dev ${dev}
ip -n ${ns} addr add 10.78.2.1/24 dev ${prefix}w0
ip -n ${ns} link set ${dev} up
ip -n ${prefix}b link set ${prefix}v1 up
ip -n ${ns} link set ${prefix}w0 up
ip -n ${ns} link set ${prefix}w1 up
ip -n ${ns} route add 10.78.9.0/24 via 10.78.1.2`);
  inode = await nsInode(path);
});

afterAll(async () => {
  server.stop();
  await cleanupPrefix(prefix);
});

describe('device reads', () => {
  const changes: Array<[string, string]> = [
    // The peer sits in another namespace, as the host's veth ends' peers do.
    ['the peer loses its carrier', `ip -n ${prefix}b link set ${prefix}v1 down`],
    ['the peer gets it back', `ip -n ${prefix}b link set ${prefix}v1 up`],
    ['the device goes down (its routes go)', `ip -n ${ns} link set ${dev} down`],
    ['the device comes up', `ip -n ${ns} link set ${dev} up`],
    ['an address is added', `ip -n ${ns} addr add 10.78.3.1/24 dev ${dev}`],
    ['a route through it is added', `ip -n ${ns} route add 10.78.8.0/24 via 10.78.3.2 metric 7`],
    ['an IPv6 address is added', `ip -n ${ns} addr add fd78::1/64 dev ${dev} nodad`],
    ['its mtu changes', `ip -n ${ns} link set ${dev} mtu 1400`],
  ];
  for (const [what, cmd] of changes) {
    it(`merged into the cached read, equals a full read when ${what}`, async () => {
      const cached = await settledRead();
      await sh(cmd);
      const merged = await mergedEqualsFull(cached, [{ name: dev, routes: true }]);
      // Devices that did not change keep their parsed objects (the diff compares by identity).
      const other = cached.links.find((l) => l.iface.name === `${prefix}w0`);
      expect(merged.links).toContain(other);
    });
  }

  it('reads several devices in one run, each merged equal to a full read', async () => {
    const cached = await settledRead();
    const asks = [dev, `${prefix}w0`, `${prefix}w1`].map((name) => ({ name, routes: true }));
    await sh(`ip -n ${ns} link set ${prefix}w1 down
ip -n ${ns} addr add 10.78.4.1/24 dev ${prefix}w0
ip -n ${ns} route add 10.78.7.0/24 via 10.78.4.2`);
    const merged = await mergedEqualsFull(cached, asks);
    expect(merged.routes.some((r) => r.dst === '10.78.7.0/24')).toBe(true);
    await sh(`ip -n ${ns} link set ${prefix}w1 up`);
  });

  it('fails the whole read when one of the devices is gone', async () => {
    const r = await server.read({
      withNsids: false,
      path,
      mountNs: null,
      devices: [
        { name: dev, routes: true },
        { name: `${prefix}gone`, routes: false },
      ],
      timeoutMs: 10_000,
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/does not exist/);
  });

  it('reads only the link when the event showed the flags the cache has, keeping cached routes', async () => {
    const cached = await settledRead();
    const link = cached.links.find((l) => l.iface.name === dev)!.iface;
    // What a link event would show now: the same flags (an mtu change, an STP port state).
    await sh(`ip -n ${ns} link set ${dev} mtu 1300`);
    expect(linkOnly(cached, link.ifindex, [...link.flags].reverse())).toBe(true);
    const asks = [{ name: dev, routes: false }];
    const r = await server.read({ withNsids: false, path, mountNs: null, devices: asks, timeoutMs: 10_000 });
    expect(parseDeviceReads(inode, asks, r.stdout)?.[0]?.routes).toBeNull();
    await mergedEqualsFull(cached, asks);
    // Going down changes the flags (and silently flushes its v4 routes): routes are read then.
    await sh(`ip -n ${ns} link set ${dev} down`);
    const [down] = await ipJson<Array<{ flags: string[] }>>(['link', 'show', 'dev', dev], { name: ns });
    expect(linkOnly(cached, link.ifindex, down!.flags)).toBe(false);
    expect(linkOnly(cached, link.ifindex, undefined)).toBe(false); // an address or route event
    await sh(`ip -n ${ns} link set ${dev} mtu 1500 && ip -n ${ns} link set ${dev} up`);
  });

  it('refuses a read that is not about the device it expected', async () => {
    const cached = await settledRead();
    const ifindex = cached.links.find((l) => l.iface.name === dev)!.iface.ifindex;
    const other = await deviceRead(`${prefix}w0`);
    expect(mergeDeviceRead(cached, ifindex, `${prefix}w0`, other!)).toBeNull(); // wrong ifindex
    await sh(`ip -n ${ns} link set ${dev} down && ip -n ${ns} link set ${dev} name ${prefix}r0`);
    expect(await deviceRead(dev)).toBeNull(); // renamed: no such device
    const renamed = await deviceRead(`${prefix}r0`);
    expect(mergeDeviceRead(cached, ifindex, `${prefix}r0`, renamed!)).toBeNull(); // cached under its old name
    await sh(`ip -n ${ns} link set ${prefix}r0 name ${dev} && ip -n ${ns} link set ${dev} up`);
    const links = await ipJson<Array<{ ifname: string }>>(['link', 'show', 'dev', dev], { name: ns });
    expect(links[0]?.ifname).toBe(dev);
  });

  it('asks only for plain device names', () => {
    expect(readableDeviceName('eth0')).toBe(true);
    expect(readableDeviceName('veth1a2b@x')).toBe(true);
    expect(readableDeviceName('-x')).toBe(false);
    expect(readableDeviceName('a"b')).toBe(false);
    expect(readableDeviceName('sixteen-chars-xx')).toBe(false);
  });
});
