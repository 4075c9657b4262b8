/**
 * Unit tests of the host shield over a recorded host view (eth0 192.0.2.2/24 + fd00::2/64,
 * default routes via 192.0.2.1 and fd00::1, as on a typical VM).
 */
import { describe, expect, it } from 'vitest';
import { iface, route } from '../../common/testing/builders.js';
import { emptyTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import { hostViewOf, judgeHostPrefix } from './hostShield.js';

const view = {
  gateways: [
    { addr: '192.0.2.1', dev: 'eth0' },
    { addr: 'fd00::1', dev: 'eth0' },
  ],
  subnets: [
    { cidr: '192.0.2.2/24', dev: 'eth0' },
    { cidr: 'fd00::2/64', dev: 'eth0' },
  ],
};
const judge = (cidr: string, reachedBy: string[] = []) =>
  judgeHostPrefix('x', { family: cidr.includes(':') ? 6 : 4, cidr }, 'dst', view, reachedBy);

describe('host shield', () => {
  it.each([
    ['default', 'default route'],
    ['0.0.0.0/1', 'shadows the host default route'],
    ['128.0.0.0/1', 'shadows the host default route'],
    ['0.0.0.0/0', 'shadows'],
    ['::/1', 'shadows'],
    ['2000::/3', 'shadows'],
    ['192.0.0.0/8', 'default gateway 192.0.2.1'],
    ['192.0.2.1/32', 'default gateway'],
    ['192.0.2.128/25', 'host subnet 192.0.2.2/24 on eth0'],
    ['192.0.2.77/32', 'host subnet'],
    ['fd00::/16', 'default gateway fd00::1'],
    ['fd00::8000:0:0:0/65', 'host subnet fd00::2/64'],
    ['203.0.113.0/24', 'reached by'],
  ])('refuses %s (%s)', (cidr, why) => {
    const r = judge(cidr, ['203.0.113.9', '127.0.0.1']);
    expect(r?.field).toBe('dst');
    expect(r?.message).toContain(why);
    expect(r?.message).toContain('--allow-host-changes');
  });

  it.each(['10.96.0.0/24', '10.0.0.0/8', '198.51.100.0/24', 'fd01::/64', 'fe80::/64', '127.0.0.0/8'])(
    'accepts %s (no overlap with what keeps the host reachable)',
    (cidr) => {
      expect(judge(cidr, ['127.0.0.1', '::1'])).toBeNull();
    },
  );

  it('reads default gateways and subnets from the model, skipping link-local and loopback', () => {
    const t: Topology = emptyTopology();
    t.routes.push(
      route(1, { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' }),
      route(2, { dst: 'default', gateway: '10.9.9.9', dev: 'x' }),
    );
    t.interfaces.push(
      iface(1, 2, 'eth0', {
        addresses: [
          { family: 'inet', cidr: '192.0.2.2/24', scope: 'global', broadcast: null },
          { family: 'inet6', cidr: 'fe80::1/64', scope: 'link', broadcast: null },
          { family: 'inet', cidr: '127.0.0.1/8', scope: 'host', broadcast: null },
        ],
      }),
    );
    expect(hostViewOf(t, 'ns-1')).toEqual({
      gateways: [{ addr: '192.0.2.1', dev: 'eth0' }],
      subnets: [{ cidr: '192.0.2.2/24', dev: 'eth0' }],
    });
  });
});
