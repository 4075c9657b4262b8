import { describe, expect, it } from 'vitest';
import { genmask, ipRouteGroups, ipRouteLine, routeN } from './routeFormat.js';
import { figure1, route } from '../testing/fixture.js';

describe('genmask', () => {
  it('turns prefix lengths into dotted masks', () => {
    expect(genmask(0)).toBe('0.0.0.0');
    expect(genmask(8)).toBe('255.0.0.0');
    expect(genmask(16)).toBe('255.255.0.0');
    expect(genmask(20)).toBe('255.255.240.0');
    expect(genmask(32)).toBe('255.255.255.255');
  });
});

describe('routeN', () => {
  it('prints Shell 1 of the seed the way route -n does', () => {
    const rows = routeN(figure1().routes);
    expect(rows).toEqual([
      {
        destination: '0.0.0.0',
        gateway: '172.17.0.1',
        genmask: '0.0.0.0',
        flags: 'UG',
        metric: 0,
        iface: 'eth0',
      },
      {
        destination: '172.17.0.0',
        gateway: '0.0.0.0',
        genmask: '255.255.0.0',
        flags: 'U',
        metric: 0,
        iface: 'eth0',
      },
      {
        destination: '8.8.8.8',
        gateway: '0.0.0.0',
        genmask: '255.255.255.255',
        flags: 'UH',
        metric: 0,
        iface: 'eth0',
      },
    ]);
  });
  it('leaves out IPv6, other tables and local routes', () => {
    const rows = routeN([
      route(1, { dst: 'fd00::/64', family: 'inet6' }),
      route(1, { dst: '10.0.0.0/8', table: '100' }),
      route(1, { dst: '127.0.0.1', table: 'local', type: 'local' }),
      route(1, { dst: '10.9.0.0/16', type: 'unreachable', dev: null, metric: 5 }),
    ]);
    expect(rows).toEqual([
      {
        destination: '10.9.0.0',
        gateway: '0.0.0.0',
        genmask: '255.255.0.0',
        flags: 'U!',
        metric: 5,
        iface: '*',
      },
    ]);
  });
});

describe('ip route form', () => {
  it('prints lines like iproute2', () => {
    expect(ipRouteLine(route(1, { dst: 'default', gateway: '172.17.0.1' }))).toBe(
      'default via 172.17.0.1 dev eth0',
    );
    expect(
      ipRouteLine(
        route(1, { dst: '172.17.0.0/16', protocol: 'kernel', scope: 'link', prefsrc: '172.17.0.4' }),
      ),
    ).toBe('172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.4');
    expect(
      ipRouteLine(route(1, { dst: '127.0.0.1', table: 'local', type: 'local', dev: 'lo', scope: 'host' })),
    ).toBe('local 127.0.0.1 dev lo table local scope host');
  });
  it('groups every table, main first, IPv4 before IPv6', () => {
    const groups = ipRouteGroups([
      route(1, { dst: 'fd00::/64', family: 'inet6' }),
      route(1, { dst: '127.0.0.1', table: 'local', type: 'local' }),
      route(1, { dst: '10.0.0.0/8', table: '100' }),
      route(1, { dst: 'default', gateway: '10.0.0.1' }),
    ]);
    expect(groups.map((g) => g.title)).toEqual([
      'ip route show table main',
      'ip route show table 100',
      'ip route show table local',
      'ip -6 route show table main',
    ]);
  });
});
