/**
 * Issue 12's real failure: the ip reader's mount-namespace helper died (here: killed at random
 * points of a read, and during a read the watchdog gave up on), and every later read went
 * through the dead helper, publishing all namespaces as unreadable. A read during which our
 * helper died must fail (and so be retried, never published); the next read starts a new one.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { serialized } from '../refresh/discoveryQueue.js';
import { pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import type { TestNamespaces } from '../../test/testNamespaces.js';
import { makeNamespaces, partOf } from '../../test/testNamespaces.js';
import { createDiscovery } from './index.js';

let m: TestNamespaces | null = null;

/**
 * Our helper: a child of this process running `sleep` in a mount namespace of its own (unshare
 * and setpriv exec into it; the test's namespace holder is a `sleep` too, in our mount namespace).
 */
function helperPid(): number | null {
  const mine = readlinkSync('/proc/self/ns/mnt');
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || !stat.includes('(sleep)')) continue;
      if (readlinkSync(`/proc/${d}/ns/mnt`) !== mine) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function ours(t: Topology): Topology {
  const p = partOf(t, m!.inodes);
  return { ...p, namespaces: p.namespaces.map((n) => ({ ...n, pids: [], processes: [] })) };
}

beforeAll(async () => {
  m = await makeNamespaces(uniquePrefix('hf'), ['named', 'process', 'bind', 'named']);
  const [a, b, c, d] = m.paths;
  await sh(`
    nsenter --net=${a} ip link add h0 type veth peer name h1 netns ${b}
    nsenter --net=${b} ip link add h2 type veth peer name h3 netns ${c}
    nsenter --net=${c} ip link add h4 type veth peer name h5 netns ${d}
    nsenter --net=${a} ip addr add 10.97.0.1/24 dev h0
  `);
});

afterAll(async () => {
  await m?.remove();
});

describe('the nsid helper dying (kernel)', () => {
  it(
    'a read during which it is killed is not published; the next read is whole',
    { timeout: 240_000 },
    async () => {
      const d = createDiscovery({ inlineNsidLimit: 1_000_000 });
      const baseline = ours((await d.full()).topology);
      expect(baseline.namespaces.map((n) => n.error)).toEqual([null, null, null, null]);
      expect(baseline.links).toHaveLength(3);
      let failed = 0;
      for (let i = 0; i < 12; i++) {
        const read = d.full();
        const pid = (await pollUntil(helperPid, 'the helper to run'))!;
        // A random point of the read: after 0 to 40 turns of the event loop.
        const turns = Math.floor(Math.random() * 41);
        for (let k = 0; k < turns; k++) await new Promise((r) => setImmediate(r));
        process.kill(pid, 'SIGKILL');
        const outcome = await read.then(
          (r) => ({ ok: true as const, topology: r.topology }),
          (e: unknown) => ({ ok: false as const, error: String(e) }),
        );
        if (outcome.ok) {
          // Finished before the kill mattered: then it must be whole.
          expect(ours(outcome.topology).namespaces.map((n) => n.error)).toEqual([null, null, null, null]);
          expect(ours(outcome.topology)).toEqual(baseline);
        } else {
          failed++;
          expect(outcome.error).toMatch(/helper/);
        }
        const next = await d.full();
        expect(ours(next.topology)).toEqual(baseline);
        expect(next.errors.filter((x) => x.includes('helper'))).toEqual([]);
      }
      console.log(`helper killed 12 times, ${failed} of them inside a read that then failed`);
    },
  );

  it(
    'after a read the watchdog gave up on, with the helper killed, the retry is whole',
    { timeout: 120_000 },
    async () => {
      const d = createDiscovery({ inlineNsidLimit: 1_000_000 });
      const baseline = ours((await d.full()).topology);
      const impatient = serialized(d, 0);
      const abandoned = impatient.full();
      const pid = (await pollUntil(helperPid, 'the helper to run'))!;
      await expect(abandoned).rejects.toThrow(/took over 0 ms/);
      process.kill(pid, 'SIGKILL');
      const retry = await serialized(d).full();
      expect(ours(retry.topology)).toEqual(baseline);
      expect(
        retry.topology.namespaces.filter((n) => m!.inodes.includes(n.inode) && n.error !== null),
      ).toEqual([]);
    },
  );
});
