/**
 * Joining traces across nodes (pure, over the trace API's answer shape only). An agent's trace
 * of a packet that leaves its node ends in an undecidable hop: the underlay veth's peer is
 * outside what the agent sees. The hub knows where that packet goes: a node-to-node route
 * (`10.244.1.0/24 via <node B's address>`, over the underlay or the overlay) whose destination
 * holds the address, or another node owning the address itself. The trace then goes on there,
 * from the namespace holding the interface the packet reaches, and the legs are joined into one
 * path of host-qualified hops.
 */
import ipaddr from 'ipaddr.js';
import type { CrossLink } from '../../common/cluster.js';
import { hostOfId } from '../../common/ids.js';
import type { Topology } from '../../common/model.js';
import type { TraceHop, TracePath, TraceVerdict } from '../../common/trace.js';

/** Where a packet that left one node enters the next. */
export interface Crossing {
  host: string;
  /** The (qualified) interface it arrives on. */
  enter: string;
  /** The (qualified) namespace holding it: where the trace goes on. */
  namespace: string;
  /** What joined the nodes, for the hop's detail. */
  via: string;
}

/** Prefix length of `cidr` when it holds `addr`, else -1 (`default` holds everything). */
function holds(cidr: string, addr: ipaddr.IPv4 | ipaddr.IPv6): number {
  if (cidr === 'default') return 0;
  try {
    const [net, bits] = ipaddr.parseCIDR(
      cidr.includes('/') ? cidr : `${cidr}/${addr.kind() === 'ipv4' ? 32 : 128}`,
    );
    return net.kind() === addr.kind() && addr.match([net, bits]) ? bits : -1;
  } catch {
    return -1;
  }
}

function parseAddr(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.parse(text);
  } catch {
    return null;
  }
}

/**
 * The next node of a path that stops undecided where it leaves its node, or null when it does
 * not (it was delivered, refused, or leaves toward nothing the hub knows).
 */
export function nextNode(
  hops: readonly TraceHop[],
  to: string,
  topology: Topology,
  links: readonly CrossLink[],
): Crossing | null {
  const last = hops.at(-1);
  const addr = parseAddr(to);
  if (!last || last.ok || last.unknown !== true || addr === null) return null;
  const out = [...hops].reverse().find((h) => h.out !== null)?.out ?? null;
  const host = out === null ? null : hostOfId(out);
  if (out === null || host === null) return null;
  const ifaceOf = new Map(topology.interfaces.map((i) => [i.id, i]));
  const leaving = ifaceOf.get(out);
  let best: { link: CrossLink; bits: number } | null = null;
  for (const l of links) {
    if (l.kind !== 'route' || (l.a !== out && l.a !== leaving?.namespace)) continue;
    const bits = holds(l.label, addr);
    if (bits >= 0 && (best === null || bits > best.bits)) best = { link: l, bits };
  }
  const crossing = (enter: string, via: string): Crossing | null => {
    const i = ifaceOf.get(enter);
    const h = hostOfId(enter);
    return i && h !== null && h !== host ? { host: h, enter, namespace: i.namespace, via } : null;
  };
  if (best) return crossing(best.link.b, `route ${best.link.label} from ${host}`);
  // No route names the next node: the address itself may be another node's (same segment).
  for (const i of topology.interfaces)
    if (hostOfId(i.id) !== host && i.addresses.some((a) => a.cidr.split('/')[0] === addr.toString()))
      return crossing(i.id, `${to} is on ${hostOfId(i.id) ?? '?'}, from ${host}`);
  return null;
}

/** The path so far without its undecided last hop, then the next leg entering by `c.enter`. */
export function joinLeg(hops: readonly TraceHop[], next: readonly TraceHop[], c: Crossing): TraceHop[] {
  const [first, ...rest] = next;
  if (!first) return [...hops];
  return [
    ...hops.slice(0, -1),
    { ...first, in: c.enter, detail: `arrives over ${c.via}; ${first.detail}` },
    ...rest,
  ];
}

export function pathOf(hops: TraceHop[]): TracePath {
  const i = hops.findIndex((h) => !h.ok);
  return { hops, failedAt: i < 0 ? null : i };
}

/** Delivered: the last hop delivers and passes (a listener found, for tcp/udp). */
export function delivered(hops: readonly TraceHop[]): boolean {
  const last = hops.at(-1);
  return last !== undefined && last.ok && last.action === 'deliver';
}

/** The verdict of a joined trace, by the rules of a single one: both ways must pass. */
export function joinedVerdict(there: readonly TraceHop[], back: readonly TraceHop[] | null): TraceVerdict {
  const undecided = (hs: readonly TraceHop[]) => hs.some((h) => h.unknown === true);
  if (!delivered(there)) return undecided(there) ? 'unknown' : 'unreachable';
  if (back === null) return 'unknown';
  if (back.every((h) => h.ok)) return 'reachable';
  return undecided(back) ? 'unknown' : 'unreachable';
}
