/**
 * Discovery against the real kernel: a topology with every kind of namespace (named, `unshare -n`
 * process, two processes sharing one, bind-mount only), colliding ifindexes, a bridge, macvlan,
 * IPv6, a non-main table, a veth with both ends in one namespace; compared with what `ip -j` says.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interface, Topology } from '../common/model.js';
import { createDiscovery, namespacePath } from '../server/discovery/index.js';
import type { Holder } from './kernel.js';
import { cleanupPrefix, ipJson, pollUntil, sh, spawnNetnsHolder, uniquePrefix } from './kernel.js';
import { nsId, parseIfId } from '../common/ids.js';

const P = uniquePrefix('dk');
const holders: Holder[] = [];
const sharers: number[] = [];
const tmp = mkdtempSync('/tmp/nxdk-');
const bindA = `${tmp}/nsA`;
const bindB = `${tmp}/nsB`;
const inodes: Record<string, number> = {};
let topo: Topology;
let errors: string[];

const inNs = (path: string, cmd: string) => sh(`nsenter --net=${path} sh -ec '${cmd}'`);

beforeAll(async () => {
  await sh(`ip netns add ${P}a && ip netns add ${P}b`);
  for (let i = 0; i < 4; i++) holders.push(await spawnNetnsHolder());
  const [h0, h1, h2, h3] = holders as [Holder, Holder, Holder, Holder];
  // A second process in h0's namespace.
  const s = spawn('/usr/bin/nsenter', [`--net=${h0.path}`, '/bin/sleep', '86400'], { stdio: 'ignore' });
  sharers.push(s.pid!);
  await pollUntil(async () => statSync(`/proc/${s.pid}/ns/net`).ino === statSync(h0.path).ino, 'sharer');
  // Namespaces kept only by a bind mount (no process, no /run/netns entry).
  writeFileSync(bindA, '');
  writeFileSync(bindB, '');
  await sh(`unshare --net=${bindA} true && unshare --net=${bindB} true`);
  // veths created inside each namespace: every first veth is ifindex 2 (colliding numbers).
  await sh(`ip -n ${P}a link add va type veth peer name vb netns ${P}b`);
  await inNs(h0.path, `ip link add e0 type veth peer name e1 netns ${h1.pid}`);
  await inNs(h2.path, `ip link add e2 type veth peer name e3 netns ${h3.pid}`);
  await inNs(bindA, `ip link add ba type veth peer name bb netns ${h2.pid}`);
  await sh(
    `nsenter --net=${bindA} ip link add bx type veth peer name by && nsenter --net=${bindA} ip link set by netns /proc/self/fd/3 3<${bindB}`,
  ).catch(async () => {
    // Older iproute2: move by path through a short-lived process in B.
    await sh(`nsenter --net=${bindA} ip link del bx 2>/dev/null || true`);
    await sh(`nsenter --net=${bindB} ip link add by type veth peer name bx netns ${h0.pid}`);
  });
  await sh(`ip link add ${P}h type veth peer name hh netns ${h1.pid}`);
  // Bridge with three ports, same-namespace veth, macvlan, IPv6, non-main table.
  await sh(`ip -n ${P}a link add br0 type bridge && ip -n ${P}a link set br0 up`);
  for (const i of [1, 2, 3]) {
    await sh(
      `ip -n ${P}a link add p${i} type veth peer name q${i} netns ${P}b && ip -n ${P}a link set p${i} master br0`,
    );
  }
  await sh(`ip -n ${P}a link add s1 type veth peer name s2`);
  await sh(`ip -n ${P}b link add mv0 link q1 type macvlan mode bridge`);
  await sh(
    `ip -n ${P}a addr add 10.77.0.1/24 dev va && ip -n ${P}a addr add fd77::1/64 dev va nodad && ip -n ${P}a link set va up`,
  );
  await sh(`ip -n ${P}b addr add 10.77.0.2/24 dev vb && ip -n ${P}b link set vb up`);
  await sh(`ip -n ${P}a route add 10.78.0.0/24 via 10.77.0.2 table 100`);
  await sh(`ip -n ${P}a -6 route add fd78::/64 via fd77::2 table 100`);
  // Operational state settles asynchronously: snapshot only once it is stable.
  for (const n of ['a', 'b']) {
    await pollUntil(async () => {
      const ls = await ipJson<Array<{ operstate: string; ifname: string }>>(['link', 'show'], {
        name: `${P}${n}`,
      });
      return ls.filter((l) => l.ifname === 'va' || l.ifname === 'vb').every((l) => l.operstate === 'UP');
    }, 'veths up');
  }
  for (const [k, p] of Object.entries({
    a: `/run/netns/${P}a`,
    b: `/run/netns/${P}b`,
    bindA,
    bindB,
    h0: h0.path,
    h1: h1.path,
    h2: h2.path,
    h3: h3.path,
  })) {
    inodes[k] = statSync(p).ino;
  }
  ({ topology: topo, errors } = await createDiscovery().full());
});

afterAll(async () => {
  for (const h of holders) await h.stop();
  for (const pid of sharers) process.kill(pid, 'SIGKILL');
  await sh(`umount ${bindA} ${bindB} 2>/dev/null || true`);
  rmSync(tmp, { recursive: true, force: true });
  await cleanupPrefix(P);
});

const iface = (ns: string, name: string): Interface => {
  const i = topo.interfaces.find((x) => x.namespace === nsId(inodes[ns]!) && x.name === name);
  if (!i) throw new Error(`${name} in ${ns} not in snapshot`);
  return i;
};
const peerOf = (ns: string, name: string) => topo.interfaces.find((x) => x.id === iface(ns, name).peer);

type IpAddrLink = {
  ifindex: number;
  ifname: string;
  mtu: number;
  operstate: string;
  addr_info: Array<{ local: string; prefixlen: number }>;
};

/** What differs between the snapshot and `ip -j` for one of our namespaces (empty when equal). */
async function differences(t: Topology, k: string): Promise<string[]> {
  const path = k === 'a' || k === 'b' ? `/run/netns/${P}${k}` : k === 'h0' ? holders[0]!.path : bindA;
  const ns = nsId(inodes[k]!);
  const out: string[] = [];
  const links = await ipJson<IpAddrLink[]>(['addr', 'show'], { path });
  const want = links.map(
    (l) =>
      `${l.ifindex} ${l.ifname} ${l.mtu} ${l.operstate} ${l.addr_info
        .map((a) => `${a.local}/${a.prefixlen}`)
        .sort()
        .join(',')}`,
  );
  const got = t.interfaces
    .filter((i) => i.namespace === ns)
    .map(
      (i) =>
        `${i.ifindex} ${i.name} ${i.mtu} ${i.state} ${i.addresses
          .map((a) => a.cidr)
          .sort()
          .join(',')}`,
    );
  if (JSON.stringify(want.sort()) !== JSON.stringify(got.sort()))
    out.push(`links ${k}: ${JSON.stringify({ want, got })}`);
  for (const fam of ['-4', '-6']) {
    const routes = await ipJson<Array<{ dst: string; table?: string; dev?: string }>>(
      [fam, 'route', 'show', 'table', 'all'],
      { path },
    );
    const w = routes.map((r) => `${r.table ?? 'main'} ${r.dst} ${r.dev ?? ''}`).sort();
    const g = t.routes
      .filter((r) => r.namespace === ns && r.family === (fam === '-4' ? 'inet' : 'inet6'))
      .map((r) => `${r.table} ${r.dst} ${r.dev ?? ''}`)
      .sort();
    if (JSON.stringify(w) !== JSON.stringify(g)) out.push(`routes ${fam} ${k}: ${JSON.stringify({ w, g })}`);
  }
  return out;
}

