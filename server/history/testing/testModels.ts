/** Random model evolutions for the history unit tests (seeded: failures reproduce). */
import { diffTopology } from '../../../common/delta.js';
import { emptyTopology, normalizeTopology } from '../../../common/model.js';
import type { Topology } from '../../../common/model.js';
import type { DeltaOp } from '../../../common/protocol.js';
import { iface, ns, route } from '../../../common/testing/builders.js';

// One seeded PRNG for every randomized test (the kernel differential test's scenes use it too).
export { prng } from '../../../test/randomScene.js';

export function baseModel(): Topology {
  const t = emptyTopology();
  t.namespaces.push(ns(1000, 'host', 'host'));
  t.interfaces.push(iface(1000, 1, 'lo', { kind: 'loopback' }));
  return normalizeTopology(t);
}

/** One random change: a namespace, interface, address or route added, changed or removed. */
export function randomStep(prev: Topology, rand: () => number): { next: Topology; ops: DeltaOp[] } {
  for (;;) {
    const t: Topology = {
      ...prev,
      namespaces: [...prev.namespaces],
      interfaces: [...prev.interfaces],
      routes: [...prev.routes],
    };
    const pick = Math.floor(rand() * 6);
    const inodes = t.namespaces.map((n) => n.inode);
    const inode = inodes[Math.floor(rand() * inodes.length)]!;
    const n = Math.floor(rand() * 1e6);
    if (pick === 0) {
      t.namespaces.push(ns(2000 + n, 'named', `ns${n}`));
    } else if (pick === 1 && t.namespaces.length > 1) {
      const victim = t.namespaces.find((x) => x.inode === inode && x.kind !== 'host');
      if (!victim) continue;
      t.namespaces = t.namespaces.filter((x) => x !== victim);
      t.interfaces = t.interfaces.filter((i) => i.namespace !== victim.id);
      t.routes = t.routes.filter((r) => r.namespace !== victim.id);
    } else if (pick === 2) {
      t.interfaces.push(iface(inode, 10 + n, `veth${n}`));
    } else if (pick === 3 && t.interfaces.length > 0) {
      const i = Math.floor(rand() * t.interfaces.length);
      const old = t.interfaces[i]!;
      t.interfaces[i] =
        rand() < 0.5
          ? { ...old, state: old.state === 'UP' ? 'DOWN' : 'UP' }
          : {
              ...old,
              addresses: [{ family: 'inet', cidr: `10.${n % 250}.0.1/24`, scope: 'global', broadcast: null }],
            };
    } else if (pick === 4) {
      t.routes.push(route(inode, { dst: `10.${n % 250}.${n % 7}.0/24` }));
    } else if (pick === 5 && t.routes.length > 0) {
      t.routes.splice(Math.floor(rand() * t.routes.length), 1);
    } else continue;
    const next = normalizeTopology(t);
    const ops = diffTopology(prev, next);
    if (ops) return { next, ops };
  }
}
