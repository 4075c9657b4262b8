/** Unit tests over recorded `ip -j -d -b -` output (__fixtures__/mixed.json, recorded by record.ts). */
import { describe, expect, it } from 'vitest';
import type { Interface } from '../../common/model.js';
import { assemble, describeNamespace } from './assemble.js';
import { parseContainerList } from './docker.js';
import type { NamespaceRead } from './ipParse.js';
import { parseBatch, parseRoutes } from './ipParse.js';
import { namespacesNeedingMaps, resolve } from './peers.js';
import { parseCgroup, parseNetnsMounts } from './procParse.js';
import { nsId, parseNsId } from '../../common/ids.js';
import { loadFixture, recordedReads } from './testing/recordedScene.js';

const fixture = loadFixture('mixed.json');
const reads = (withNsids = true): Map<number, NamespaceRead> => recordedReads(fixture, withNsids);

function byName(ifaces: Interface[]): Map<string, Interface> {
  return new Map(ifaces.map((i) => [i.name + '@' + i.namespace, i]));
}

const nsOf = (name: string): string => {
  const e = Object.entries(fixture.namespaces).find(([, v]) => v.names.includes(name));
  if (!e) throw new Error(name);
  return nsId(Number(e[0]));
};
const unnamedWith = (ifname: string): string => {
  const e = Object.entries(fixture.namespaces).find(([, v]) => v.stdout.includes(`"ifname":"${ifname}"`));
  if (!e) throw new Error(ifname);
  return nsId(Number(e[0]));
};

describe('parsing ip -j batch output', () => {
  it('reads links, addresses, kinds, masters and routes of both families', () => {
    const r = reads();
    const a = r.get(parseNsId(nsOf('nxexp1'))!)!;
    const kinds = Object.fromEntries(a.links.map((l) => [l.iface.name, l.iface.kind]));
    expect(kinds).toEqual({
      lo: 'loopback',
      va: 'veth',
      br0: 'bridge',
      p1: 'veth',
      p2: 'veth',
      mv0: 'macvlan',
      vx0: 'vxlan',
      tp0: 'tap',
    });
    const va = a.links.find((l) => l.iface.name === 'va')!.iface;
    expect(va.addresses.map((x) => [x.family, x.cidr, x.scope])).toEqual([
      ['inet', '10.9.0.1/24', 'global'],
      ['inet6', 'fd00::1/64', 'global'],
    ]);
    expect(a.links.find((l) => l.iface.name === 'p1')!.iface.bridgePortState).toBe('disabled');
    expect(a.routes.find((x) => x.table === '100')).toMatchObject({
      family: 'inet',
      dst: '10.8.0.0/24',
      gateway: '10.9.0.2',
      dev: 'va',
    });
    expect(a.routes.filter((x) => x.family === 'inet6').map((x) => x.dst)).toContain('fd00::/64');
    expect(new Set(a.routes.map((x) => x.id)).size).toBe(a.routes.length);
  });

  it('treats missing batch lines (ip stops at the first failure) as an error', () => {
    const stdout = fixture.namespaces[String(fixture.hostInode)]!.stdout.split('\n')[0]!;
    const p = parseBatch(1, stdout + '\n', true);
    expect(p.read).toBeNull();
    expect(p.error).toMatch(/1 of 3/);
  });

  it('keeps multipath and duplicate-id routes apart', () => {
    const r = parseRoutes(7, 'inet', [
      {
        dst: 'default',
        nexthops: [
          { gateway: '10.0.0.1', dev: 'a' },
          { gateway: '10.0.0.2', dev: 'b' },
        ],
        flags: [],
      },
      { dst: '10.5.0.0/16', dev: 'a', flags: [], tos: 'lowdelay' },
      { dst: '10.5.0.0/16', dev: 'a', flags: [] },
    ]);
    expect(r[0]).toMatchObject({ gateway: '10.0.0.1', dev: 'a', table: 'main', type: 'unicast' });
    expect(r[0]!.id).toBe('rt-7:inet:main:unicast:default:a:10.0.0.1:');
    expect(r[2]!.id).toBe(`${r[1]!.id}#2`);
  });
});

