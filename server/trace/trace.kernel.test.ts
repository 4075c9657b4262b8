/**
 * The trace against the real kernel: scenes built here (bridge, router, no route, link down,
 * wrong subnet, nothing listening), each traced and probed; the probe must agree with the verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipJson, uniquePrefix } from '../../test/kernel.js';
import { Scene, shape } from './testing/traceTestKit.js';

const scene = new Scene(uniquePrefix('tr'));
const all = ['a1', 's1', 'b1', 'a2', 'r2', 'b2', 'a4', 'r4', 'b4', 'a5', 'b5'];

beforeAll(async () => {
  await scene.add(...all);
  // 1: a1 and b1 on a bridge in s1.
  await scene.run('s1', 'ip link add br0 type bridge');
  await scene.run('s1', 'ip link set br0 up');
  await scene.veth('a1', 'e0', '10.61.1.1/24', 's1', 'pa', null);
  await scene.veth('b1', 'e0', '10.61.1.2/24', 's1', 'pb', null);
  await scene.run('s1', 'ip link set pa master br0');
  await scene.run('s1', 'ip link set pb master br0');
  // 2 and 7: a2 - r2 - b2, forwarding on in r2.
  for (const [a, r, b, net] of [
    ['a2', 'r2', 'b2', 62],
    ['a4', 'r4', 'b4', 64],
  ] as const) {
    await scene.routed(a, r, b, net);
  }
  // 4: b4's end goes down, so r4's r1 loses its carrier.
  await scene.run('b4', 'ip link set e0 down');
  // 3 and 5: a5 in 10.65.0.0/24, b5 on the same link but in 10.65.1.0/24; a5 has no other route.
  await scene.veth('a5', 'e0', '10.65.0.1/24', 'b5', 'e0', '10.65.1.2/24');
  await scene.discover();
}, 120_000);

afterAll(async () => {
  await scene.cleanup();
});

describe('trace against the kernel', () => {
  it('1: reachable across a bridge, with the FDB or flooding at the bridge', async () => {
    const t = await scene.trace({ from: scene.id('a1'), to: '10.61.1.2', protocol: 'icmp', probe: true });
    expect(shape(scene, t.hops, all)).toEqual(['route@a1', 'veth@s1', 'bridge@s1', 'veth@b1', 'deliver@b1']);
    expect(t.verdict).toBe('reachable');
    expect(t.failedAt).toBeNull();
    expect(t.hops[0]!.out).toBe(await scene.ifaceId('a1', 'e0'));
    expect(t.hops[2]).toMatchObject({
      in: await scene.ifaceId('s1', 'pa'),
      out: await scene.ifaceId('s1', 'pb'),
    });
    const [kernel] = await ipJson<Array<{ dst: string; dev: string; prefsrc: string }>>(
      ['route', 'get', '10.61.1.2'],
      {
        name: scene.ns('a1'),
      },
    );
    expect(t.hops[0]!.detail).toContain(`dev ${kernel!.dev}`);
    expect(t.source).toBe(kernel!.prefsrc);
    expect(shape(scene, t.returnPath!.hops, all)).toEqual([
      'route@b1',
      'veth@s1',
      'bridge@s1',
      'veth@a1',
      'deliver@a1',
    ]);
    expect(t.probe).toMatchObject({ ok: true, error: null });
    expect(t.disagreement).toBeNull();
  });

  it('2: reachable through a router namespace with ip_forward=1', async () => {
    const t = await scene.trace({ from: scene.id('a2'), to: '10.62.2.1', protocol: 'icmp', probe: true });
    expect(shape(scene, t.hops, all)).toEqual(['route@a2', 'veth@r2', 'route@r2', 'veth@b2', 'deliver@b2']);
    expect(t.hops[2]).toMatchObject({
      in: await scene.ifaceId('r2', 'r0'),
      out: await scene.ifaceId('r2', 'r1'),
    });
    expect(t.hops[2]!.command).toBe('ip route get 10.62.2.1 from 10.62.1.1 iif r0');
    expect(t.verdict).toBe('reachable');
    expect(t.returnPath!.failedAt).toBeNull();
    expect(t.probe!.ok).toBe(true);
    expect(t.disagreement).toBeNull();
  });

  it('3: no route', async () => {
    const t = await scene.trace({ from: scene.id('a5'), to: '10.69.9.9', protocol: 'icmp', probe: true });
    expect(t.verdict).toBe('unreachable');
    expect(t.failedAt).toBe(0);
    expect(t.hops[0]).toMatchObject({ action: 'route', ok: false });
    expect(t.hops[0]!.reason).toMatch(/no route to 10\.69\.9\.9: Network is unreachable/);
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
  });

  it('4: a link down on the path (the router loses carrier towards b4)', async () => {
    const [r1] = await ipJson<Array<{ flags: string[] }>>(['link', 'show', 'dev', 'r1'], {
      name: scene.ns('r4'),
    });
    expect(r1!.flags).not.toContain('LOWER_UP');
    const t = await scene.trace({ from: scene.id('a4'), to: '10.64.2.1', protocol: 'icmp', probe: true });
    expect(t.verdict).toBe('unreachable');
    expect(shape(scene, t.hops, all)).toEqual(['route@a4', 'veth@r4', 'route@r4!']);
    expect(t.failedAt).toBe(2);
    expect(t.hops[2]!.reason).toMatch(/r1 has no carrier/);
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
    // Administratively down: the kernel drops the connected route, and the trace says why.
    await scene.run('r4', 'ip link set r1 down');
    const down = await scene.trace({ from: scene.id('a4'), to: '10.64.2.1', protocol: 'icmp', probe: true });
    expect(shape(scene, down.hops, all)).toEqual(['route@a4', 'veth@r4', 'route@r4!']);
    expect(down.hops[2]!.reason).toMatch(/Network is unreachable; r1 is down/);
    expect(down.probe!.ok).toBe(false);
  });

  it('5: destination on the wrong subnet: the neighbour never resolves', async () => {
    const t = await scene.trace({ from: scene.id('a5'), to: '10.65.0.2', protocol: 'icmp', probe: true });
    expect(t.verdict).toBe('unreachable');
    expect(t.failedAt).toBe(1);
    expect(t.hops[1]).toMatchObject({ action: 'drop', ok: false });
    expect(t.hops[1]!.reason).toMatch(/no host on the link from e0 has 10\.65\.0\.2 .*10\.65\.1\.2\/24/);
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
  });

  it('7: nothing listening on the TCP port: refused at delivery', async () => {
    const t = await scene.trace({
      from: scene.id('a2'),
      to: '10.62.2.1',
      protocol: 'tcp',
      port: 8080,
      probe: true,
    });
    expect(t.verdict).toBe('unreachable');
    expect(shape(scene, t.hops, all)).toEqual(['route@a2', 'veth@r2', 'route@r2', 'veth@b2', 'deliver@b2!']);
    expect(t.hops[4]!.reason).toMatch(/nothing listens on tcp port 8080/);
    expect(t.probe).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    expect(t.disagreement).toBeNull();
  });
});
