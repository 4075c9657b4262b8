/**
 * The trace over an IPv4 route via an IPv6 gateway (`via inet6 ADDR`, RTA_VIA): the link between
 * a and the router carries IPv6 addresses only, the IPv4 packet crosses it all the same (the
 * neighbour is the gateway's IPv6 address). The probe must agree; both readers must too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, uniquePrefix } from '../../test/kernel.js';
import { Scene, shape } from './testing/traceTestKit.js';

const scene = new Scene(uniquePrefix('tv'));
const all = ['a', 'r', 'b'];

beforeAll(async () => {
  await scene.add(...all);
  await scene.veth('a', 'e0', null, 'r', 'r0', null);
  await scene.run('a', 'ip -6 addr add fd75:1::1/64 dev e0 nodad');
  await scene.run('r', 'ip -6 addr add fd75:1::2/64 dev r0 nodad');
  await scene.run('a', 'ip addr add 10.75.0.1/32 dev lo');
  await scene.veth('b', 'e0', '10.75.2.1/24', 'r', 'r1', '10.75.2.254/24');
  await scene.run('a', 'ip route add 10.75.2.0/24 via inet6 fd75:1::2 dev e0 src 10.75.0.1');
  await scene.run('r', 'ip route add 10.75.0.1/32 via inet6 fd75:1::1 dev r0');
  await scene.run('b', 'ip route add default via 10.75.2.254');
  await scene.run('r', 'sysctl -qw net.ipv4.ip_forward=1');
  // The IPv6 link carries traffic once both ends have their neighbour: a veth whose carrier came
  // up a moment ago drops the first neighbour solicitation (seen in CI: the probe then missed its
  // 2 s), so the scene is ready when a ping6 across it answers.
  await pollUntil(
    () =>
      scene
        .run('a', '/bin/busybox ping6 -c 1 -W 1 fd75:1::2')
        .then(() => true)
        .catch(() => false),
    'a ping6 from a to the router across the IPv6-only link',
    30_000,
  );
  await scene.discover();
}, 300_000);

afterAll(async () => {
  await scene.cleanup();
});

describe('trace over a route via inet6', () => {
  it('crosses the IPv6-only link to the router and back; the probe agrees', async () => {
    const t = await scene.trace({ from: scene.id('a'), to: '10.75.2.1', protocol: 'icmp', probe: true });
    expect(shape(scene, t.hops, all)).toEqual(['route@a', 'veth@r', 'route@r', 'veth@b', 'deliver@b']);
    expect(t.hops[0]!.detail).toBe('10.75.2.1 via inet6 fd75:1::2 dev e0 src 10.75.0.1');
    expect(t.hops[1]!.in).toBe(await scene.ifaceId('r', 'r0'));
    expect(t.verdict).toBe('reachable');
    expect(shape(scene, t.returnPath!.hops, all)).toEqual([
      'route@b',
      'veth@r',
      'route@r',
      'veth@a',
      'deliver@a',
    ]);
    expect(t.returnPath!.hops[2]!.detail).toContain('via inet6 fd75:1::1 dev r0');
    expect(t.probe!.ok).toBe(true);
    expect(t.disagreement).toBeNull();
  });
});
