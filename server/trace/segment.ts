/**
 * The layer-2 part of a path (pure, over the model): from the interface a namespace sends on,
 * across veth peers and bridges, to the interface that receives the frame at layer 3. Which
 * receiver is meant comes from the next-hop address (who would answer ARP/ND for it) or, when the
 * neighbour table already knows it, from its MAC address.
 */
import type { Interface, Topology } from '../../common/model.js';

export interface SegmentIndex {
  byId: Map<string, Interface>;
  /** Bridge id -> its ports. */
  ports: Map<string, Interface[]>;
  /** Namespace id -> its interfaces. */
  inNamespace: Map<string, Interface[]>;
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

export function indexTopology(t: Topology): SegmentIndex {
  const byId = new Map<string, Interface>();
  const ports = new Map<string, Interface[]>();
  const inNamespace = new Map<string, Interface[]>();
  for (const i of t.interfaces) {
    byId.set(i.id, i);
    // push, not spread: a host bridge may have a thousand ports.
    if (i.master) push(ports, i.master, i);
    push(inNamespace, i.namespace, i);
  }
  return { byId, ports, inNamespace };
}

const plain = (cidr: string): string => cidr.split('/')[0] ?? cidr;

/** Interfaces one step away at layer 2: the veth peer, the bridge of a port, the ports of a bridge. */
function neighbours(idx: SegmentIndex, i: Interface): Interface[] {
  const out: Interface[] = [];
  if (i.peer) {
    const p = idx.byId.get(i.peer);
    if (p) out.push(p);
  }
  if (i.master) {
    const b = idx.byId.get(i.master);
    if (b) out.push(b);
  }
  if (i.kind === 'bridge') out.push(...(idx.ports.get(i.id) ?? []));
  return out;
}

export type SegmentResult =
  | { ok: true; path: Interface[]; receiver: Interface; how: string }
  | { ok: false; reason: string; reached: Interface[]; unknown: boolean };

/**
 * Breadth-first over the segment from `start` (the sending interface). A receiver is an interface
 * that is not a bridge port; it is the one holding `nextHop` (on itself, else anywhere in its
 * namespace: Linux answers ARP for any local address by default), or whose MAC is `mac`.
 */
export function findReceiver(
  idx: SegmentIndex,
  start: Interface,
  nextHop: string,
  mac: string | null,
): SegmentResult {
  const parent = new Map<string, Interface | null>([[start.id, null]]);
  const queue: Interface[] = [start];
  const receivers: Interface[] = [];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const n of neighbours(idx, cur)) {
      if (parent.has(n.id)) continue;
      // A bridge port forwards, it does not receive; the bridge itself and veth ends do.
      if (n.kind === 'bridge' && cur.master === n.id) {
        parent.set(n.id, cur);
        receivers.push(n);
        queue.push(n);
        continue;
      }
      parent.set(n.id, cur);
      if (!n.master) receivers.push(n);
      else queue.push(n);
    }
  }
  const ownsOnIface = (i: Interface) => i.addresses.some((a) => plain(a.cidr) === nextHop);
  const ownsInNs = (i: Interface) =>
    (idx.inNamespace.get(i.namespace) ?? []).some((x) => x.addresses.some((a) => plain(a.cidr) === nextHop));
  const byMac = mac ? receivers.find((r) => r.mac?.toLowerCase() === mac.toLowerCase()) : undefined;
  const receiver = byMac ?? receivers.find(ownsOnIface) ?? receivers.find(ownsInNs);
  // A veth whose peer the model could not resolve hides the rest of the segment: say so.
  const hidden = [...parent.keys()]
    .map((id) => idx.byId.get(id))
    .filter((i) => i?.kind === 'veth' && !i.peer);
  if (!receiver && hidden.length) {
    const h = hidden[0]!;
    return {
      ok: false,
      unknown: true,
      reason: `the veth peer of ${h.name} is not known (${h.peerUnresolved ?? 'unresolved'}), so the way to ${nextHop} cannot be followed`,
      reached: receivers,
    };
  }
  if (!receiver) {
    return {
      unknown: false,
      ok: false,
      reason:
        receivers.length === 0
          ? `nothing is connected to ${start.name} at layer 2`
          : `no host on the link from ${start.name} has ${nextHop} (reachable there: ${receivers
              .map((r) => `${r.name} ${r.addresses.map((a) => a.cidr).join(',') || '(no address)'}`)
              .join('; ')}), so its neighbour entry never resolves`,
      reached: receivers,
    };
  }
  const path: Interface[] = [];
  for (let x: Interface | null | undefined = receiver; x; x = parent.get(x.id)) path.unshift(x);
  const how = byMac ? `neighbour entry ${nextHop} lladdr ${mac ?? ''}` : `${receiver.name} has ${nextHop}`;
  return { ok: true, path, receiver, how };
}
