/**
 * The native reader against the `ip` reader (the oracle) on real, randomized topologies, and its
 * promises: nothing left open, a vanished namespace drops out, a failure stays with its namespace.
 */
import { nsId } from '../../common/ids.js';
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { createDiscovery } from '../discovery/index.js';
import { scanNamespaces } from '../discovery/enumerate.js';
import { onSpawn } from '../exec/run.js';
import { ipJson, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import { randomScene } from '../../test/randomScene.js';
import type { NsKind, TestNamespaces } from '../../test/testNamespaces.js';
import { makeNamespaces, partOf } from '../../test/testNamespaces.js';
import { createNativeDiscovery } from './discovery.js';
import { loadRouteNames } from './names.js';
import { VANISHED, readNative } from './nativeReads.js';
import { nativeStatus } from './binding.js';

const made: TestNamespaces[] = [];
afterAll(async () => {
  for (const m of made) await m.remove();
});

async function namespaces(prefix: string, kinds: NsKind[]): Promise<TestNamespaces> {
  const m = await makeNamespaces(prefix, kinds);
  made.push(m);
  return m;
}

/** The oracle: discovery's ip reader with every namespace's full nsid map. */
const oracle = () => createDiscovery({ inlineNsidLimit: 1_000_000 });

async function bothAgree(inodes: number[]): Promise<{ native: Topology; ip: Topology }> {
  const native = createNativeDiscovery();
  let last: { native: Topology; ip: Topology } | null = null;
  // The kernel may still settle (carrier, port states) between the two reads: read both again
  // until they agree, then assert exact equality.
  await pollUntil(
    async () => {
      const n = partOf((await native.full()).topology, inodes);
      const i = partOf((await oracle().full()).topology, inodes);
      last = { native: n, ip: i };
      return JSON.stringify(n) === JSON.stringify(i);
    },
    'the native and the ip model to agree',
    30_000,
  ).catch(() => undefined);
  expect(last).not.toBeNull();
  const { native: n, ip: i } = last!;
  expect(n).toEqual(i);
  return last!;
}

describe('native reader (kernel)', () => {
  it('is built', () => {
    expect(nativeStatus()).toEqual({ available: true, reason: '' });
  });

  const seeds = (process.env['NX_SEEDS'] ?? '11,23,37').split(',').map(Number);
  for (const seed of seeds) {
    it(`randomized topology (seed ${seed}): the native model equals the ip model`, async () => {
      const kinds: NsKind[] = ['named', 'process', 'named', 'bind', 'named', 'process', 'named'];
      const m = await namespaces(uniquePrefix('nd'), kinds);
      const { script, counts } = randomScene(m.paths, seed, 20 + (seed % 200));
      await sh(script);
      const { native } = await bothAgree(m.inodes);
      expect(native.namespaces.map((n) => n.inode).sort()).toEqual([...m.inodes].sort());
      // Every veth pair was resolved, across namespaces whose ifindexes collide.
      expect(native.links.length).toBe(counts.crossVeths + counts.localVeths);
      expect(native.interfaces.filter((i) => i.peerUnresolved !== null)).toEqual([]);
      // And the interfaces are those ip lists in each namespace.
      for (const [k, path] of m.paths.entries()) {
        const links = await ipJson<Array<{ ifname: string }>>(['link'], { path });
        const mine = native.interfaces.filter((i) => i.namespace === nsId(m.inodes[k]!));
        expect(mine.map((i) => i.name).sort()).toEqual(links.map((l) => l.ifname).sort());
      }
    });
  }

  it('a namespace that vanishes before it is entered drops out; the rest is read', async () => {
    const m = await namespaces(uniquePrefix('nv'), ['named', 'named', 'named']);
    await sh(`ip -n ${m.paths[0]!.split('/').pop()} link add x0 type veth peer name x1`);
    const scan = scanNamespaces({ fds: false });
    await sh(`ip netns del ${m.paths[1]!.split('/').pop()}`);
    const out = await readNative(scan, m.inodes, loadRouteNames());
    expect(out.get(m.inodes[1]!)).toEqual({ error: VANISHED });
    const first = out.get(m.inodes[0]!);
    expect(first && 'read' in first && first.read.links.map((l) => l.iface.name).sort()).toEqual([
      'lo',
      'x0',
      'x1',
    ]);
    expect(out.get(m.inodes[2]!)).toHaveProperty('read');
    const full = await createNativeDiscovery().full();
    expect(full.topology.namespaces.map((n) => n.inode)).not.toContain(m.inodes[1]);
  });

  it('a namespace deleted during a full read is either read whole or absent, never an error', async () => {
    const kinds: NsKind[] = Array.from({ length: 12 }, () => 'named');
    const m = await namespaces(uniquePrefix('nm'), kinds);
    for (const p of m.paths) await sh(`nsenter --net=${p} ip link set lo up`);
    const victim = m.paths[6]!.split('/').pop()!;
    const reading = createNativeDiscovery().full();
    await sh(`ip netns del ${victim}`);
    const t = partOf((await reading).topology, m.inodes);
    const gone = t.namespaces.find((n) => n.inode === m.inodes[6]);
    if (gone) expect(gone.error).toBeNull();
    expect(t.namespaces.filter((n) => n.error !== null)).toEqual([]);
    const survivors = m.inodes.filter((_, i) => i !== 6);
    await bothAgree(survivors);
  });

  it('a namespace that cannot be entered gets the error; the others are read', async () => {
    const m = await namespaces(uniquePrefix('ne'), ['named', 'named']);
    const scan = scanNamespaces({ fds: false });
    // A namespace file setns(CLONE_NEWNET) refuses: our own mount namespace, in place of one.
    const mnt = '/proc/self/ns/mnt';
    const fake = {
      inode: (await import('node:fs')).statSync(mnt).ino,
      netnsNames: [],
      mounts: [mnt],
      pids: [],
      fds: [],
    };
    scan.namespaces.set(fake.inode, fake);
    const out = await readNative(scan, [m.inodes[0]!, fake.inode, m.inodes[1]!], loadRouteNames());
    expect(out.get(fake.inode)).toEqual({ error: 'setns: Invalid argument' });
    expect(out.get(m.inodes[0]!)).toHaveProperty('read');
    expect(out.get(m.inodes[1]!)).toHaveProperty('read');
  });

  it('refreshes start no process, keep no fd or namespace, and match the ip model after a change', async () => {
    const m = await namespaces(uniquePrefix('nf'), ['named', 'process']);
    await sh(`nsenter --net=${m.paths[0]} ip link add f0 type veth peer name f1 netns ${m.paths[1]}`);
    const d = createNativeDiscovery();
    await d.full();
    const fdsBefore = readdirSync('/proc/self/fd').length;
    const spawned: string[] = [];
    const off = onSpawn((argv) => spawned.push(argv.join(' ')));
    try {
      for (let k = 0; k < 300; k++) {
        if (k === 150) await sh(`nsenter --net=${m.paths[0]} ip addr add 10.9.9.${1 + (k % 200)}/24 dev f0`);
        await d.refresh([m.inodes[0]!, m.inodes[1]!], { reuseScan: true });
      }
      for (let k = 0; k < 5; k++) await d.full();
    } finally {
      off();
    }
    expect(spawned).toEqual([]);
    const after = await d.refresh([m.inodes[0]!]);
    const f0 = after.topology.interfaces.find((i) => i.namespace === nsId(m.inodes[0]!) && i.name === 'f0');
    expect(f0?.addresses.map((a) => a.cidr)).toContain('10.9.9.151/24');
    expect(f0?.peer).toMatch(new RegExp(`^if-${m.inodes[1]}-`));
    await pollUntil(() => readdirSync('/proc/self/fd').length <= fdsBefore, 'fds back to their count');
    // No fd of ours and no thread of ours is in a test namespace.
    const own = readlinkSync('/proc/self/ns/net');
    for (const t of readdirSync('/proc/self/task'))
      expect(readlinkSync(`/proc/self/task/${t}/ns/net`)).toBe(own);
    const links = readdirSync('/proc/self/fd').map((f) => {
      try {
        return readlinkSync(`/proc/self/fd/${f}`);
      } catch {
        return '';
      }
    });
    for (const ino of m.inodes) expect(links).not.toContain(`net:[${ino}]`);
  });
});

describe('netns-explorer snapshot (kernel)', () => {
  const cli = new URL('../cli.ts', import.meta.url).pathname;
  async function snapshot(
    env: Record<string, string>,
    args: string[] = [],
  ): Promise<{ stdout: string; stderr: string }> {
    const { execFile } = await import('node:child_process');
    return new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', cli, 'snapshot', ...args],
        { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
        (err, stdout, stderr) => (err && !stdout ? reject(err) : resolve({ stdout, stderr })),
      ),
    );
  }

  it('reads natively, and says in one line at start when it falls back to ip', async () => {
    const m = await namespaces(uniquePrefix('ns'), ['named']);
    const native = await snapshot({});
    expect(native.stderr).not.toContain('native reader unavailable');
    const viaIp = await snapshot({ NETNS_EXPLORER_NO_NATIVE: '1' });
    expect(viaIp.stderr.split('\n')[0]).toBe(
      'netns-explorer: native reader unavailable (disabled by NETNS_EXPLORER_NO_NATIVE=1); reading namespaces with ip instead (one process per namespace, slower)',
    );
    for (const out of [native.stdout, viaIp.stdout]) {
      const t = JSON.parse(out) as Topology;
      expect(t.namespaces.map((n) => n.inode)).toContain(m.inodes[0]);
    }
    const [a, b] = [native.stdout, viaIp.stdout].map((s) => partOf(JSON.parse(s) as Topology, m.inodes));
    expect(a).toEqual(b);
    // Not a terminal: one line, as `ip -j`; --pretty indents the same model.
    expect(native.stdout.trimEnd().split('\n')).toHaveLength(1);
    const pretty = await snapshot({}, ['--pretty']);
    expect(pretty.stdout).toContain('\n  "namespaces": [');
    expect(partOf(JSON.parse(pretty.stdout) as Topology, m.inodes)).toEqual(a);
    // execFile's error carries stderr: refused before reading anything, nothing on stdout.
    await expect(snapshot({}, ['--bogus'])).rejects.toThrow('unknown argument "--bogus"');
  });
});
