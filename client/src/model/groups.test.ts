import { describe, expect, it } from 'vitest';
import type { ContainerRef, Namespace, Topology } from '../../../common/model.js';
import { containersText, namespaceGroups, topologyGroups } from './groups.js';

const ref = (over: Partial<ContainerRef>): ContainerRef => ({
  runtime: 'kubernetes',
  id: 'x',
  name: null,
  image: null,
  pod: null,
  group: null,
  sharedNamespace: false,
  ...over,
});

const ns = (id: string, containers: ContainerRef[]): Namespace => ({
  id,
  inode: 1,
  kind: 'container',
  name: id,
  netnsNames: [],
  pids: [],
  processes: [],
  containers,
  mounts: [],
  error: null,
});

describe('groups', () => {
  const prod = { kind: 'kubernetes' as const, name: 'prod' };
  const pod = ns('ns-1', [
    ref({ id: 'a', name: 'api', group: prod }),
    ref({ id: 'b', name: 'side', group: prod }),
  ]);
  const web = ns('ns-2', [
    ref({ runtime: 'docker', id: 'c', name: 'web', group: { kind: 'compose', name: 'shop' } }),
  ]);

  it('lists each namespace group once and counts namespaces per group', () => {
    expect(namespaceGroups(pod)).toEqual(['k8s ns prod']);
    const t: Topology = {
      version: 1,
      namespaces: [pod, web, ns('ns-3', [])],
      interfaces: [],
      routes: [],
      links: [],
    };
    expect([...topologyGroups(t)]).toEqual([
      ['compose shop', 1],
      ['k8s ns prod', 1],
    ]);
  });

  it("lists a pod's containers on its box", () => {
    expect(containersText(pod)).toBe('kubernetes: api, side');
    expect(containersText(web)).toBeNull();
  });
});
