/** A small Figure 1 topology for unit tests: host with a bridge and two veth ports, two containers. */
import type { Topology } from '../../../common/model.js';
import { vethLinkId } from '../../../common/ids.js';
import { normalizeTopology } from '../../../common/model.js';
import { iface, ns, route } from '../../../common/testing/builders.js';

export { iface, ns, route };

export function figure1(): Topology {
  const v4 = (cidr: string) => ({ family: 'inet' as const, cidr, scope: 'global', broadcast: null });
  const interfaces = [
    iface(1, 1, 'lo', { kind: 'loopback', state: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] }),
    iface(1, 2, 'eth0', { kind: 'device', addresses: [v4('192.168.0.39/24')] }),
    iface(1, 3, 'docker0', { kind: 'bridge', addresses: [v4('172.17.0.1/16')] }),
    iface(1, 14, 'veth08fe05e', { master: 'if-1-3', peer: 'if-2-13' }),
    iface(1, 16, 'veth24ee3c6', { master: 'if-1-3', peer: 'if-3-15' }),
    iface(2, 13, 'eth0', { peer: 'if-1-14', addresses: [v4('172.17.0.4/16')] }),
    iface(3, 15, 'eth0', { peer: 'if-1-16', addresses: [v4('172.17.0.3/16')], state: 'DOWN', flags: [] }),
    iface(3, 20, 'veth-x', { peerUnresolved: 'peer in a namespace we cannot see' }),
  ];
  return normalizeTopology({
    version: 1,
    namespaces: [ns(1, 'host', 'host'), ns(2, 'container', 'netshoot-a'), ns(3, 'container', 'netshoot-b')],
    interfaces,
    routes: [
      route(2, { dst: 'default', gateway: '172.17.0.1' }),
      route(2, { dst: '8.8.8.8' }),
      route(2, { dst: '172.17.0.0/16', protocol: 'kernel', scope: 'link', prefsrc: '172.17.0.4' }),
    ],
    links: [
      { id: vethLinkId('if-1-14', 'if-2-13'), kind: 'veth', a: 'if-1-14', b: 'if-2-13' },
      { id: vethLinkId('if-1-16', 'if-3-15'), kind: 'veth', a: 'if-1-16', b: 'if-3-15' },
    ],
  });
}
