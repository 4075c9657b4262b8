/**
 * 60 namespaces of mixed kinds (named, `unshare -n` processes, bind-mount only) joined in a ring of
 * veths created inside each namespace (so ifindexes collide everywhere): discovery must report
 * every namespace, interface, address, route and veth peer exactly as `ip -j` sees them.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../common/model.js';
import { createDiscovery } from '../server/discovery/index.js';
import type { Holder } from './kernel.js';
import { cleanupPrefix, ipJson, pollUntil, sh, spawnNetnsHolder, uniquePrefix } from './kernel.js';
import { nsId, parseIfId } from '../common/ids.js';

const P = uniquePrefix('ds');
const N = 60;
const tmp = mkdtempSync('/tmp/nxds-');
const holders: Holder[] = [];
/** Path of namespace i (what ip's `netns` argument and nsenter accept). */
const paths: string[] = [];
const inodes: number[] = [];
let topo: Topology;
let errors: string[];

beforeAll(async () => {
  for (let i = 0; i < N; i++) {
    if (i % 3 === 0) {
      await sh(`ip netns add ${P}n${i}`);
      paths.push(`/run/netns/${P}n${i}`);
    } else if (i % 3 === 1) {
      const h = await spawnNetnsHolder();
      holders.push(h);
      paths.push(h.path);
    } else {
      writeFileSync(`${tmp}/ns${i}`, '');
      await sh(`unshare --net=${tmp}/ns${i} true`);
      paths.push(`${tmp}/ns${i}`);
    }
    inodes.push(statSync(paths[i]!).ino);
  }
  for (let i = 0; i < N; i++) {
    const next = paths[(i + 1) % N]!;
    const batch = [
      `link add r${i} type veth peer name l${(i + 1) % N} netns ${next}`,
      `addr add 10.50.${i}.1/24 dev r${i}`,
      `addr add fd50:${i}::1/64 dev r${i} nodad`,
      `link set r${i} up`,
      `route add 10.60.${i}.0/24 via 10.50.${i}.2 table ${100 + (i % 3)}`,
    ];
    await sh(`printf '%s\\n' ${batch.map((b) => `'${b}'`).join(' ')} | nsenter --net=${paths[i]} ip -b -`);
  }
  for (let i = 0; i < N; i++) await sh(`nsenter --net=${paths[i]} ip link set l${i} up`);
  // The kernel adds each veth end's IPv6 link-local address on its own, once the carrier is up
  // (linkwatch runs up to a second later): wait for all of them, so that discovery and the
  // checks' later `ip -j` reads see the same addresses.
  await pollUntil(
    async () => {
      for (const path of paths) {
        const links = await ipJson<Array<{ ifname: string; addr_info: Array<{ local: string }> }>>(
          ['addr', 'show'],
          { path },
        );
        const veths = links.filter((l) => /^[rl][0-9]+$/.test(l.ifname));
        if (veths.some((l) => !l.addr_info.some((a) => a.local.startsWith('fe80:')))) return false;
      }
      return true;
    },
    'IPv6 link-local addresses on every veth end',
    60_000,
  );
  ({ topology: topo, errors } = await createDiscovery().full());
}, 300_000);

afterAll(async () => {
  for (const h of holders) await h.stop();
  for (let i = 2; i < N; i += 3) await sh(`umount ${tmp}/ns${i} 2>/dev/null || true`);
  rmSync(tmp, { recursive: true, force: true });
  await cleanupPrefix(P);
}, 120_000);

describe(`discovery of ${N} namespaces of mixed kinds`, () => {
  it('reports every namespace once, without errors', () => {
    expect(errors.filter((e) => inodes.some((ino) => e.includes(nsId(ino))))).toEqual([]);
    for (const ino of inodes) {
      const ns = topo.namespaces.filter((n) => n.inode === ino);
      expect(ns).toHaveLength(1);
      expect(ns[0]!.error).toBeNull();
    }
    expect(
      topo.namespaces
        .filter((n) => inodes.includes(n.inode))
        .map((n) => n.kind)
        .sort(),
    ).toEqual([...Array<string>(20).fill('named'), ...Array<string>(40).fill('process')].sort());
  });

  it('reports every interface, address and route as ip -j does', async () => {
    for (let i = 0; i < N; i++) {
      const ns = nsId(inodes[i]!);
      const links = await ipJson<
        Array<{ ifindex: number; ifname: string; addr_info: Array<{ local: string; prefixlen: number }> }>
      >(['addr', 'show'], { path: paths[i] });
      const want = links
        .map(
          (l) =>
            `${l.ifindex} ${l.ifname} ${l.addr_info
              .map((a) => `${a.local}/${a.prefixlen}`)
              .sort()
              .join(',')}`,
        )
        .sort();
      const got = topo.interfaces
        .filter((x) => x.namespace === ns)
        .map(
          (x) =>
            `${x.ifindex} ${x.name} ${x.addresses
              .map((a) => a.cidr)
              .sort()
              .join(',')}`,
        )
        .sort();
      expect(got).toEqual(want);
      const routes = await ipJson<Array<{ dst: string; table?: string; gateway?: string }>>(
        ['-4', 'route', 'show', 'table', 'all'],
        { path: paths[i] },
      );
      const gotRoutes = topo.routes.filter((r) => r.namespace === ns && r.family === 'inet');
      expect(gotRoutes.map((r) => `${r.table} ${r.dst} ${r.gateway ?? ''}`).sort()).toEqual(
        routes.map((r) => `${r.table ?? 'main'} ${r.dst} ${r.gateway ?? ''}`).sort(),
      );
      expect(gotRoutes).toContainEqual(
        expect.objectContaining({
          table: String(100 + (i % 3)),
          dst: `10.60.${i}.0/24`,
          gateway: `10.50.${i}.2`,
        }),
      );
    }
  });

  it('resolves every veth peer of the ring exactly, despite colliding ifindexes', () => {
    const ifindexes = new Set<number>();
    for (let i = 0; i < N; i++) {
      const r = topo.interfaces.find((x) => x.namespace === nsId(inodes[i]!) && x.name === `r${i}`);
      const l = topo.interfaces.find(
        (x) => x.namespace === nsId(inodes[(i + 1) % N]!) && x.name === `l${(i + 1) % N}`,
      );
      expect(r?.peer).toBe(l?.id);
      expect(l?.peer).toBe(r?.id);
      expect(r?.peerUnresolved).toBeNull();
      ifindexes.add(r!.ifindex);
    }
    expect(ifindexes.size).toBeLessThan(N);
    expect(topo.links.filter((k) => inodes.some((ino) => parseIfId(k.a)?.nsInode === ino))).toHaveLength(N);
  });
});
