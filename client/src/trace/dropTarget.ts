/**
 * What dropping the trace handle on a node of the picture puts in the destination box (pure): an
 * interface gives its address, a namespace the address of one of its interfaces. Where there are
 * several, the first global one is taken (in the model's order) and the note says so; link-local
 * and host addresses are never taken (a trace to them means nothing outside the link).
 */
import type { Interface, Topology } from '../../../common/model.js';

export interface DropFill {
  /** The address to put in the destination box, null when the node has none. */
  addr: string | null;
  /** What was taken and why, shown under the form. */
  note: string;
}

const globalAddrs = (i: Interface) =>
  i.addresses.filter((a) => a.scope === 'global').map((a) => ({ addr: a.cidr.split('/')[0]!, on: i.name }));

function pick(owner: string, nsName: string, found: Array<{ addr: string; on: string }>): DropFill {
  const first = found[0];
  if (!first) return { addr: null, note: `${owner} has no global address to trace to` };
  if (found.length === 1)
    return { addr: first.addr, note: `destination: ${first.addr} (${first.on} in ${nsName})` };
  return {
    addr: first.addr,
    note: `${owner} has ${found.length} global addresses; took the first, ${first.addr} (${first.on})`,
  };
}

/** The destination for a drop on node `nodeId` (a namespace or interface id), null for other nodes. */
export function destinationFor(t: Topology, nodeId: string): DropFill | null {
  const nsName = (id: string) => t.namespaces.find((n) => n.id === id)?.name ?? id;
  const iface = t.interfaces.find((i) => i.id === nodeId);
  if (iface) {
    const where = nsName(iface.namespace);
    return pick(`${iface.name} in ${where}`, where, globalAddrs(iface));
  }
  const ns = t.namespaces.find((n) => n.id === nodeId);
  if (!ns) return null;
  return pick(
    ns.name,
    ns.name,
    t.interfaces.filter((i) => i.namespace === ns.id && i.name !== 'lo').flatMap(globalAddrs),
  );
}
