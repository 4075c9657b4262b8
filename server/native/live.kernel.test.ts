/**
 * The live server over the native discovery: after kernel changes, a WebSocket client holds what
 * the ip reader (the oracle) reads, and the refreshes started no `ip` or `nsenter` process.
 */
import { nsId } from '../../common/ids.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { createDiscovery, namespacePath } from '../discovery/index.js';
import { IP, NSENTER, onSpawn } from '../exec/run.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { LiveClient, testServeOptions } from '../testing/liveServer.js';
import { pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import type { TestNamespaces } from '../../test/testNamespaces.js';
import { makeNamespaces, partOf } from '../../test/testNamespaces.js';
import { createNativeDiscovery } from './discovery.js';

const TOKEN = 'native-live-test-token-0123456789';
let srv: RunningServer | null = null;
let m: TestNamespaces | null = null;
const clients: LiveClient[] = [];

/** Process membership has no kernel event (periodic resyncs refresh it): left out. */
function comparable(t: Topology, inodes: number[]): Topology {
  const p = partOf(t, inodes);
  return { ...p, namespaces: p.namespaces.map((n) => ({ ...n, pids: [], processes: [], name: '' })) };
}

beforeAll(async () => {
  m = await makeNamespaces(uniquePrefix('nl'), ['named', 'process', 'named']);
  const [a, b, c] = m.paths;
  await sh(`
    nsenter --net=${a} ip link add e0 type veth peer name e1 netns ${b}
    nsenter --net=${b} ip link add e2 type veth peer name e3 netns ${c}
    nsenter --net=${a} ip link set e0 up
  `);
  srv = await startServer(testServeOptions(TOKEN, { readOnly: true, readOnlyReason: 'test' }), {
    discovery: createNativeDiscovery(),
    namespacePath,
    resyncMs: 3_600_000,
    log: () => undefined,
  });
});

afterAll(async () => {
  try {
    await Promise.all(clients.map((c) => c.close()));
    await srv?.close();
  } finally {
    await m?.remove();
  }
});

describe('live server with the native reader (kernel)', () => {
  it(
    'clients converge on the ip model after changes; refreshes start no ip or nsenter',
    { timeout: 120_000 },
    async () => {
      const c = await LiveClient.open(`ws://127.0.0.1:${srv!.port}/api/live`, {
        Authorization: `Bearer ${TOKEN}`,
      });
      clients.push(c);
      await pollUntil(() => c.snapshots === 1, 'snapshot');
      const reads: string[] = [];
      const off = onSpawn((argv) => {
        if (argv[0] === IP || argv[0] === NSENTER) reads.push(argv.join(' '));
      });
      const [a, b, cpath] = m!.paths;
      try {
        await sh(`
        nsenter --net=${a} ip addr add 10.93.0.1/24 dev e0
        nsenter --net=${b} ip link set e1 up
        nsenter --net=${b} ip addr add fd93::2/64 dev e1 nodad
        nsenter --net=${cpath} ip link set e3 up
        nsenter --net=${cpath} ip route add blackhole 10.94.0.0/16 table 100
        nsenter --net=${a} ip link set e0 down
      `);
        // First the server's own refreshes (counted), then the oracle's reads (not counted).
        const inNs = (k: number) => (i: { namespace: string }) => i.namespace === nsId(m!.inodes[k]!);
        await pollUntil(
          () =>
            c.topology.interfaces.some((i) => inNs(0)(i) && i.name === 'e0' && !i.flags.includes('UP')) &&
            c.topology.interfaces.some((i) => inNs(2)(i) && i.name === 'e3' && i.flags.includes('UP')) &&
            c.topology.routes.some((r) => inNs(2)(r) && r.dst === '10.94.0.0/16'),
          'the changes to reach the client',
          60_000,
        );
      } finally {
        off();
      }
      const oracle = createDiscovery({ inlineNsidLimit: 1_000_000 });
      await pollUntil(
        async () => {
          const want = comparable((await oracle.full()).topology, m!.inodes);
          return JSON.stringify(comparable(c.topology, m!.inodes)) === JSON.stringify(want);
        },
        'the client to hold the ip model',
        60_000,
      );
      const e0 = c.topology.interfaces.find((i) => i.namespace === nsId(m!.inodes[0]!) && i.name === 'e0');
      expect(e0?.addresses.map((x) => x.cidr)).toEqual(['10.93.0.1/24']);
      expect(e0?.flags).not.toContain('UP');
      expect(c.topology.links.filter((l) => l.a === e0?.id || l.b === e0?.id)).toHaveLength(1);
      expect(c.gaps).toEqual([]);
      // The ip monitor started with the server; nothing read a namespace through ip.
      expect(reads.filter((r) => !r.includes(' monitor '))).toEqual([]);
    },
  );
});
