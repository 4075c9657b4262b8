/**
 * Geneve devices joined across nodes by VNI, port and remote. This project's kernel has no geneve
 * module, so the `ip -j -d link show type geneve` output below is written by hand from iproute2's
 * output format (ip/iplink_geneve.c: `id`, `remote`/`remote6`, `port`; `external` alone in
 * collect-metadata mode): parsed and paired here, never checked against a kernel.
 */
import { describe, expect, it } from 'vitest';
import { qualifyTopology, unionTopologies } from '../common/cluster.js';
import { geneveLinks } from '../common/clusterLinks.js';
import { ifId, qualifiedId } from '../common/ids.js';
import { parseGeneveFacts } from '../server/cluster/overlayParse.js';
import { HOSTS, nodeTopology, underlay } from './clusterScene.js';

const HOST_INODE = 4026531840;

/** One geneve device as `ip -j -d link show type geneve` prints it (iproute2 6.x). */
function geneveLink(ifindex: number, infoData: Record<string, unknown>): Record<string, unknown> {
  return {
    ifindex,
    ifname: `gnv${ifindex}`,
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1450,
    qdisc: 'noqueue',
    operstate: 'UNKNOWN',
    linkmode: 'DEFAULT',
    group: 'default',
    txqlen: 1000,
    link_type: 'ether',
    address: '9a:3c:51:0e:7d:02',
    broadcast: 'ff:ff:ff:ff:ff:ff',
    promiscuity: 0,
    min_mtu: 68,
    max_mtu: 65465,
    linkinfo: { info_kind: 'geneve', info_data: infoData },
    num_tx_queues: 1,
    num_rx_queues: 1,
  };
}

const csum = {
  ttl: 0,
  tos: 'inherit',
  df: 'unset',
  udp_csum: false,
  udp_zero_csum6_tx: false,
  udp_zero_csum6_rx: false,
};
const recorded = (links: Array<Record<string, unknown>>) => `${JSON.stringify(links)}\n`;

describe('geneve across nodes (hand-written ip -j -d output; untested against a kernel)', () => {
  it('parses VNI, remote (v4 or v6) and port; an external device names no peer', () => {
    const out = recorded([
      geneveLink(7, { id: 1001, remote: '10.77.0.2', ...csum, port: 6081 }),
      geneveLink(8, { id: 5, remote6: 'fd00::2', ...csum, port: 7000 }),
      geneveLink(9, { external: true }),
    ]);
    expect(parseGeneveFacts(HOST_INODE, out)).toEqual([
      { interface: ifId(HOST_INODE, 7), vni: 1001, remote: '10.77.0.2', dstport: 6081 },
      { interface: ifId(HOST_INODE, 8), vni: 5, remote: 'fd00::2', dstport: 7000 },
    ]);
    expect(parseGeneveFacts(HOST_INODE, '[]\n')).toEqual([]);
  });

  it('joins two devices whose remotes are each other node, same VNI and port; nothing else', () => {
    const merged = unionTopologies(HOSTS.map((h, n) => qualifyTopology(h, nodeTopology(n))));
    const facts = (n: number, links: Array<Record<string, unknown>>) => ({
      host: HOSTS[n]!,
      facts: parseGeneveFacts(HOST_INODE, recorded(links)),
    });
    const nodes = [
      // a <-> b: vni 1001 both ways
      facts(0, [
        geneveLink(7, { id: 1001, remote: underlay(1), ...csum, port: 6081 }),
        geneveLink(8, { id: 1002, remote: underlay(2), ...csum, port: 6081 }),
      ]),
      facts(1, [geneveLink(7, { id: 1001, remote: underlay(0), ...csum, port: 6081 })]),
      // c points at a with vni 1002 but another port: no edge; and one pointing at nobody's address
      facts(2, [
        geneveLink(7, { id: 1002, remote: underlay(0), ...csum, port: 7000 }),
        geneveLink(8, { id: 1001, remote: '10.99.0.1', ...csum, port: 6081 }),
      ]),
    ];
    const a = qualifiedId('node-a', ifId(HOST_INODE, 7));
    const b = qualifiedId('node-b', ifId(HOST_INODE, 7));
    expect(geneveLinks(nodes, merged)).toEqual([
      { id: `geneve:${a}:${b}`, kind: 'geneve', a, b, label: 'vni 1001', route: null },
    ]);
    // the same port on c makes the second pair
    nodes[2] = facts(2, [geneveLink(7, { id: 1002, remote: underlay(0), ...csum, port: 6081 })]);
    expect(geneveLinks(nodes, merged).map((l) => l.label)).toEqual(['vni 1001', 'vni 1002']);
  });
});
