/** Cross-node edges, the agents' VXLAN facts and the agent/hub options (pure). */
import { describe, expect, it } from 'vitest';
import { qualifyTopology, unionTopologies } from '../common/cluster.js';
import { nodeRoutes, vxlanLinks } from '../common/clusterLinks.js';
import { parseAgentArgs } from '../server/cluster/agentCommand.js';
import { parseHubArgs } from '../server/cluster/hubOptions.js';
import { parseVxlanFacts } from '../server/cluster/overlayParse.js';
import { iface, route } from '../common/testing/builders.js';
import { HOSTS, nodeTopology, nodeVxlan, underlay } from './clusterScene.js';

const mesh = () => HOSTS.map((host, n) => ({ host, facts: nodeVxlan(n) }));

describe('vxlanLinks', () => {
  it('joins every pair whose VNI, port and local/remote addresses match', () => {
    const links = vxlanLinks(mesh());
    expect(links.map((l) => [l.a, l.b])).toEqual([
      ['node-a/if-4026531840-3', 'node-b/if-4026531840-3'],
      ['node-a/if-4026531840-3', 'node-c/if-4026531840-3'],
      ['node-b/if-4026531840-3', 'node-c/if-4026531840-3'],
    ]);
    expect(links.every((l) => l.label === 'vni 42')).toBe(true);
  });

  it('no edge for another VNI, another port, or a one-sided remote', () => {
    const nodes = mesh();
    nodes[1] = { host: 'node-b', facts: [{ ...nodeVxlan(1)[0]!, vni: 43 }] };
    nodes[2] = { host: 'node-c', facts: [{ ...nodeVxlan(2)[0]!, dstport: 8472 }] };
    expect(vxlanLinks(nodes)).toEqual([]);
    const oneSided = mesh();
    oneSided[1] = { host: 'node-b', facts: [{ ...nodeVxlan(1)[0]!, remotes: [underlay(2)] }] };
    expect(vxlanLinks(oneSided).map((l) => l.id)).toEqual([
      'vxlan:node-a/if-4026531840-3:node-c/if-4026531840-3',
      'vxlan:node-b/if-4026531840-3:node-c/if-4026531840-3',
    ]);
  });
});

describe('nodeRoutes', () => {
  const merged = () => unionTopologies(HOSTS.map((h, n) => qualifyTopology(h, nodeTopology(n))));

  it('a route via another node address is an edge from its dev to that node interface', () => {
    const links = nodeRoutes(merged());
    expect(links).toHaveLength(6);
    expect(links.find((l) => l.a === 'node-c/if-4026531840-2' && l.label === '10.244.0.0/24')).toMatchObject({
      b: 'node-a/if-4026531840-2',
      route: expect.stringMatching(/^node-c\/rt-4026531840:inet:main:unicast:10\.244\.0\.0\/24:/),
    });
  });

  it('a gateway on several other nodes, or on its own node, makes no edge', () => {
    const t = merged();
    const shared = (h: string) =>
      qualifyTopology(h, {
        version: 1,
        namespaces: [],
        interfaces: [
          iface(99, 5, 'docker0', {
            kind: 'bridge',
            addresses: [{ family: 'inet', cidr: '172.17.0.1/16', scope: 'global', broadcast: null }],
          }),
        ],
        routes:
          h === 'node-a' ? [route(98, { dst: '172.18.0.0/16', gateway: '172.17.0.1', dev: 'eth0' })] : [],
        links: [],
      });
    const withShared = unionTopologies([t, shared('node-b'), shared('node-c'), shared('node-a')]);
    expect(nodeRoutes(withShared)).toHaveLength(6);
    const noSelf = unionTopologies([t, shared('node-b'), shared('node-a')]);
    // node-a has 172.17.0.1 itself: its route stays on its node
    expect(nodeRoutes(noSelf).some((l) => l.label === '172.18.0.0/16')).toBe(false);
  });
});

