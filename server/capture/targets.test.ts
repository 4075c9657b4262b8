import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import { iface, ns } from '../../common/testing/builders.js';
import { namespaceHeld, resolveTargets } from './targets.js';

function topo(): Topology {
  const t = emptyTopology();
  t.namespaces = [
    ns(1, 'host', 'host'),
    { ...ns(2, 'named', 'red'), netnsNames: ['red'], mounts: ['/run/netns/red'], pids: [77] },
  ];
  t.interfaces = [iface(1, 1, 'lo'), iface(2, 5, 'veth0'), iface(2, 6, 'a:b')];
  return t;
}
const path = (ns: { mounts: string[] }): string => ns.mounts[0] ?? '/proc/self/ns/net';

describe('resolveTargets', () => {
  it('labels interfaces namespace/name and records what holds their namespace', () => {
    const r = resolveTargets(['if-2-5', 'if-1-1'], topo(), path);
    expect(r).toEqual({
      ok: true,
      targets: [
        {
          iface: { id: 'if-2-5', namespace: 'ns-2', name: 'veth0', label: 'red/veth0' },
          nsPath: '/run/netns/red',
          nsInode: 2,
          anchors: ['/run/netns/red', '/proc/77/ns/net'],
          host: false,
        },
        {
          iface: { id: 'if-1-1', namespace: 'ns-1', name: 'lo', label: 'host/lo' },
          nsPath: '/proc/self/ns/net',
          nsInode: 1,
          anchors: ['/proc/1/ns/net'],
          host: true,
        },
      ],
    });
  });

  it('names the interface it cannot use', () => {
    expect(resolveTargets(['if-9-9'], topo(), path)).toEqual({
      ok: false,
      message: 'interfaces: no interface if-9-9',
    });
    expect(resolveTargets(['if-2-6'], topo(), path)).toMatchObject({ ok: false, message: /a:b/ });
  });
});

describe('namespaceHeld', () => {
  it('is held while any anchor still denotes the namespace', () => {
    const r = resolveTargets(['if-2-5'], topo(), path);
    if (!r.ok) throw new Error(r.message);
    const t = r.targets[0]!;
    expect(namespaceHeld(t, (p) => (p === '/proc/77/ns/net' ? 2 : null))).toBe(true);
    // The mount is gone and pid 77 now lives in another namespace (or was reused).
    expect(namespaceHeld(t, (p) => (p === '/proc/77/ns/net' ? 3 : null))).toBe(false);
    expect(namespaceHeld({ ...t, host: true }, () => null)).toBe(true);
  });
});