describe('discovery on the real kernel', () => {
  it('finds every namespace once, with its kind, names, pids and mounts', () => {
    const ids = topo.namespaces.map((n) => n.inode);
    expect(new Set(ids).size).toBe(ids.length);
    const ns = (k: string) => topo.namespaces.find((n) => n.inode === inodes[k])!;
    expect(ns('a')).toMatchObject({ kind: 'named', name: `${P}a`, netnsNames: [`${P}a`], error: null });
    expect(ns('h1')).toMatchObject({ kind: 'process', name: `pid ${holders[1]!.pid} (sleep)`, error: null });
    expect(ns('h0').pids).toEqual(expect.arrayContaining([holders[0]!.pid, sharers[0]!]));
    expect(ns('bindA')).toMatchObject({ kind: 'process', mounts: [bindA], pids: [], error: null });
    expect(ns('bindB').mounts).toEqual([bindB]);
    expect(topo.namespaces.filter((n) => n.kind === 'host')).toHaveLength(1);
    expect(namespacePath(ns('bindA'))).toBe(bindA);
  });

  it('resolves the same peers whether nsid maps are read inline or through host nsids', async () => {
    const peers = (t: Topology) => t.interfaces.filter((i) => i.kind === 'veth').map((i) => [i.id, i.peer]);
    const viaHostResult = await createDiscovery({ inlineNsidLimit: 0 }).full();
    const viaHost = viaHostResult.topology;
    const inline = (await createDiscovery({ inlineNsidLimit: 100_000 }).full()).topology;
    const mine = (p: Array<Array<string | null>>) =>
      p.filter(([id]) => Object.values(inodes).some((n) => parseIfId(id!)?.nsInode === n));
    expect(
      mine(peers(viaHost)),
      viaHostResult.errors
        .filter((e) => e.includes('if-'))
        .slice(0, 5)
        .join('\n'),
    ).toEqual(mine(peers(inline)));
    expect(mine(peers(inline)).every(([, p]) => p !== null)).toBe(true);
  });

  it('resolves veth peers exactly, across colliding ifindexes and bind-mount-only namespaces', () => {
    expect(iface('a', 'va').ifindex).toBe(iface('h0', 'e0').ifindex);
    expect(peerOf('a', 'va')?.id).toBe(iface('b', 'vb').id);
    expect(peerOf('h0', 'e0')?.id).toBe(iface('h1', 'e1').id);
    expect(peerOf('h3', 'e3')?.id).toBe(iface('h2', 'e2').id);
    expect(peerOf('bindA', 'ba')?.id).toBe(iface('h2', 'bb').id);
    expect(peerOf('bindA', 'bx')?.namespace ?? peerOf('h0', 'bx')?.namespace).toBeDefined();
    expect(peerOf('bindB', 'by')?.name).toBe('bx');
    expect(peerOf('a', 's1')?.id).toBe(iface('a', 's2').id);
    expect(peerOf('h1', 'hh')?.name).toBe(`${P}h`);
    for (const i of [1, 2, 3]) expect(peerOf('a', `p${i}`)?.id).toBe(iface('b', `q${i}`).id);
    const mine = topo.interfaces.filter(
      (i) => i.kind === 'veth' && Object.values(inodes).some((n) => i.namespace === nsId(n)),
    );
    expect(mine.every((i) => i.peer !== null && i.peerUnresolved === null)).toBe(true);
    for (const i of mine)
      expect(topo.links.some((l) => (l.a === i.id || l.b === i.id) && [l.a, l.b].includes(i.peer!))).toBe(
        true,
      );
    expect(errors.filter((e) => e.includes(P))).toEqual([]);
  });

  it('reads bridge ports, macvlan lower, addresses and routes as ip -j shows them', async () => {
    for (const i of [1, 2, 3]) expect(iface('a', `p${i}`).master).toBe(iface('a', 'br0').id);
    expect(iface('a', 'br0').kind).toBe('bridge');
    expect(iface('b', 'mv0')).toMatchObject({ kind: 'macvlan', lower: iface('b', 'q1').id });
    // Addresses and routes settle asynchronously (IPv6 link-local, DAD): poll until a fresh
    // snapshot equals what ip -j says, with a deadline.
    await pollUntil(async () => {
      const fresh = (await createDiscovery().full()).topology;
      for (const k of ['a', 'b', 'h0', 'bindA']) {
        if ((await differences(fresh, k)).length > 0) return false;
      }
      return true;
    }, 'snapshot equal to ip -j').catch(async (e: unknown) => {
      const fresh = (await createDiscovery().full()).topology;
      throw new Error(`${String(e)}: ${JSON.stringify(await differences(fresh, 'a'))}`);
    });
    expect(iface('a', 'va').addresses).toEqual(
      expect.arrayContaining([
        { family: 'inet', cidr: '10.77.0.1/24', scope: 'global', broadcast: null },
        expect.objectContaining({ family: 'inet6', cidr: 'fd77::1/64' }),
      ]),
    );
    expect(
      topo.routes
        .filter((r) => r.namespace === nsId(inodes.a!) && r.table === '100')
        .map((r) => [r.family, r.dst, r.gateway]),
    ).toEqual(
      expect.arrayContaining([
        ['inet', '10.78.0.0/24', '10.77.0.2'],
        ['inet6', 'fd78::/64', 'fd77::2'],
      ]),
    );
  });

  it('refreshes one namespace and drops vanished ones', async () => {
    const d = createDiscovery();
    await d.full();
    await sh(`ip -n ${P}b addr add 10.77.9.9/32 dev q2`);
    const { topology } = await d.refresh([inodes.b!]);
    const q2 = topology.interfaces.find((i) => i.namespace === nsId(inodes.b!) && i.name === 'q2');
    expect(q2?.addresses.map((a) => a.cidr)).toContain('10.77.9.9/32');
    expect(topology.interfaces.find((i) => i.id === iface('a', 'p2').id)?.peer).toBe(q2?.id);
    await holders[3]!.stop();
    await pollUntil(async () => !(await d.listInodes()).has(inodes.h3!), 'h3 gone');
    const after = await d.refresh([]);
    expect(after.topology.namespaces.some((n) => n.inode === inodes.h3)).toBe(false);
  });

  it('refreshes with the last scan when asked, and scans again when a namespace moved', async () => {
    const d = createDiscovery();
    await d.full();
    const holder = await spawnNetnsHolder();
    const ino = statSync(holder.path).ino;
    try {
      // Reusing the scan: a namespace born since is not looked for...
      await sh(`ip -n ${P}b addr add 10.77.9.10/32 dev q2`);
      const reused = await d.refresh([inodes.b!], { reuseScan: true });
      expect(reused.topology.namespaces.some((n) => n.inode === ino)).toBe(false);
      // ...but what changed in the namespace asked for is read.
      const q2 = reused.topology.interfaces.find((i) => i.namespace === nsId(inodes.b!) && i.name === 'q2');
      expect(q2?.addresses.map((a) => a.cidr)).toContain('10.77.9.10/32');
      // A scan finds it; once its holder is gone, asking for it with reuse scans again and drops it.
      expect((await d.refresh([])).topology.namespaces.some((n) => n.inode === ino)).toBe(true);
      await holder.stop();
      await pollUntil(async () => !(await d.listInodes()).has(ino), 'holder gone');
      const after = await d.refresh([ino], { reuseScan: true });
      expect(after.topology.namespaces.some((n) => n.inode === ino)).toBe(false);
    } finally {
      await holder.stop();
      await sh(`ip -n ${P}b addr del 10.77.9.10/32 dev q2`);
    }
  });

  it('gives new namespaces host nsids and returns the map, which refreshes then carry', async () => {
    const d = createDiscovery();
    await d.full();
    const fresh = await spawnNetnsHolder();
    try {
      const ino = statSync(fresh.path).ino;
      const listIds = async () =>
        new Set((await ipJson<Array<{ nsid: number }>>(['netns', 'list-id'])).map((e) => e.nsid));
      const before = await listIds();
      const map = await d.ensureHostNsids([ino]);
      const nsid = [...(map ?? new Map<number, number>())].find(([, i]) => i === ino)?.[0];
      expect(nsid).toBeDefined();
      expect(before.has(nsid!)).toBe(false);
      expect((await listIds()).has(nsid!)).toBe(true);
      // The host was not read again, yet a refresh of another namespace carries the new entry.
      const { hostNsids } = await d.refresh([inodes.b!]);
      expect(hostNsids.get(nsid!)).toBe(ino);
      expect(hostNsids).toEqual((await d.full()).hostNsids);
    } finally {
      await fresh.stop();
    }
  });

  it('gives every namespace a host nsid without pinning it', async () => {
    const d = createDiscovery();
    await d.ensureHostNsids();
    const { hostNsids } = await d.full();
    const mapped = new Set(hostNsids.values());
    for (const k of ['a', 'b', 'bindA', 'bindB', 'h0']) expect(mapped.has(inodes[k]!)).toBe(true);
    expect(await sh('ls /run/netns')).not.toMatch(/^[0-9]+$/m);
  });
});
