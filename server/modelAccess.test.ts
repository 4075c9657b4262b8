import { describe, expect, it } from 'vitest';
import { nsId } from '../common/ids.js';
import { emptyTopology } from '../common/model.js';
import type { Topology } from '../common/model.js';
import { ns } from '../common/testing/builders.js';
import { createModelAccess } from './modelAccess.js';

function refresh(topology: Topology) {
  const asked: number[][] = [];
  let lists = 0;
  return {
    asked,
    lists: () => lists,
    r: {
      topology,
      namespaces: (inodes: Iterable<number>) => asked.push([...inodes]),
      list: () => {
        lists++;
      },
    },
  };
}

describe('model access', () => {
  const topology: Topology = { ...emptyTopology(), namespaces: [ns(7, 'named', 'a'), ns(9, 'process', 'b')] };

  it('answers with the refresh stage model and the path of a known namespace only', () => {
    const f = refresh(topology);
    const m = createModelAccess(f.r, (n) => `/proc/${n.pids[0]}/ns/net`);
    expect(m.getTopology()).toBe(topology);
    expect(m.namespacePath(nsId(9))).toBe('/proc/9/ns/net');
    expect(m.namespacePath(nsId(8))).toBeNull();
    expect(m.namespacePath('if-9-1')).toBeNull();
  });

  it('refreshes the namespaces of the ids it is given, and re-lists when one is no namespace id', () => {
    const f = refresh(topology);
    const m = createModelAccess(f.r, () => '');
    m.onKernelChanged([nsId(7), nsId(12)]);
    expect(f.asked).toEqual([[7, 12]]);
    expect(f.lists()).toBe(0);
    m.onKernelChanged([nsId(7), 'if-7-2']);
    expect(f.asked[1]).toEqual([7]);
    expect(f.lists()).toBe(1);
  });
});
