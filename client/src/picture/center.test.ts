import { describe, expect, it } from 'vitest';
import type { FlowNode } from '../graph/types.js';
import { figure1 } from '../testing/fixture.js';
import { absoluteCenter, namespaceAt } from './center.js';

const t = figure1();
const nodes: FlowNode[] = [
  {
    id: 'ns-1',
    type: 'namespace',
    position: { x: 100, y: 200 },
    width: 300,
    height: 200,
    data: { ns: t.namespaces[0]!, ifaceCount: 5 },
  },
  {
    id: 'if-1-2',
    type: 'iface',
    parentId: 'ns-1',
    position: { x: 16, y: 64 },
    measured: { width: 184, height: 46 },
    data: { iface: t.interfaces[1]!, bridgeName: null },
  },
];

describe('absoluteCenter / namespaceAt', () => {
  it('adds the box position to an interface and finds the box under a point', () => {
    expect(absoluteCenter(nodes, 'ns-1')).toEqual({ x: 250, y: 300 });
    expect(absoluteCenter(nodes, 'if-1-2')).toEqual({ x: 100 + 16 + 92, y: 200 + 64 + 23 });
    expect(absoluteCenter(nodes, 'if-9-9')).toBeNull();
    expect(namespaceAt(nodes, { x: 120, y: 390 })).toBe('ns-1');
    expect(namespaceAt(nodes, { x: 99, y: 390 })).toBeNull();
  });
});
