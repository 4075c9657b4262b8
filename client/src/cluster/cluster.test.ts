/** Hub mode on the page: the node filter and the edges between nodes in the picture (pure). */
import { describe, expect, it } from 'vitest';
import { qualifyTopology, unionTopologies } from '../../../common/cluster.js';
import { vxlanLinks } from '../../../common/clusterLinks.js';
import { buildStructure } from '../graph/structure.js';
import { toFlow } from '../graph/toFlow.js';
import { bandByNode, NODE_GAP } from './nodeBands.js';
import { HOSTS, nodeTopology, nodeVxlan } from '../../../test/clusterScene.js';

const merged = unionTopologies(HOSTS.map((h, n) => qualifyTopology(h, nodeTopology(n))));
const crossLinks = vxlanLinks(HOSTS.map((host, n) => ({ host, facts: nodeVxlan(n) })));

describe('cluster picture', () => {
  it('draws the overlay between the nodes as non-selectable cross-node edges', () => {
    const s = buildStructure(merged, { showLoopback: false, hiddenKinds: new Set(), crossLinks });
    const cross = s.edges.filter((e) => e.id.startsWith('vxlan:'));
    expect(cross).toHaveLength(3);
    const layout = {
      pos: {} as Record<string, { x: number; y: number }>,
      size: {} as Record<string, { w: number; h: number }>,
    };
    for (const n of s.namespaces) {
      layout.pos[n.id] = { x: 0, y: 0 };
      layout.size[n.id] = { w: 100, h: 100 };
      for (const c of n.children) layout.pos[c.id] = { x: 0, y: 0 };
    }
    const flow = toFlow(merged, s, layout, { changed: new Set(), hit: null });
    const edges = flow.edges.filter((e) => e.id.startsWith('vxlan:'));
    expect(edges).toHaveLength(3);
    expect(edges.every((e) => e.className === 'cross-node' && e.selectable === false)).toBe(true);
  });

  it('the node filter hides a node, its interfaces and the edges to it', () => {
    const s = buildStructure(merged, {
      showLoopback: false,
      hiddenKinds: new Set(),
      hiddenNodes: new Set(['node-b']),
      crossLinks,
    });
    expect(s.namespaces.map((n) => n.id.split('/')[0]).sort()).toEqual([
      'node-a',
      'node-a',
      'node-c',
      'node-c',
    ]);
    expect(s.edges.filter((e) => e.id.startsWith('vxlan:')).map((e) => [e.source, e.target])).toEqual([
      ['node-a/if-4026531840-3', 'node-c/if-4026531840-3'],
    ]);
  });

  it('single-host ids pass every node filter', () => {
    const t = nodeTopology(0);
    const s = buildStructure(t, {
      showLoopback: false,
      hiddenKinds: new Set(),
      hiddenNodes: new Set(['node-a']),
    });
    expect(s.namespaces).toHaveLength(2);
  });

  it('bands each node into a block of its own, boxes kept where they were inside it', () => {
    // Interleaved as a layout engine leaves them: a/1, b/1, a/2, b/2 in one row.
    const ns = ['a/ns-1', 'b/ns-1', 'a/ns-2', 'b/ns-2'].map((id) => ({ id, host: id.split('/')[0]! }));
    const layout = {
      pos: Object.fromEntries(ns.map((n, i) => [n.id, { x: i * 200, y: i % 2 ? 50 : 0 }])),
      size: Object.fromEntries(ns.map((n) => [n.id, { w: 150, h: 100 }])),
    };
    const out = bandByNode(layout, ns);
    expect(out.pos['a/ns-1']).toEqual({ x: 0, y: 0 });
    expect(out.pos['a/ns-2']).toEqual({ x: 400, y: 0 });
    const aRight = 400 + 150;
    expect(out.pos['b/ns-1']).toEqual({ x: aRight + NODE_GAP, y: 0 });
    expect(out.pos['b/ns-2']!.x - out.pos['b/ns-1']!.x).toBe(400);
    // single host (no host field): untouched
    const single = ns.map(({ id }) => ({ id }));
    expect(bandByNode(layout, single)).toBe(layout);
  });
});
