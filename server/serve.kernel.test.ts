/**
 * The real server, the real discovery and kernel events: after heavy churn made from outside
 * (namespaces named and process-held, veths, addresses, routes, added and removed), every
 * client's snapshot + deltas equals a fresh discovery. The periodic resync is switched off, so
 * only events can get the clients there.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../common/model.js';
import { normalizeTopology } from '../common/model.js';
import { diffTopology } from '../common/delta.js';
import { createDiscovery, namespacePath } from './discovery/index.js';
import { cleanupPrefix, pollUntil, sh, spawnNetnsHolder, uniquePrefix } from '../test/kernel.js';
import type { Holder } from '../test/kernel.js';
import { startServer } from './serve.js';
import type { RunningServer } from './serve.js';
import { spawnIpMonitor } from './events/monitor.js';
import type { MonitorHandlers } from './events/monitor.js';
import { LiveClient, testServeOptions } from './testing/liveServer.js';
import { nsId } from '../common/ids.js';

const TOKEN = 'kernel-test-token-0123456789abcdef';
const bearer = { Authorization: `Bearer ${TOKEN}` };
const prefix = uniquePrefix('lv');
const holders: Holder[] = [];
const clients: LiveClient[] = [];
let srv: RunningServer;
let monitor: MonitorHandlers | null = null;
const discovery = createDiscovery();
/** A second instance for the test's own fresh reads, so they do not share the server's state. */
const reference = createDiscovery();

/**
 * The part of the topology this test owns (other tests and benchmarks churn the same kernel at
 * the same time). Process membership (pids, the process list, names derived from them) changes
 * with every fork and has no kernel event (the periodic resync refreshes it): left out too.
 */
function comparable(t: Topology): Topology {
  const holderPids = new Set(holders.map((h) => h.pid));
  const keep = new Set(
    t.namespaces
      .filter((n) => n.netnsNames.some((x) => x.startsWith(prefix)) || n.pids.some((p) => holderPids.has(p)))
      .map((n) => n.id),
  );
  const ifs = t.interfaces.filter((i) => keep.has(i.namespace) || i.name.startsWith(prefix));
  const ifIds = new Set(ifs.map((i) => i.id));
  return normalizeTopology({
    version: t.version,
    namespaces: t.namespaces
      .filter((n) => keep.has(n.id))
      .map((n) => ({ ...n, pids: [], processes: [], name: n.kind === 'process' ? '' : n.name })),
    interfaces: ifs,
    routes: t.routes.filter((r) => keep.has(r.namespace) || (r.dev ?? '').startsWith(prefix)),
    links: t.links.filter((l) => ifIds.has(l.a) || ifIds.has(l.b)),
  });
}

/** Does the client hold what a fresh discovery reads (of our part of the kernel)? */
async function converged(c: LiveClient): Promise<boolean> {
  // Give a refresh in flight a chance to land first (other tests' churn may keep it busy).
  await Promise.race([srv.scheduler.idle(), new Promise((r) => setTimeout(r, 2000))]);
  const fresh = comparable((await reference.full()).topology);
  const ops = diffTopology(comparable(c.topology), fresh);
  if (!ops) return true;
  // Not yet: the events of the last changes may still be on their way. Poll gently (a full
  // read costs seconds on a loaded machine and shares the child-process limit with the server).
  await new Promise((r) => setTimeout(r, 250));
  // Thrown, so that a timeout reports what still differs (and whether the server itself has it).
  const server = diffTopology(comparable(srv.hub.state.topology), fresh);
  throw new Error(
    `client differs from discovery by ${JSON.stringify(ops).slice(0, 1200)}; server differs by ${JSON.stringify(server).slice(0, 600)}`,
  );
}

function hostInode(): number {
  return statSync('/proc/self/ns/net').ino;
}

/** A client that has its first snapshot (closed after the tests). */
async function connected(): Promise<LiveClient> {
  const c = await LiveClient.open(liveUrl(), bearer);
  clients.push(c);
  await pollUntil(() => c.snapshots === 1, 'snapshot');
  return c;
}

function liveUrl(query = ''): string {
  return `ws://127.0.0.1:${srv.port}/api/live${query}`;
}

