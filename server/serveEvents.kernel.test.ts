/**
 * The real server on the real kernel, continued (serve.kernel.test.ts): host bridge ports, a
 * process joining a namespace (no kernel event), lost events, and a change's delta and latency.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../common/model.js';
import { nsId } from '../common/ids.js';
import { pollUntil, sh } from '../test/kernel.js';
import { hostInode, useLiveKernelServer } from './testing/liveKernelServer.js';

const live = useLiveKernelServer('le');
const { prefix, holders, connected, converged } = live;

describe('live server on the real kernel: events', () => {
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
    live.monitor!.stderr('netlink receive error No buffer space available (105)\n');
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