describe('parseVxlanFacts', () => {
  it('reads VNI, local, port and the fdb remotes of ip/bridge output', () => {
    const link =
      '[{"ifindex":2,"ifname":"vx0","flags":["BROADCAST"],"mtu":1500,"linkinfo":{"info_kind":"vxlan","info_data":{"id":42,"local":"10.99.0.1","port":4789,"learning":false}}},' +
      '{"ifindex":3,"ifname":"vx1","linkinfo":{"info_kind":"vxlan","info_data":{"id":7,"remote":"10.99.0.9"}}}]';
    const fdb =
      '[{"mac":"00:00:00:00:00:00","ifname":"vx0","dst":"10.99.0.3","flags":["self"],"state":"permanent"},' +
      '{"mac":"00:00:00:00:00:00","ifname":"vx0","dst":"10.99.0.2","flags":["self"],"state":"permanent"},' +
      '{"mac":"aa:bb:cc:dd:ee:ff","ifname":"br0","master":"br0","state":"permanent"}]';
    expect(parseVxlanFacts(77, link, fdb)).toEqual([
      {
        interface: 'if-77-2',
        vni: 42,
        local: '10.99.0.1',
        remotes: ['10.99.0.2', '10.99.0.3'],
        dstport: 4789,
      },
      { interface: 'if-77-3', vni: 7, local: null, remotes: ['10.99.0.9'], dstport: 8472 },
    ]);
    expect(parseVxlanFacts(77, '', '')).toEqual([]);
  });
});

describe('agent and hub options', () => {
  const env = { NETNS_EXPLORER_TOKEN: 'x'.repeat(32) };

  it('an agent is read-only unless --allow-changes and has no page', () => {
    const r = parseAgentArgs(['--node-name', 'node-a'], env, true, 'box');
    expect(r.ok === true && r.options.readOnly && r.options.staticDir === null && r.nodeName).toBe('node-a');
    const w = parseAgentArgs(['--allow-changes'], env, true, 'Box');
    expect(w.ok === true && !w.options.readOnly && w.nodeName).toBe('box');
    expect(parseAgentArgs([], env, true, 'box')).toMatchObject({ ok: true, options: { port: 7879 } });
  });

  it('an agent refuses a missing token, a bad node name, a public address without --allow-remote', () => {
    expect(parseAgentArgs([], {}, true, 'box')).toMatchObject({ ok: false, error: /NETNS_EXPLORER_TOKEN/ });
    expect(parseAgentArgs(['--node-name', 'a/b'], env, true, 'box')).toMatchObject({ error: /--node-name/ });
    expect(parseAgentArgs(['--host', '10.1.2.3'], env, true, 'box')).toMatchObject({
      error: /--allow-remote/,
    });
    expect(parseAgentArgs(['--allow-host-changes'], env, true, 'box')).toMatchObject({
      error: /--allow-changes/,
    });
  });

  it('the hub needs agents and the agents token, and checks each URL', () => {
    const henv = { NETNS_EXPLORER_AGENT_TOKEN: 'y'.repeat(32) };
    expect(
      parseHubArgs(['--agent', 'http://10.77.0.1:7879/', '--agent', 'http://10.77.0.1:7879'], henv),
    ).toMatchObject({
      ok: true,
      options: { agents: ['http://10.77.0.1:7879'], tokenSource: 'generated', port: 7878 },
    });
    expect(parseHubArgs([], henv)).toMatchObject({ ok: false, error: /--agent/ });
    expect(parseHubArgs(['--agent', 'http://10.77.0.1:7879'], {})).toMatchObject({ error: /AGENT_TOKEN/ });
    expect(parseHubArgs(['--agent', 'http://u:p@10.77.0.1:7879'], henv)).toMatchObject({ error: /--agent/ });
    expect(parseHubArgs(['--agent', 'file:///etc/passwd'], henv)).toMatchObject({ error: /http/ });
    expect(parseHubArgs(['--agents-dns', 'Bad_Name'], henv)).toMatchObject({ error: /--agents-dns/ });
    expect(parseHubArgs(['--agents-dns', 'agents.netns.svc.cluster.local'], henv)).toMatchObject({
      ok: true,
      options: { agentsDns: 'agents.netns.svc.cluster.local', agentPort: 7879 },
    });
  });
});