/** Small seeded PRNG so a failing run can be replayed (the seed is printed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeAll(async () => {
  // Something of ours exists before the server starts, so the first snapshot has content to match.
  holders.push(await spawnNetnsHolder());
  await sh(`
    ip netns add ${prefix}s1; ip netns add ${prefix}s2
    ip -n ${prefix}s1 link add ${prefix}sa type veth peer name ${prefix}sb netns ${prefix}s2
    ip -n ${prefix}s1 addr add 10.91.0.1/24 dev ${prefix}sa; ip -n ${prefix}s1 link set ${prefix}sa up
    ip -n ${prefix}s2 link add ${prefix}sc type veth peer name ${prefix}sd netns ${holders[0]!.pid}
    ip -n ${prefix}s2 route add blackhole 10.92.0.0/16
  `);
  const options = testServeOptions(TOKEN, { readOnly: true, readOnlyReason: 'test' });
  srv = await startServer(options, {
    discovery,
    namespacePath,
    resyncMs: 3_600_000,
    log: (l) => process.stderr.write(`[live ${new Date().toISOString().slice(11, 23)}] ${l}\n`),
    spawnMonitor: (h) => {
      monitor = h;
      return spawnIpMonitor(h);
    },
  });
});

afterAll(async () => {
  try {
    await Promise.all(clients.map((c) => c.close()));
    await srv?.close();
  } finally {
    await Promise.all(holders.map((h) => h.stop()));
    await cleanupPrefix(prefix);
  }
});

describe('live server on the real kernel', () => {
  it('the snapshot over WebSocket equals a fresh discovery', { timeout: 200_000 }, async () => {
    const c = await connected();
    const ours = comparable(c.topology);
    expect(ours.namespaces).toHaveLength(3);
    expect(ours.links).toHaveLength(2);
    await pollUntil(() => converged(c), 'snapshot equals discovery', 120_000);
  });

  it(
    'after 200 random kernel changes every client equals a fresh discovery, with no seq gaps',
    { timeout: 400_000 },
    async () => {
      const a = await LiveClient.open(liveUrl(), bearer);
      const b = await LiveClient.open(liveUrl(), { Cookie: 'x=y', ...bearer });
      clients.push(a, b);
      await pollUntil(() => a.snapshots === 1 && b.snapshots === 1, 'snapshots');
      const seed = Date.now() % 100_000;
      console.log(`churn seed ${seed}`);
      const rand = rng(seed);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const named: string[] = [];
      const veths: Array<{ name: string; ns: string }> = [];
      const addrs: Array<{ dev: string; ns: string; cidr: string }> = [];
      const routes: Array<{ ns: string; dst: string }> = [];
      let k = 0;
      const nsArg = (ns: string) =>
        ns === 'host' ? '' : /^\d+$/.test(ns) ? `-n /proc/${ns}/ns/net` : `-n ${ns}`;
      const target = (ns: string) => (ns === 'host' ? '' : `netns ${/^\d+$/.test(ns) ? ns : ns}`);
      for (let step = 0; step < 200; step++) {
        const spaces = [...named, ...holders.map((h) => String(h.pid))];
        const r = rand();
        k++;
        let cmd = '';
        if (spaces.length < 2 || (r < 0.12 && named.length < 8)) {
          const n = `${prefix}n${k}`;
          named.push(n);
          cmd = `ip netns add ${n} && ip -n ${n} link set lo up`;
        } else if (r < 0.17 && holders.length < 3) {
          holders.push(await spawnNetnsHolder());
          continue;
        } else if (r < 0.22 && named.length > 2) {
          const n = named.splice(Math.floor(rand() * named.length), 1)[0]!;
          cmd = `ip netns del ${n}`;
        } else if (r < 0.45) {
          const ns = pick([...spaces, 'host']);
          const other = pick(spaces);
          const name = `${prefix}v${k}`;
          veths.push({ name, ns });
          const into = ns === 'host' ? '' : /^\d+$/.test(ns) ? `netns ${ns}` : `netns ${ns}`;
          cmd = `ip ${nsArg(other)} link add ${name}p type veth peer name ${name} ${into}`;
          void target;
        } else if (r < 0.55 && veths.length > 0) {
          const v = veths.splice(Math.floor(rand() * veths.length), 1)[0]!;
          cmd = `ip ${nsArg(v.ns)} link del dev ${v.name}`;
        } else if (r < 0.65 && veths.length > 0) {
          const v = pick(veths);
          cmd = `ip ${nsArg(v.ns)} link set dev ${v.name} ${rand() < 0.5 ? 'up' : 'down'}`;
        } else if (r < 0.78 && veths.length > 0) {
          const v = pick(veths);
          const cidr = `10.${100 + (k % 50)}.${k % 250}.${1 + (k % 200)}/24`;
          addrs.push({ dev: v.name, ns: v.ns, cidr });
          cmd = `ip ${nsArg(v.ns)} addr add ${cidr} dev ${v.name}`;
        } else if (r < 0.85 && addrs.length > 0) {
          const x = addrs.splice(Math.floor(rand() * addrs.length), 1)[0]!;
          cmd = `ip ${nsArg(x.ns)} addr del ${x.cidr} dev ${x.dev}`;
        } else if (r < 0.95) {
          const ns = pick(spaces);
          const dst = `10.${200 + (k % 50)}.${k % 250}.0/24`;
          routes.push({ ns, dst });
          cmd = `ip ${nsArg(ns)} route add blackhole ${dst}`;
        } else if (routes.length > 0) {
          const x = routes.splice(Math.floor(rand() * routes.length), 1)[0]!;
          cmd = `ip ${nsArg(x.ns)} route del blackhole ${x.dst}`;
        } else if (holders.length > 0) {
          await holders.splice(Math.floor(rand() * holders.length), 1)[0]!.stop();
          continue;
        }
        // Some random steps are impossible (the device went with its namespace): that is churn too.
        await sh(`${cmd} 2>/dev/null || true`);
      }
      for (const c of [a, b]) await pollUntil(() => converged(c), 'client equals discovery', 240_000);
      expect(a.gaps).toEqual([]);
      expect(b.gaps).toEqual([]);
      // Bursts coalesce (more so on a loaded machine), so fewer deltas than changes.
      expect(a.deltas).toBeGreaterThan(0);
      // (A second snapshot would only come from an epoch change: lost events under heavy load.)
      expect(a.snapshots).toBe(b.snapshots);
      // Every delta is small: one change never ships a whole snapshot.
      const sizes = a.messages.filter((m) => m.type === 'delta').map((m) => JSON.stringify(m).length);
      console.log(`deltas: ${sizes.length}, median ${sizes.sort((x, y) => x - y)[sizes.length >> 1]} bytes`);
    },
  );

  it(
    'reconnecting resyncs: a new connection gets a snapshot with what changed while away',
    { timeout: 300_000 },
    async () => {
      const c = await connected();
      await c.close();
      expect(comparable(c.topology).routes.some((r) => r.dst === '10.93.0.0/16')).toBe(false);
      // A change in a namespace the server already watches, made while the client is away.
      await sh(`ip -n ${prefix}s1 route add blackhole 10.93.0.0/16`);
      await pollUntil(
        () => srv.hub.state.topology.routes.some((r) => r.dst === '10.93.0.0/16'),
        'server saw the change',
        120_000,
      );
      const fresh = await LiveClient.open(liveUrl(), bearer);
      clients.push(fresh);
      await pollUntil(() => converged(fresh), 'reconnected client equals discovery', 120_000);
      expect(fresh.topology.routes.some((r) => r.dst === '10.93.0.0/16')).toBe(true);
    },
  );

  it(
    'host bridge ports reaching forwarding are shown (read without their routes), routes and all equal discovery',
    { timeout: 200_000 },
    async () => {
      const c = await connected();
      // Our own bridge in the host: ports wait forward_delay (2 s) in learning, then each gets an
      // event that changes nothing but its STP state. One port also has an address and a route.
      const br = `${prefix}br`;
      await sh(`ip link add ${br} type bridge forward_delay 200; ip link set ${br} up
        for i in 0 1 2; do
          ip link add ${prefix}p$i type veth peer name ${prefix}q$i netns ${prefix}s2
          ip link set ${prefix}p$i master ${br} up; ip -n ${prefix}s2 link set ${prefix}q$i up
        done
        ip addr add 10.94.0.1/24 dev ${br}; ip route add 10.95.0.0/16 via 10.94.0.2`);
      const port = (t: Topology, i: number) =>
        t.interfaces.find((x) => x.name === `${prefix}p${i}` && x.namespace === nsId(hostInode()));
      await pollUntil(
        () => [0, 1, 2].every((i) => port(c.topology, i)?.bridgePortState === 'forwarding'),
        'ports forwarding',
        60_000,
      );
      await pollUntil(() => converged(c), 'client equals discovery', 120_000);
      expect(c.topology.routes.some((r) => r.dst === '10.95.0.0/16' && r.dev === br)).toBe(true);
      await sh(`ip link del ${br}; for i in 0 1 2; do ip link del ${prefix}p$i; done`);
    },
  );

  it(
    'a process joining a namespace shows in its process list (no kernel event: the scan)',
    { timeout: 120_000 },
    async () => {
      const c = await connected();
      const child = spawn(
        '/usr/bin/nsenter',
        [
          `--net=/proc/${holders[0]!.pid}/ns/net`,
          '/usr/bin/setpriv',
          '--pdeathsig',
          'KILL',
          '/bin/sleep',
          '86400',
        ],
        { stdio: 'ignore' },
      );
      try {
        const pid = child.pid!;
        // A namespace that has a process already: the newcomer is not its oldest (its holder).
        const s1 = () => c.topology.namespaces.find((n) => n.pids.includes(holders[0]!.pid));
        await pollUntil(() => s1()?.pids.includes(pid), 'the joined process listed', 60_000);
        child.kill('SIGKILL');
        await pollUntil(() => s1() !== undefined && !s1()!.pids.includes(pid), 'the process gone', 60_000);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it('lost kernel events (ENOBUFS) make a full resync with a new epoch', { timeout: 200_000 }, async () => {
    const c = await connected();
    const before = c.epoch;
    monitor!.stderr('netlink receive error No buffer space available (105)\n');
    await pollUntil(() => c.snapshots >= 2, 'second snapshot', 150_000);
    expect(c.epoch).not.toBe(before);
    expect(c.gaps).toEqual([]);
  });

  it(
    'a change reaches the client as a small delta (latency printed, not asserted)',
    { timeout: 300_000 },
    async () => {
      const c = await connected();
      const n = `${prefix}lat`;
      await sh(`ip netns add ${n}; ip netns set ${n} auto; ip -n ${n} link set lo up`);
      await pollUntil(
        () => c.topology.namespaces.some((x) => x.netnsNames.includes(n)),
        'namespace seen',
        120_000,
      );
      const lat: number[] = [];
      const sizes: number[] = [];
      const nsIdOf = c.topology.namespaces.find((x) => x.netnsNames.includes(n))!.id;
      for (let i = 1; i <= 20; i++) {
        const before = c.messages.length;
        const t0 = performance.now();
        await sh(`ip -n ${n} addr add 10.77.0.${i}/32 dev lo`);
        await pollUntil(
          () => c.topology.interfaces.some((x) => x.addresses.some((a) => a.cidr === `10.77.0.${i}/32`)),
          'address seen',
          60_000,
        );
        lat.push(performance.now() - t0);
        const m = c.messages.slice(before).filter((x) => x.type === 'delta');
        expect(m.length).toBeGreaterThan(0);
        // Other tests churn the same kernel and their changes may share the delta: count ours.
        const mineOps = m
          .flatMap((x) => (x.type === 'delta' ? x.ops : []))
          .filter((o) => JSON.stringify(o).includes(nsIdOf));
        expect(mineOps.length).toBeGreaterThan(0);
        expect(mineOps.length).toBeLessThanOrEqual(6);
        sizes.push(JSON.stringify(mineOps).length);
      }
      lat.sort((x, y) => x - y);
      console.log(`change->client latency ms: median ${lat[10]!.toFixed(1)}, p95 ${lat[18]!.toFixed(1)}`);
      console.log(`bytes of this namespace's ops per change: max ${Math.max(...sizes)}`);
    },
  );
});
