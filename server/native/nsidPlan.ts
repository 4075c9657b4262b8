/**
 * Pure: which nsids must be asked (and from which namespace) so that peers.ts can resolve every
 * cross-namespace veth exactly, in O(veths) in total, instead of every namespace listing the nsid
 * of every other one (O(N^2)).
 *
 * A veth V in X printing (peer ifindex i, nsid n) can only pair with a veth W in another
 * namespace Y whose ifindex is i and whose own pointer names V's ifindex: those are its
 * candidates (ifindexes collide across namespaces, so there may be several). One kernel answer
 * decides a candidate pair: nsid_X(Y) = n, or, from the other side, nsid_Y(X) = W's nsid. Each
 * pair is asked from the side with more pairs to decide (the hub of a star: one entry into the
 * hub instead of one into every leaf). Nothing is guessed: a pair no answer confirms stays
 * unresolved in peers.ts, with its reason.
 */
import type { NamespaceRead, ParsedLink } from '../discovery/ipParse.js';

export interface PlanInput {
  reads: Map<number, NamespaceRead>;
  /** Present but unreadable namespaces: a pointer with no candidate may point into one. */
  unreadable: ReadonlySet<number>;
  hostInode: number;
}

/** Namespace to ask from -> namespaces whose nsid (as seen from it) is wanted. */
export type NsidPlan = Map<number, Set<number>>;

interface End {
  ns: number;
  link: ParsedLink;
}

/** Most namespaces whose nsid one stacked device (macvlan, ...) may ask for. */
const LOWER_CANDIDATES_MAX = 64;

function known(reads: Map<number, NamespaceRead>, ns: number, nsid: number): boolean {
  return reads.get(ns)?.nsids?.has(nsid) === true;
}

function add(plan: NsidPlan, from: number, target: number): void {
  let s = plan.get(from);
  if (!s) plan.set(from, (s = new Set()));
  s.add(target);
}

export function planNsidQueries(input: PlanInput): NsidPlan {
  const { reads } = input;
  const veths: End[] = [];
  const lowers: End[] = [];
  // ifindex -> the ifindex its pointer names -> veths: a veth's candidates in one lookup (a hub's
  // thousand ports all point at ifindex 2: filtering every leaf's eth0 for each was quadratic).
  const byPair = new Map<number, Map<number, End[]>>();
  const nsWithIndex = new Map<number, number[]>();
  for (const [ns, read] of reads) {
    for (const link of read.links) {
      const idx = link.iface.ifindex;
      let withIndex = nsWithIndex.get(idx);
      if (!withIndex) nsWithIndex.set(idx, (withIndex = []));
      if (withIndex[withIndex.length - 1] !== ns) withIndex.push(ns);
      const p = link.pointer;
      if (!p || p.nsid === null || p.index === null) continue;
      if (link.iface.kind !== 'veth') {
        lowers.push({ ns, link });
        continue;
      }
      veths.push({ ns, link });
      let pointingAt = byPair.get(idx);
      if (!pointingAt) byPair.set(idx, (pointingAt = new Map()));
      let list = pointingAt.get(p.index);
      if (!list) pointingAt.set(p.index, (list = []));
      list.push({ ns, link });
    }
  }
  const plan: NsidPlan = new Map();
  const pairs: Array<[End, End]> = [];
  const seen = new Set<string>();
  for (const v of veths) {
    const p = v.link.pointer!;
    if (known(reads, v.ns, p.nsid!)) continue;
    const candidates = (byPair.get(p.index!)?.get(v.link.iface.ifindex) ?? []).filter((w) => w.ns !== v.ns);
    // Already decided from the other side (its map names our namespace under its nsid).
    if (candidates.some((w) => reads.get(w.ns)?.nsids?.get(w.link.pointer!.nsid!) === v.ns)) continue;
    // A candidate whose own map is known points elsewhere (checked above): not ours.
    const open = candidates.filter((w) => !known(reads, w.ns, w.link.pointer!.nsid!));
    for (const w of open) {
      // Each pair is met from both ends: keep it once.
      const key =
        v.link.iface.id < w.link.iface.id
          ? `${v.link.iface.id} ${w.link.iface.id}`
          : `${w.link.iface.id} ${v.link.iface.id}`;
      if (!seen.has(key)) {
        seen.add(key);
        pairs.push([v, w]);
      }
    }
    if (open.length === 0) for (const u of input.unreadable) add(plan, v.ns, u);
  }
  const load = new Map<number, number>();
  for (const [v, w] of pairs) {
    load.set(v.ns, (load.get(v.ns) ?? 0) + 1);
    load.set(w.ns, (load.get(w.ns) ?? 0) + 1);
  }
  for (const [v, w] of pairs) {
    const lv = load.get(v.ns)!;
    const lw = load.get(w.ns)!;
    if (lv > lw || (lv === lw && v.ns < w.ns)) add(plan, v.ns, w.ns);
    else add(plan, w.ns, v.ns);
  }
  for (const l of lowers) {
    const p = l.link.pointer!;
    if (known(reads, l.ns, p.nsid!)) continue;
    // Stacked devices usually sit on a host device: the host first, then the others.
    const holders = (nsWithIndex.get(p.index!) ?? []).filter((ns) => ns !== l.ns);
    const ordered = [
      ...holders.filter((ns) => ns === input.hostInode),
      ...holders.filter((ns) => ns !== input.hostInode),
    ];
    for (const ns of ordered.slice(0, LOWER_CANDIDATES_MAX)) add(plan, l.ns, ns);
    for (const u of input.unreadable) add(plan, l.ns, u);
  }
  return plan;
}
