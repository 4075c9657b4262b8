/** Hub mode: the node the "new namespace" form proposes, and the nodes it offers (pure). */
import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../../common/cluster.js';
import { defaultNewNamespaceNode, writableNodes } from './newNamespaceNode.js';

const node = (host: string | null, readOnly: boolean | null, state: NodeStatus['state'] = 'live') => ({
  host,
  url: `http://${host ?? 'unknown'}:8080`,
  state,
  lastSeen: null,
  error: null,
  readOnly,
});

const nodes: NodeStatus[] = [
  node('node-a', true),
  node('node-b', false),
  node('node-c', false, 'stale'),
  node(null, null, 'connecting'),
  node('node-d', null),
];

describe('new namespace on a hub page', () => {
  it('offers only nodes whose agent said it takes changes, stale ones marked', () => {
    expect(writableNodes(nodes)).toEqual([
      { host: 'node-b', stale: false },
      { host: 'node-c', stale: true },
    ]);
  });

  it('proposes the only node the filter shows, when it is writable', () => {
    expect(defaultNewNamespaceNode(nodes, new Set(['node-a', 'node-b', 'node-d']))).toBe('node-c');
  });

  it('proposes the first writable node shown when several are shown', () => {
    expect(defaultNewNamespaceNode(nodes, new Set())).toBe('node-b');
    expect(defaultNewNamespaceNode(nodes, new Set(['node-b']))).toBe('node-c');
  });

  it('never proposes a read-only node, even the only one shown', () => {
    expect(defaultNewNamespaceNode(nodes, new Set(['node-b', 'node-c', 'node-d']))).toBe('node-b');
  });

  it('proposes nothing when every node is read-only', () => {
    expect(defaultNewNamespaceNode([node('node-a', true), node('node-d', null)], new Set())).toBeNull();
  });
});
