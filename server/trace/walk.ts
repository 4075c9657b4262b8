/**
 * Walks one direction of a path, namespace by namespace, asking the kernel at every step: the
 * route decision (`ip route get` with the packet's source and input interface, so policy rules,
 * forwarding and reverse-path filtering are the kernel's own), link and carrier state, the
 * neighbour table, then layer 2 across veth peers and bridges to the next namespace.
 */
import type { Interface } from '../../common/model.js';
import type { TraceHop } from '../../common/trace.js';
import type { TraceContext } from './context.js';
import type { PacketView } from './nft.js';
import { firewallHop } from './guard.js';
import { findReceiver } from './segment.js';
import { crossSegment } from './crossing.js';
import { hop } from './hop.js';
import { explainRefusal } from './refusal.js';

export interface WalkStart {
  namespace: string;
  to: string;
  /** null: let the kernel choose (prefsrc of the first route). */
  from: string | null;
  family: 4 | 6;
  /** Firewall mark the packet leaves its source with (null: none); crossing into another
   * namespace clears it (the kernel scrubs the mark of a packet that changes namespace). */
  mark?: number | null;
  packet: Omit<PacketView, 'saddr' | 'daddr' | 'iifname' | 'oifname' | 'family'>;
  /**
   * The way there: start the reply's likely reads early (a symmetric reply comes back in on the
   * interface this packet leaves by), so the return walk finds them done. Only a cache warm-up:
   * the return walk still asks the kernel its own questions.
   */
  warmReturn?: boolean;
  /** The packet arrives on this interface of `namespace` (with `from` as its source): it is
   * decided as a forwarded packet there, not as one sent from there. */
  inIf?: Interface | null;
}

export interface WalkResult {
  hops: TraceHop[];
  /** Where it was delivered (the address is local there), null when it was not. */
  deliveredTo: string | null;
  /** Interface it was delivered on (null: sent to itself). */
  deliveredIn: string | null;
  source: string | null;
  /** A hop could not be decided statically. */
  unknown: boolean;
}

const MAX_NAMESPACES = 32;

