/**
 * The trace against the real kernel where a namespace's own policy drops the packet: an
 * nftables rule in a router's forward chain, reverse-path filtering of an asymmetric reply,
 * forwarding off. Rules live only in this test's namespaces. The probe must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../test/kernel.js';
import { Scene, shape } from './testing/traceTestKit.js';

const scene = new Scene(uniquePrefix('tf'));
const all = ['a6', 'r6', 'b6', 'a8', 'b8', 'a9', 'r9', 'b9'];

beforeAll(async () => {
  await scene.add(...all);
  for (const [a, r, b, net, forward] of [
    ['a6', 'r6', 'b6', 66, 1],
    ['a9', 'r9', 'b9', 69, 0],
  ] as const) {
    await scene.routed(a, r, b, net, forward === 1);
  }
  // 6: the router drops TCP to port 80 in its forward chain; b6 listens on 80 (would answer).
  await scene.listen('b6', 80);
  await scene.run(
    'r6',
    `nft 'add table inet tf; add chain inet tf fw { type filter hook forward priority 0; policy accept; }; add rule inet tf fw ip daddr 10.66.2.0/24 tcp dport 80 counter drop'`,
  );
  // 8: two links between a8 and b8; a8 reaches b8's 10.68.3.2 over the first, b8 answers over the
  // second, and a8's strict reverse-path filter drops the answer.
  await scene.veth('a8', 'x1', '10.68.1.1/24', 'b8', 'y1', '10.68.1.2/24');
  await scene.veth('a8', 'x2', '10.68.2.1/24', 'b8', 'y2', '10.68.2.2/24');
  await scene.run('b8', 'ip addr add 10.68.3.2/32 dev lo');
  await scene.run('a8', 'ip route add 10.68.3.2/32 via 10.68.1.2');
  await scene.run('b8', 'ip route add 10.68.1.1/32 via 10.68.2.1');
  await scene.run('a8', 'sysctl -qw net.ipv4.conf.all.rp_filter=1');
  await scene.discover();
}, 120_000);

afterAll(async () => {
  await scene.cleanup();
});

describe('trace against the kernel: policy drops', () => {
  it('6: an nftables rule drops the flow in the router forward chain', async () => {
    const t = await scene.trace({
      from: scene.id('a6'),
      to: '10.66.2.1',
      protocol: 'tcp',
      port: 80,
      probe: true,
    });
    expect(shape(scene, t.hops, all)).toEqual(['route@a6', 'veth@r6', 'route@r6', 'drop@r6!']);
    expect(t.verdict).toBe('unreachable');
    expect(t.failedAt).toBe(3);
    expect(t.hops[3]!.reason).toMatch(
      /nftables forward chain drops it: table inet tf chain fw: ip daddr 10\.66\.2\.0\/24 tcp dport 80 drop/,
    );
    expect(t.hops[3]!.command).toBe('nft -j list ruleset');
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
    // The same router lets ping through (the rule is about TCP port 80 only).
    const ping = await scene.trace({ from: scene.id('a6'), to: '10.66.2.1', protocol: 'icmp', probe: true });
    expect(ping.verdict).toBe('reachable');
    expect(ping.probe!.ok).toBe(true);
  });

  it('8: an asymmetric return path dropped by rp_filter=1', async () => {
    const t = await scene.trace({ from: scene.id('a8'), to: '10.68.3.2', protocol: 'icmp', probe: true });
    expect(shape(scene, t.hops, all)).toEqual(['route@a8', 'veth@b8', 'deliver@b8']);
    expect(t.failedAt).toBeNull();
    expect(t.verdict).toBe('unreachable');
    expect(shape(scene, t.returnPath!.hops, all)).toEqual(['route@b8', 'veth@a8', 'route@a8!']);
    expect(t.returnPath!.hops[0]!.out).toBe(await scene.ifaceId('b8', 'y2'));
    expect(t.returnPath!.hops[2]!.reason).toMatch(
      /reverse-path filter \(rp_filter=1 on x2\).*10\.68\.3\.2 via 10\.68\.1\.2 dev x1/,
    );
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
  });

  it('9: forwarding off on the router', async () => {
    const t = await scene.trace({ from: scene.id('a9'), to: '10.69.2.1', protocol: 'icmp', probe: true });
    expect(shape(scene, t.hops, all)).toEqual(['route@a9', 'veth@r9', 'route@r9!']);
    expect(t.hops[2]!.reason).toMatch(/forwarding is off/);
    expect(t.verdict).toBe('unreachable');
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
  });
});