describe('veth peer resolution', () => {
  it('pairs every veth exactly, despite colliding ifindexes and nsids', () => {
    const { interfaces, links } = resolve({ reads: reads(), unreadable: new Map() });
    const n = byName(interfaces);
    const peerName = (name: string, ns: string): string | undefined => {
      const p = n.get(`${name}@${ns}`)?.peer;
      return interfaces.find((i) => i.id === p)?.name + '@' + interfaces.find((i) => i.id === p)?.namespace;
    };
    expect(peerName('va', nsOf('nxexp1'))).toBe(`vb@${nsOf('nxexp2')}`);
    expect(peerName('va', nsOf('nxreca'))).toBe(`vb@${nsOf('nxrecb')}`);
    expect(peerName('s1', nsOf('nxreca'))).toBe(`s2@${nsOf('nxreca')}`);
    expect(peerName('nxr0', unnamedWith('nxr0'))).toBe(`nxr1@${unnamedWith('nxr1')}`);
    expect(peerName('nxr3', unnamedWith('nxr3'))).toBe(`nxr2@${unnamedWith('nxr2')}`);
    expect(peerName('nxrh', nsId(fixture.hostInode))).toBe(`nxrc@${nsOf('nxrecb')}`);
    expect(interfaces.filter((i) => i.kind === 'veth').every((i) => i.peer && !i.peerUnresolved)).toBe(true);
    expect(links).toHaveLength(interfaces.filter((i) => i.kind === 'veth').length / 2);
    expect(n.get(`mv0@${nsOf('nxreca')}`)?.lower).toBe(n.get(`s2@${nsOf('nxreca')}`)?.id);
    expect(n.get(`s1@${nsOf('nxreca')}`)?.master).toBe(n.get(`br0@${nsOf('nxreca')}`)?.id);
  });

  it('shows that numbers alone would be ambiguous here', () => {
    const r = reads();
    const va = r.get(parseNsId(nsOf('nxexp1'))!)!.links.find((l) => l.iface.name === 'va')!;
    const candidates = [...r.entries()].filter(
      ([ino, x]) =>
        nsId(ino) !== nsOf('nxexp1') &&
        x.links.some(
          (l) =>
            l.iface.ifindex === va.pointer!.index &&
            l.pointer?.index === va.iface.ifindex &&
            l.pointer.nsid !== null,
        ),
    );
    expect(candidates.length).toBeGreaterThan(1);
  });

  it('never guesses without nsid maps: cross-namespace peers are unresolved, same-namespace ones resolved', () => {
    const { interfaces } = resolve({ reads: reads(false), unreadable: new Map() });
    const n = byName(interfaces);
    expect(n.get(`va@${nsOf('nxexp1')}`)?.peer).toBeNull();
    expect(n.get(`va@${nsOf('nxexp1')}`)?.peerUnresolved).toMatch(/nsid 0 of .* could not be mapped/);
    expect(n.get(`s1@${nsOf('nxreca')}`)?.peer).toBe(n.get(`s2@${nsOf('nxreca')}`)?.id);
  });

  it('proves a pair from whichever side has a map, and asks for one map per ambiguous pair', () => {
    const r = reads();
    const host = fixture.hostInode;
    for (const [ino, x] of r) if (ino !== host) x.nsids = null;
    const res = resolve({ reads: r, unreadable: new Map() });
    const n = byName(res.interfaces);
    // The host's map proves host<->namespace pairs from the host side.
    expect(n.get(`nxrc@${nsOf('nxrecb')}`)?.peer).toBe(n.get(`nxrh@ns-${host}`)?.id);
    expect(n.get(`va@${nsOf('nxexp1')}`)?.peer).toBeNull();
    const need = namespacesNeedingMaps({ reads: r, unreadable: new Map() });
    // Never the host (its map is always read); one side of a pair whose numbers are unique.
    expect(need.includes(host)).toBe(false);
    const uniq = [unnamedWith('nxr0'), unnamedWith('nxr1')].map((x) => need.includes(parseNsId(x)!));
    expect(uniq.filter(Boolean)).toHaveLength(1);
    // With just those maps every veth is resolved.
    const full = reads();
    for (const [ino, x] of r) x.nsids = need.includes(ino) || ino === host ? full.get(ino)!.nsids : null;
    const res2 = resolve({ reads: r, unreadable: new Map() });
    expect(res2.interfaces.filter((i) => i.kind === 'veth' && !i.peer)).toEqual([]);
  });

  it('reports a peer in a namespace that could not be read, or a stale nsid', () => {
    const r = reads();
    const b = parseNsId(nsOf('nxexp2'))!;
    r.delete(b);
    const { interfaces } = resolve({ reads: r, unreadable: new Map([[b, 'permission denied']]) });
    expect(byName(interfaces).get(`va@${nsOf('nxexp1')}`)?.peerUnresolved).toMatch(
      /could not be read: permission denied/,
    );

    const r2 = reads();
    // A map without the nsid, on both sides: nothing can prove the pair.
    r2.get(parseNsId(nsOf('nxexp1'))!)!.nsids = new Map();
    r2.get(parseNsId(nsOf('nxexp2'))!)!.nsids = new Map();
    const res2 = resolve({ reads: r2, unreadable: new Map() });
    expect(byName(res2.interfaces).get(`va@${nsOf('nxexp1')}`)?.peerUnresolved).toMatch(
      /nsid 0 .* denotes no namespace/,
    );
  });

  it('rejects a peer that does not point back', () => {
    const r = reads();
    const vb = r.get(parseNsId(nsOf('nxexp2'))!)!.links.find((l) => l.iface.name === 'vb')!;
    vb.pointer = { ...vb.pointer!, index: 99 };
    const { interfaces } = resolve({ reads: r, unreadable: new Map() });
    expect(byName(interfaces).get(`va@${nsOf('nxexp1')}`)?.peer).toBeNull();
    expect(byName(interfaces).get(`va@${nsOf('nxexp1')}`)?.peerUnresolved).toMatch(
      /not back|does not point back/,
    );
  });
});

