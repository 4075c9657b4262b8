/**
 * One real server (real discovery, real kernel events, no periodic resync) for the live-server
 * kernel tests, with what they share: their own namespaces made before it starts, clients closed
 * and everything of theirs removed afterwards, and the comparison with a fresh discovery.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { Topology } from '../../common/model.js';
import { normalizeTopology } from '../../common/model.js';
import { diffTopology } from '../../common/delta.js';
import { createDiscovery, namespacePath } from '../discovery/index.js';
import { cleanupPrefix, pollUntil, sh, spawnNetnsHolder, uniquePrefix } from '../../test/kernel.js';
import type { Holder } from '../../test/kernel.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { spawnIpMonitor } from '../events/monitor.js';
import type { MonitorHandlers } from '../events/monitor.js';
import { LiveClient, testServeOptions } from './liveServer.js';

const TOKEN = 'kernel-test-token-0123456789abcdef';

export interface LiveKernelServer {
  prefix: string;
  bearer: { Authorization: string };
  /** Processes holding namespaces of the test (the first is made before the server starts). */
  holders: Holder[];
  /** Clients closed after the tests. */
  clients: LiveClient[];
  readonly srv: RunningServer;
  /** The server's `ip monitor` handlers (tests feed it lines such as ENOBUFS). */
  readonly monitor: MonitorHandlers | null;
  /** The part of a topology the test owns (see below). */
  comparable(t: Topology): Topology;
  /** Does the client hold what a fresh discovery reads (of our part of the kernel)? */
  converged(c: LiveClient): Promise<boolean>;
  /** A client that has its first snapshot (closed after the tests). */
  connected(): Promise<LiveClient>;
  liveUrl(query?: string): string;
}

/** Registers the server's beforeAll/afterAll; `tag` starts the test's namespace prefix. */
export function useLiveKernelServer(tag: string): LiveKernelServer {
  const bearer = { Authorization: `Bearer ${TOKEN}` };
  const prefix = uniquePrefix(tag);
  const holders: Holder[] = [];
  const clients: LiveClient[] = [];
  let srv: RunningServer | undefined;
  let monitor: MonitorHandlers | null = null;
  const discovery = createDiscovery();
  /** A second instance for the test's own fresh reads, so they do not share the server's state. */
  const reference = createDiscovery();
  const server = (): RunningServer => {
    if (!srv) throw new Error('the live server has not started');
    return srv;
  };

  /**
   * The part of the topology this test owns (other tests and benchmarks churn the same kernel at
   * the same time). Process membership (pids, the process list, names derived from them) changes
   * with every fork and has no kernel event (the periodic resync refreshes it): left out too.
   */
  function comparable(t: Topology): Topology {
    const holderPids = new Set(holders.map((h) => h.pid));
    const keep = new Set(
      t.namespaces
        .filter(
          (n) => n.netnsNames.some((x) => x.startsWith(prefix)) || n.pids.some((p) => holderPids.has(p)),
        )
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

  async function converged(c: LiveClient): Promise<boolean> {
    // Give a refresh in flight a chance to land first (other tests' churn may keep it busy).
    await Promise.race([server().scheduler.idle(), new Promise((r) => setTimeout(r, 2000))]);
    const fresh = comparable((await reference.full()).topology);
    const ops = diffTopology(comparable(c.topology), fresh);
    if (!ops) return true;
    // Not yet: the events of the last changes may still be on their way. Poll gently (a full
    // read costs seconds on a loaded machine and shares the child-process limit with the server).
    await new Promise((r) => setTimeout(r, 250));
    // Thrown, so that a timeout reports what still differs (and whether the server itself has it).
    const onServer = diffTopology(comparable(server().hub.state.topology), fresh);
    throw new Error(
      `client differs from discovery by ${JSON.stringify(ops).slice(0, 1200)}; server differs by ${JSON.stringify(onServer).slice(0, 600)}`,
    );
  }

  const liveUrl = (query = ''): string => `ws://127.0.0.1:${server().port}/api/live${query}`;

  async function connected(): Promise<LiveClient> {
    const c = await LiveClient.open(liveUrl(), bearer);
    clients.push(c);
    await pollUntil(() => c.snapshots === 1, 'snapshot');
    return c;
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

  return {
    prefix,
    bearer,
    holders,
    clients,
    get srv() {
      return server();
    },
    get monitor() {
      return monitor;
    },
    comparable,
    converged,
    connected,
    liveUrl,
  };
}

export function hostInode(): number {
  return statSync('/proc/self/ns/net').ino;
}

/** Small seeded PRNG so a failing run can be replayed (the seed is printed). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
