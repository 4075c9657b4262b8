/**
 * The host's partial read (hostDevices.ts) against the real kernel, on a namespace of the test's
 * own standing in for the host: after each change, the cached read with the devices events
 * named merged in equals a full read. A `Deleted` link event is checked before the device is
 * dropped: a bridge port leaving its bridge gets one too, and stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scan } from './enumerate.js';
import type { NamespaceRead } from './ipParse.js';
import { readHostDevices } from './hostDevices.js';
import { ReadServer } from './readServer.js';
import type { ReadOutcome } from './reader.js';
import { readNamespace } from './reader.js';
import { cleanupPrefix, ipJson, nsInode, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';

const prefix = uniquePrefix('hd');
const ns = `${prefix}a`;
const path = `/run/netns/${ns}`;
const server = new ReadServer();
let inode = 0;
let scan: Scan;

async function fullRead(): Promise<NamespaceRead> {
  const o = await readNamespace({ inode, paths: [path], ours: false, nsids: false }, null, 10_000, server);
  if (!('read' in o)) throw new Error(o.error);
  return o.read;
}

/** Links and routes as sets (by id), for comparing reads whose lists differ only in order. */
function comparable(r: NamespaceRead) {
  const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
  return { links: byId(r.links.map((l) => ({ ...l, id: l.iface.id }))), routes: byId(r.routes) };
}

beforeAll(async () => {
  await sh(`ip netns add ${ns}; ip netns add ${prefix}b
ip -n ${ns} link add ${prefix}v0 type veth peer name ${prefix}v1 netns ${prefix}b
ip -n ${ns} addr add 10.79.1.1/24 dev ${prefix}v0; ip -n ${ns} link set ${prefix}v0 up
ip -n ${ns} route add 10.79.9.0/24 via 10.79.1.2
ip -n ${ns} link add ${prefix}br type bridge forward_delay 0; ip -n ${ns} link set ${prefix}br up
ip -n ${ns} link add ${prefix}w0 type veth peer name ${prefix}w1
ip -n ${ns} link set ${prefix}w0 master ${prefix}br up; ip -n ${ns} link set ${prefix}w1 up`);
  inode = await nsInode(path);
  // The kernel settles link states asynchronously (the bridge goes UP once its port forwards):
  // wait, so that a cached read and a later full read differ only by what a test changes.
  await pollUntil(async () => {
    const [br] = await ipJson<Array<{ operstate: string }>>(['link', 'show', 'dev', `${prefix}br`], {
      name: ns,
    });
    return br?.operstate === 'UP';
  }, 'bridge up');
  const found = { inode, netnsNames: [ns], mounts: [path], pids: [], fds: [] };
  scan = { hostInode: inode, hostPath: path, namespaces: new Map([[inode, found]]), errors: [] };
});

afterAll(async () => {
  server.stop();
  await cleanupPrefix(prefix);
});

describe('host device reads with deletions', () => {
  it('drops a deleted device and the routes through it', async () => {
    const cache = new Map<number, ReadOutcome>([[inode, { read: await fullRead() }]]);
    const ifindex = (await fullRead()).links.find((l) => l.iface.name === `${prefix}v0`)!.iface.ifindex;
    await sh(`ip -n ${ns} link del ${prefix}v0`);
    const ok = await readHostDevices(scan, [{ ifindex, name: `${prefix}v0`, deleted: true }], cache, server);
    expect(ok).toBe(true);
    const merged = cache.get(inode)!;
    expect('read' in merged && comparable(merged.read)).toEqual(comparable(await fullRead()));
    expect('read' in merged && merged.read.routes.some((r) => r.dst === '10.79.9.0/24')).toBe(false);
  });

  it('keeps a port that left its bridge (a Deleted event that is not a deletion)', async () => {
    const cache = new Map<number, ReadOutcome>([[inode, { read: await fullRead() }]]);
    const port = (await fullRead()).links.find((l) => l.iface.name === `${prefix}w0`)!;
    expect(port.masterName).toBe(`${prefix}br`);
    const w0 = port.iface;
    await sh(`ip -n ${ns} link set ${prefix}w0 nomaster`);
    // The bridge lost its only port: its carrier goes (asynchronously) and it has an event of its
    // own, so it is read too, once settled.
    await pollUntil(async () => {
      const [b] = await ipJson<Array<{ operstate: string }>>(['link', 'show', 'dev', `${prefix}br`], {
        name: ns,
      });
      return b?.operstate === 'DOWN';
    }, 'bridge without carrier');
    const br = (await fullRead()).links.find((l) => l.iface.name === `${prefix}br`)!.iface;
    const ok = await readHostDevices(
      scan,
      [
        { ifindex: w0.ifindex, name: `${prefix}w0`, deleted: true },
        { ifindex: br.ifindex, name: br.name },
      ],
      cache,
      server,
    );
    expect(ok).toBe(true);
    const merged = cache.get(inode)!;
    expect('read' in merged && comparable(merged.read)).toEqual(comparable(await fullRead()));
    const kept = 'read' in merged ? merged.read.links.find((l) => l.iface.name === `${prefix}w0`) : null;
    expect(kept?.masterName).toBeNull();
  });

  it('drops nothing when the lookup itself failed (ip never said the device is gone)', async () => {
    const cache = new Map<number, ReadOutcome>([[inode, { read: await fullRead() }]]);
    const before = cache.get(inode);
    const w1 = (await fullRead()).links.find((l) => l.iface.name === `${prefix}w1`)!.iface;
    // nsenter cannot open this path: no output at all, which must not read as "every device gone".
    const broken: Scan = { ...scan, hostPath: `/run/netns/${prefix}none` };
    const ok = await readHostDevices(
      broken,
      [{ ifindex: w1.ifindex, name: w1.name, deleted: true }],
      cache,
      server,
    );
    expect(ok).toBe(false);
    expect(cache.get(inode)).toBe(before);
  });

  it('refuses a deletion the cache cannot place, so the caller reads everything', async () => {
    const cache = new Map<number, ReadOutcome>([[inode, { read: await fullRead() }]]);
    const before = cache.get(inode);
    const ok = await readHostDevices(
      scan,
      [{ ifindex: 99_999, name: `${prefix}w1`, deleted: true }],
      cache,
      server,
    );
    expect(ok).toBe(false);
    expect(cache.get(inode)).toBe(before);
  });
});
