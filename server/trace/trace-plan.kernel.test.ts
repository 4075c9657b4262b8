/**
 * The trace asks every namespace on the likely path at once (plan.ts), one `ip` run each, yet
 * follows the kernel where the guess is wrong: a fwmark policy rule the model does not show sends
 * marked packets another way. a reaches b through r1 (forwarding on); with mark 7 a's rule picks
 * table 100, through r2, where forwarding is off (the mark does not cross into r2: the kernel
 * clears it when a packet changes namespace). An nftables `meta mark` match in a's output chain is
 * decided with the trace's mark (0 when none is given).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IP, onSpawn } from '../exec/run.js';
import { uniquePrefix } from '../../test/kernel.js';
import { indexTopology } from './segment.js';
import { planTrace } from './plan.js';
import { Scene, shape } from './testing/traceTestKit.js';

const scene = new Scene(uniquePrefix('tp'));
const all = ['a', 'r1', 'r2', 'b'];

beforeAll(async () => {
  await scene.add(...all);
  await scene.veth('a', 'x1', '10.71.1.1/24', 'r1', 'a0', '10.71.1.254/24');
  await scene.veth('b', 'y1', '10.71.2.1/24', 'r1', 'b0', '10.71.2.254/24');
  await scene.veth('a', 'x2', '10.71.3.1/24', 'r2', 'a0', '10.71.3.254/24');
  await scene.run('a', 'ip route add 10.71.2.0/24 via 10.71.1.254');
  await scene.run('a', 'ip route add 10.71.2.0/24 via 10.71.3.254 table 100');
  await scene.run('a', 'ip rule add fwmark 7 lookup 100');
  await scene.run('b', 'ip route add default via 10.71.2.254');
  await scene.run('r1', 'sysctl -qw net.ipv4.ip_forward=1');
  await scene.run('r2', 'sysctl -qw net.ipv4.ip_forward=0');
  await scene.discover();
}, 120_000);

afterAll(async () => {
  await scene.cleanup();
});

describe('trace: the path asked at once, the kernel followed', () => {
  it('reads each namespace of a 5-hop path in one ip run, and the probe agrees', async () => {
    const topology = scene.topology!;
    const plan = planTrace(topology, indexTopology(topology), scene.id('a'), '10.71.2.1', 4);
    expect(plan.namespaces.map((p) => p.namespace)).toEqual([scene.id('a'), scene.id('r1'), scene.id('b')]);
    const ipRuns: string[][] = [];
    const off = onSpawn((argv) => {
      if (argv.includes(IP)) ipRuns.push([...argv]);
    });
    const t = await scene.trace({ from: scene.id('a'), to: '10.71.2.1', protocol: 'icmp', probe: true });
    off();
    expect(shape(scene, t.hops, all)).toEqual(['route@a', 'veth@r1', 'route@r1', 'veth@b', 'deliver@b']);
    expect(shape(scene, t.returnPath!.hops, all)).toEqual([
      'route@b',
      'veth@r1',
      'route@r1',
      'veth@a',
      'deliver@a',
    ]);
    expect(t.verdict).toBe('reachable');
    expect(t.probe?.ok).toBe(true);
    expect(t.disagreement).toBeNull();
    // The kit's differential check traces with the process reader too: both walks' questions were
    // answered by its three planned runs (nothing asked twice); the native reader starts no ip.
    expect(ipRuns).toHaveLength(3);
    expect(t.namespaces).toEqual([scene.id('a'), scene.id('b'), scene.id('r1')].sort());
  });

  it('with mark 7 follows the policy rule to r2, where forwarding is off', async () => {
    const t = await scene.trace({ from: scene.id('a'), to: '10.71.2.1', protocol: 'icmp', mark: 7 });
    expect(t.hops[0]!.command).toBe('ip route get 10.71.2.1 mark 7');
    expect(t.hops[0]!.detail).toMatch(/via 10\.71\.3\.254 dev x2 table 100/);
    expect(shape(scene, t.hops, all)).toEqual(['route@a', 'veth@r2', 'route@r2!']);
    expect(t.verdict).toBe('unreachable');
    expect(t.failedAt).toBe(2);
    expect(t.hops[2]!.command).toBe('ip route get 10.71.2.1 from 10.71.3.1 iif a0');
    expect(t.hops[2]!.reason).toMatch(/forwarding is off/);
  });

  it('without the mark the same question goes through r1', async () => {
    const t = await scene.trace({ from: scene.id('a'), to: '10.71.2.1', protocol: 'icmp', mark: 0 });
    expect(t.hops[0]!.command).toBe('ip route get 10.71.2.1');
    expect(shape(scene, t.hops, all)).toEqual(['route@a', 'veth@r1', 'route@r1', 'veth@b', 'deliver@b']);
  });

  it("decides an nftables meta mark match with the trace's mark", async () => {
    await scene.run(
      'a',
      `nft 'add table inet tp; add chain inet tp o { type filter hook output priority 0; }; add rule inet tp o meta mark 9 drop'`,
    );
    const marked = await scene.trace({ from: scene.id('a'), to: '10.71.2.1', protocol: 'icmp', mark: 9 });
    expect(shape(scene, marked.hops, all)).toEqual(['route@a', 'drop@a!']);
    expect(marked.verdict).toBe('unreachable');
    expect(marked.hops[1]!.reason).toMatch(/meta mark 9/);
    const plain = await scene.trace({ from: scene.id('a'), to: '10.71.2.1', protocol: 'icmp', probe: true });
    expect(plain.verdict).toBe('reachable');
    expect(plain.probe?.ok).toBe(true);
  });
});