export async function walk(ctx: TraceContext, start: WalkStart): Promise<WalkResult> {
  const hops: TraceHop[] = [];
  let ns = start.namespace;
  let iif: Interface | null = start.inIf ?? null;
  let src = start.from;
  const seen = new Set<string>();
  const result = (deliveredTo: string | null, unknown = false): WalkResult => ({
    hops,
    deliveredTo,
    deliveredIn: deliveredTo ? (iif?.id ?? null) : null,
    source: src,
    unknown,
  });

  for (let step = 0; step < MAX_NAMESPACES; step++) {
    const key = `${ns}|${iif?.id ?? ''}`;
    if (seen.has(key)) {
      hops.push(
        hop(
          ns,
          iif,
          null,
          'drop',
          'the path comes back here',
          '',
          false,
          'routing loop: the packet comes back to a namespace it already passed',
        ),
      );
      return result(null);
    }
    seen.add(key);
    // A forwarded packet: its source and input interface; a locally sent one: `from` only when the
    // caller fixed the source (the reply's), else the kernel picks it.
    const mark = step === 0 ? (start.mark ?? null) : null;
    const query = { to: start.to, from: src, iif: iif?.name ?? null, mark };
    // The firewall is read while ip answers (one process each); sysctls only to explain a refusal.
    ctx.firewall(ns).catch(() => undefined);
    const read = await ctx.read(ns, query);
    const command = read.routeCommand;
    if (!read.route.ok) {
      const reason = await explainRefusal(ctx, ns, iif, src, start, read.route.error, read.links);
      hops.push(hop(ns, iif, null, 'route', read.route.error, command, false, reason));
      return result(null);
    }
    const route = read.route.route;
    src = src ?? route.prefsrc;
    const pkt: PacketView = {
      ...start.packet,
      family: start.family,
      saddr: src ?? '',
      daddr: start.to,
      iifname: iif?.name ?? null,
      oifname: null,
      // Asked with the caller's mark where it starts; a packet that changed namespace has none.
      mark: step === 0 ? (start.mark ?? 0) : 0,
    };

    if (route.type === 'local') {
      // Sent to itself: output then input over lo; arrived from outside: input.
      if (!iif) {
        const out = await firewallHop(ctx, ns, 'output', { ...pkt, oifname: 'lo' }, null, null);
        if (out) {
          hops.push(out);
          return result(null, out.unknown === true);
        }
      }
      const fw = await firewallHop(ctx, ns, 'input', { ...pkt, iifname: iif?.name ?? 'lo' }, iif, null);
      if (fw) {
        hops.push(fw);
        return result(null, fw.unknown === true);
      }
      if (start.warmReturn && src)
        ctx.read(ns, { to: src, from: start.to, iif: null }).catch(() => undefined);
      hops.push(hop(ns, iif, null, 'deliver', route.text, command, true, null));
      return result(ns);
    }
    if (route.type !== 'unicast' || !route.dev) {
      hops.push(
        hop(
          ns,
          iif,
          null,
          'route',
          route.text,
          command,
          false,
          `the route is of type ${route.type}: the kernel drops the packet`,
        ),
      );
      return result(null);
    }
    if (start.warmReturn && src)
      ctx.read(ns, { to: src, from: start.to, iif: route.dev }).catch(() => undefined);
    const outIf = ctx.iface(ns, route.dev);
    const outFacts = read.links.find((l) => l.name === route.dev);
    const okLink = outFacts ? outFacts.up && outFacts.lowerUp : true;
    const linkReason = !outFacts
      ? null
      : !outFacts.up
        ? `${route.dev} is down (administratively)`
        : !outFacts.lowerUp
          ? `${route.dev} has no carrier (${outFacts.operstate}: the other end of the link is down)`
          : null;
    const routeHop = hop(ns, iif, outIf, 'route', route.text, command, okLink, linkReason);
    hops.push(routeHop);
    if (!okLink) return result(null);
    const fw = await firewallHop(
      ctx,
      ns,
      iif ? 'forward' : 'output',
      { ...pkt, oifname: route.dev },
      iif,
      outIf,
    );
    if (fw) {
      hops.push(fw);
      return result(null, fw.unknown === true);
    }
    if (!outIf) {
      hops.push(
        hop(
          ns,
          iif,
          null,
          'drop',
          route.text,
          command,
          false,
          `${route.dev} is not in the model yet; try again`,
        ),
      );
      return result(null, true);
    }
    // Layer 2: who answers for the next hop, and the way there.
    const nextHop = route.gateway ?? start.to;
    const neigh = read.neigh.find((n) => n.dst === nextHop && n.dev === route.dev);
    const failed = neigh && neigh.state.some((s) => s === 'FAILED' || s === 'INCOMPLETE');
    const seg = findReceiver(ctx.idx, outIf, nextHop, failed ? null : (neigh?.lladdr ?? null));
    if (!seg.ok) {
      const extra = failed ? ` (neighbour table: ${nextHop} dev ${route.dev} ${neigh.state.join(',')})` : '';
      hops.push(
        hop(
          ns,
          outIf,
          null,
          'drop',
          `next hop ${nextHop} dev ${route.dev}`,
          'ip -j neigh show',
          false,
          `${seg.reason}${extra}`,
          // Other link kinds (macvlan, vxlan, physical) lead where the model cannot follow.
          seg.unknown || (seg.reached.length === 0 && outIf.kind !== 'veth' && outIf.kind !== 'bridge'),
        ),
      );
      return result(null, hops[hops.length - 1]!.unknown === true);
    }
    const crossing = await crossSegment(ctx, seg.path, seg.how);
    hops.push(...crossing.hops);
    if (!crossing.ok) return result(null, crossing.unknown);
    ns = seg.receiver.namespace;
    iif = seg.receiver;
  }
  hops.push(hop(ns, iif, null, 'drop', '', '', false, `more than ${MAX_NAMESPACES} namespaces on the path`));
  return result(null);
}