describe('namespaces and containers', () => {
  it('parses nsfs mounts of network namespaces only, unescaping paths', () => {
    const info = [
      '600 30 0:4 net:[4026532177] /run/netns/a\\040b rw shared:5 - nsfs nsfs rw',
      '601 30 0:4 mnt:[4026532178] /run/mntns rw - nsfs nsfs rw',
      '602 30 0:40 / /run rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(parseNetnsMounts(info)).toEqual([{ inode: 4026532177, path: '/run/netns/a b' }]);
  });

  it('recognises container runtimes in /proc/PID/cgroup', () => {
    const id = 'a'.repeat(64);
    expect(parseCgroup(`0::/docker/${id}\n`)).toEqual({ runtime: 'docker', id });
    expect(parseCgroup(`0::/system.slice/docker-${id}.scope\n`)).toEqual({ runtime: 'docker', id });
    expect(parseCgroup(`0::/machine.slice/libpod-${id}.scope/container\n`)).toEqual({
      runtime: 'podman',
      id,
    });
    expect(
      parseCgroup(
        `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podx.slice/cri-containerd-${id}.scope\n`,
      ),
    ).toEqual({ runtime: 'kubernetes', id });
    expect(parseCgroup(`12:pids:/kubepods/besteffort/pod0f1e-22/${id}\n`)).toEqual({
      runtime: 'kubernetes',
      id,
    });
    expect(parseCgroup(`0::/default/${id}\n`)).toEqual({ runtime: 'containerd', id });
    expect(parseCgroup('0::/user.slice/user-0.slice/session-1.scope\n')).toBeNull();
  });

  it('names namespaces by kind: host, named, container (Docker name), --net host user, process', () => {
    const id = 'b'.repeat(64);
    const docker = parseContainerList([
      { Id: id, Names: ['/web'], Image: 'nx:busybox', HostConfig: { NetworkMode: 'bridge' } },
      { Id: 'c'.repeat(64), Names: ['/hostnet'], Image: 'nx:busybox', HostConfig: { NetworkMode: 'host' } },
    ]);
    const found = (inode: number, pids: number[], netnsNames: string[] = []) => ({
      inode,
      pids,
      netnsNames,
      mounts: [],
      fds: [],
    });
    const c = describeNamespace(
      {
        found: found(5, [42]),
        isHost: false,
        comms: new Map([[42, 'sh']]),
        cgroups: new Map([[42, { runtime: 'docker', id }]]),
      },
      docker,
    );
    expect(c).toMatchObject({
      kind: 'container',
      name: 'web',
      containers: [{ name: 'web', image: 'nx:busybox', sharedNamespace: false }],
    });
    const h = describeNamespace(
      {
        found: found(1, [1, 50]),
        isHost: true,
        comms: new Map(),
        cgroups: new Map([[50, { runtime: 'docker', id: 'c'.repeat(64) }]]),
      },
      docker,
    );
    expect(h).toMatchObject({ kind: 'host', containers: [{ name: 'hostnet', sharedNamespace: true }] });
    const p = describeNamespace(
      { found: found(6, [7, 9]), isHost: false, comms: new Map([[7, 'sleep']]), cgroups: new Map() },
      null,
    );
    expect(p).toMatchObject({ kind: 'process', name: 'pid 7 (sleep)', pids: [7, 9] });
    const n = describeNamespace(
      { found: found(8, [], ['blue']), isHost: false, comms: new Map(), cgroups: new Map() },
      null,
    );
    expect(n).toMatchObject({ kind: 'named', name: 'blue', netnsNames: ['blue'] });
  });

  it('assembles a normalized topology and marks unreadable namespaces', () => {
    const r = reads();
    const ns = Object.entries(fixture.namespaces).map(([ino, v]) =>
      describeNamespace(
        {
          found: { inode: Number(ino), pids: [], netnsNames: v.names, mounts: [], fds: [] },
          isHost: Number(ino) === fixture.hostInode,
          comms: new Map(),
          cgroups: new Map(),
        },
        null,
      ),
    );
    const gone = parseNsId(nsOf('nxexp2'))!;
    r.delete(gone);
    const { topology, errors } = assemble({
      namespaces: ns,
      reads: r,
      unreadable: new Map([[gone, 'vanished']]),
    });
    expect(topology.namespaces.find((x) => x.inode === gone)?.error).toBe('vanished');
    expect(errors.some((e) => e.includes('vanished'))).toBe(true);
    expect(topology.interfaces.map((i) => i.id)).toEqual([...topology.interfaces.map((i) => i.id)].sort());
    expect(topology.interfaces.some((i) => i.namespace === nsId(gone))).toBe(false);
  });
});
