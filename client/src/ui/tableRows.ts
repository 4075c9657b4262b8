/**
 * The table view's rows (issue 13): one per namespace and one per interface, with what people
 * look for in a big picture (kind, name, container, state, addresses, peer, bridge), filtered by
 * text and sorted by a column. Pure.
 */
import type { Topology } from '../../../common/model.js';
import { isUp } from '../model/interface.js';
import { KIND_LABEL, containerLabel, mainContainer } from '../model/namespace.js';

export interface TableRow {
  id: string;
  what: 'namespace' | 'interface';
  /** Namespace kind label, or the interface kind (veth, bridge, ...). */
  kind: string;
  name: string;
  /** The namespace the row is in (its own name for a namespace row). */
  namespace: string;
  container: string;
  state: string;
  addresses: string;
  /** A veth's peer as `name @ namespace`. */
  peer: string;
  /** The bridge an interface is a port of; for a namespace, how many interfaces it has. */
  bridge: string;
}

export const COLUMNS = [
  'kind',
  'name',
  'namespace',
  'container',
  'state',
  'addresses',
  'peer',
  'bridge',
] as const;
export type Column = (typeof COLUMNS)[number];

export function tableRows(t: Topology): TableRow[] {
  const nsById = new Map(t.namespaces.map((n) => [n.id, n]));
  const ifById = new Map(t.interfaces.map((i) => [i.id, i]));
  const count = new Map<string, number>();
  const up = new Map<string, number>();
  for (const i of t.interfaces) {
    count.set(i.namespace, (count.get(i.namespace) ?? 0) + 1);
    if (isUp(i)) up.set(i.namespace, (up.get(i.namespace) ?? 0) + 1);
  }
  const rows: TableRow[] = [];
  for (const n of t.namespaces) {
    const c = mainContainer(n);
    rows.push({
      id: n.id,
      what: 'namespace',
      kind: KIND_LABEL[n.kind],
      name: n.name,
      namespace: n.name,
      container: c ? `${c.runtime}: ${containerLabel(c)}` : '',
      state: n.error ? 'unreadable' : `${up.get(n.id) ?? 0}/${count.get(n.id) ?? 0} up`,
      addresses: '',
      peer: '',
      bridge: '',
    });
  }
  for (const i of t.interfaces) {
    const ns = nsById.get(i.namespace);
    const c = ns ? mainContainer(ns) : undefined;
    const peer = i.peer ? ifById.get(i.peer) : undefined;
    rows.push({
      id: i.id,
      what: 'interface',
      kind: i.kind,
      name: i.name,
      namespace: ns?.name ?? '',
      container: c ? containerLabel(c) : '',
      state: i.state,
      addresses: i.addresses.map((a) => a.cidr).join(' '),
      peer: peer ? `${peer.name} @ ${nsById.get(peer.namespace)?.name ?? '?'}` : '',
      bridge: (i.master && ifById.get(i.master)?.name) || '',
    });
  }
  return rows;
}

/** Rows any of whose columns contain every word of `text` (case-insensitive). */
export function filterRows(rows: readonly TableRow[], text: string): TableRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const all =
      COLUMNS.map((c) => r[c])
        .join('\n')
        .toLowerCase() + `\n${r.id}`;
    return words.every((w) => all.includes(w));
  });
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Sorted by one column (natural order: eth2 before eth10), ties by id, so the order is stable. */
export function sortRows(rows: readonly TableRow[], by: Column, descending = false): TableRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => sign * collator.compare(a[by], b[by]) || collator.compare(a.id, b.id));
}
