/** Pure search over the model: namespace, interface, MAC or IP address -> matching node ids. */
import type { Topology } from '../../../common/model.js';
import { shortContainerId } from './namespace.js';
import { groupLabel } from './groups.js';

export interface SearchHit {
  id: string;
  kind: 'namespace' | 'interface';
  label: string;
  /** 0 = exact match, 1 = prefix, 2 = substring; lower is better. */
  rank: number;
}

function score(value: string, q: string): number | null {
  const v = value.toLowerCase();
  if (v === q) return 0;
  if (v.startsWith(q)) return 1;
  if (v.includes(q)) return 2;
  return null;
}

function best(values: readonly string[], q: string): number | null {
  let r: number | null = null;
  for (const v of values) {
    const s = score(v, q);
    if (s !== null && (r === null || s < r)) r = s;
  }
  return r;
}

export function search(t: Topology, query: string, limit = 20): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: SearchHit[] = [];
  for (const n of t.namespaces) {
    const values = [n.name, n.id, String(n.inode), ...n.netnsNames];
    for (const c of n.containers) {
      values.push(shortContainerId(c), ...(c.name ? [c.name] : []), ...(c.pod ? [c.pod] : []));
      // Groups filter by search: `shop`, `compose shop`, `k8s ns prod`, `pod web`.
      if (c.group) values.push(c.group.name, groupLabel(c.group));
    }
    const r = best(values, q);
    if (r !== null) hits.push({ id: n.id, kind: 'namespace', label: `${n.name} (${n.kind})`, rank: r });
  }
  const nsName = new Map(t.namespaces.map((n) => [n.id, n.name]));
  for (const i of t.interfaces) {
    // An address matches with or without its prefix length.
    const addrs = i.addresses.flatMap((a) => [a.cidr, a.cidr.split('/')[0] ?? a.cidr]);
    const r = best([i.name, i.id, ...(i.mac ? [i.mac] : []), ...addrs], q);
    if (r !== null) {
      hits.push({
        id: i.id,
        kind: 'interface',
        label: `${i.name} in ${nsName.get(i.namespace) ?? '?'}`,
        rank: r,
      });
    }
  }
  return hits.sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label)).slice(0, limit);
}
