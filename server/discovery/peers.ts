/**
 * Pure veth peer, bridge master and lower-device resolution across namespaces.
 *
 * The peer of veth V in namespace X is the interface with ifindex V.link_index in the namespace
 * that V.link_netnsid denotes *as seen from X* (nsids are per namespace; ifindexes repeat across
 * namespaces). With X's nsid map (from the kernel) this is exact; the peer must also point back.
 * A pair is resolved from whichever side has a map (the host's is always read), so not every
 * namespace needs one. Anything that cannot be proven is left unresolved with the reason.
 */
import type { Interface, Link } from '../../common/model.js';
import { nsId, vethLinkId } from '../../common/ids.js';
import type { NamespaceRead, ParsedLink, RawPointer } from './ipParse.js';

export interface ResolveInput {
  /** Every namespace that was read, by inode. */
  reads: Map<number, NamespaceRead>;
  /** Namespaces that exist but could not be read, by inode, with the reason. */
  unreadable: Map<number, string>;
}

type Target =
  | { ok: true; ns: number; link: ParsedLink }
  | {
      ok: false;
      reason: string;
      /** X's nsid map is missing (another side may still prove it). */ noMap: boolean;
    };

/**
 * Lookup tables per read, built once (reads are immutable once parsed): the host holds one veth
 * per namespace, so scanning its links for every pointer would be quadratic.
 */
interface ReadIndex {
  byIndex: Map<number, ParsedLink>;
  byName: Map<string, ParsedLink>;
  /** Links in id order, so the assembled list is already sorted (no sort per refresh). */
  sorted: ParsedLink[];
}
const indexes = new WeakMap<NamespaceRead, ReadIndex>();

function indexOf(read: NamespaceRead): ReadIndex {
  let ix = indexes.get(read);
  if (!ix) {
    const sorted = [...read.links].sort((a, b) =>
      a.iface.id < b.iface.id ? -1 : a.iface.id > b.iface.id ? 1 : 0,
    );
    ix = { byIndex: new Map(), byName: new Map(), sorted };
    // First match wins, as Array.find did.
    for (const l of read.links) {
      if (!ix.byIndex.has(l.iface.ifindex)) ix.byIndex.set(l.iface.ifindex, l);
      if (!ix.byName.has(l.iface.name)) ix.byName.set(l.iface.name, l);
    }
    indexes.set(read, ix);
  }
  return ix;
}

/** Finds what `p` (printed in namespace `ns`) points at. */
function follow(input: ResolveInput, ns: number, p: RawPointer): Target {
  let targetNs = ns;
  if (p.nsid !== null) {
    const map = input.reads.get(ns)?.nsids;
    if (!map) return { ok: false, reason: `nsid ${p.nsid} of ${nsId(ns)} could not be mapped`, noMap: true };
    const t = map.get(p.nsid);
    // A map read from the host side lacks namespaces without a host nsid: another side may know.
    if (t === undefined) {
      return { ok: false, reason: `nsid ${p.nsid} of ${nsId(ns)} denotes no namespace found`, noMap: true };
    }
    targetNs = t;
  }
  const read = input.reads.get(targetNs);
  if (!read) {
    const why = input.unreadable.get(targetNs) ?? 'not found';
    return { ok: false, reason: `namespace ${nsId(targetNs)} could not be read: ${why}`, noMap: false };
  }
  const link =
    p.index !== null
      ? indexOf(read).byIndex.get(p.index)
      : p.name !== null && p.nsid === null
        ? indexOf(read).byName.get(p.name)
        : undefined;
  if (!link) {
    const what =
      p.index !== null ? `ifindex ${p.index}` : p.name !== null ? `"${p.name}"` : 'an unnamed device';
    return { ok: false, reason: `no interface ${what} in ${nsId(targetNs)}`, noMap: false };
  }
  return { ok: true, ns: targetNs, link };
}

/** The other end's raw pointer names `self` (cross-namespace exactly when it should be). */
function pointsBack(other: ParsedLink, self: Interface, sameNs: boolean): boolean {
  const p = other.pointer;
  if (!p) return false;
  if (sameNs) return p.nsid === null && (p.index === self.ifindex || p.name === self.name);
  return p.nsid !== null && p.index === self.ifindex;
}

function forwardPointers(input: ResolveInput): Map<string, { ns: number; link: ParsedLink; f: Target }> {
  const out = new Map<string, { ns: number; link: ParsedLink; f: Target }>();
  for (const [ns, read] of input.reads) {
    for (const l of read.links) {
      if (l.iface.kind !== 'veth') continue;
      const f: Target = l.pointer
        ? follow(input, ns, l.pointer)
        : { ok: false, reason: 'ip printed no peer', noMap: false };
      out.set(l.iface.id, { ns, link: l, f });
    }
  }
  return out;
}

/** Peer id of every veth, or the reason it is unresolved. */
function peersOf(
  input: ResolveInput,
): Map<string, { peer: string | null; reason: string | null; noMap: boolean }> {
  const fwd = forwardPointers(input);
  // Exact answers proven from the other side: target id -> the veth whose map proved it.
  const proven = new Map<string, { ns: number; link: ParsedLink }>();
  for (const v of fwd.values()) if (v.f.ok) proven.set(v.f.link.iface.id, { ns: v.ns, link: v.link });
  const out = new Map<string, { peer: string | null; reason: string | null; noMap: boolean }>();
  for (const [id, v] of fwd) {
    const self = v.link.iface;
    if (v.f.ok) {
      const w = v.f.link;
      const back = fwd.get(w.iface.id)?.f;
      if (w.iface.kind !== 'veth')
        out.set(id, { peer: null, reason: `${w.iface.id} is not a veth`, noMap: false });
      else if (back?.ok && back.link.iface.id !== id) {
        out.set(id, {
          peer: null,
          reason: `${w.iface.id} points to ${back.link.iface.id}, not back here`,
          noMap: false,
        });
      } else if (back && !back.ok && !pointsBack(w, self, v.f.ns === v.ns)) {
        out.set(id, {
          peer: null,
          reason: `${w.iface.id} does not point back (${back.reason})`,
          noMap: false,
        });
      } else out.set(id, { peer: w.iface.id, reason: null, noMap: false });
    } else {
      const by = v.f.noMap ? proven.get(id) : undefined;
      if (by && pointsBack(v.link, by.link.iface, false) && by.ns !== v.ns) {
        out.set(id, { peer: by.link.iface.id, reason: null, noMap: false });
      } else out.set(id, { peer: null, reason: v.f.reason, noMap: v.f.noMap });
    }
  }
  return out;
}

/**
 * Namespaces whose nsid map is still needed: those with a cross-namespace veth that no map has
 * proven yet. Where numbers pair two veths mutually and uniquely (no other veth anywhere has the
 * same ifindex/link_index), one side's map proves the pair, so only that side is asked for;
 * with colliding numbers (fresh namespaces) both sides are.
 */
export function namespacesNeedingMaps(input: ResolveInput): number[] {
  const peers = peersOf(input);
  const fwd = forwardPointers(input);
  const all = [...fwd.entries()];
  const candidatesOf = (v: { ns: number; link: ParsedLink }) =>
    all.filter(
      ([, w]) =>
        w.ns !== v.ns &&
        w.link.iface.ifindex === v.link.pointer?.index &&
        pointsBack(w.link, v.link.iface, false),
    );
  const chosen = new Set<number>();
  for (const [id, v] of all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!peers.get(id)?.noMap || chosen.has(v.ns) || input.reads.get(v.ns)?.nsids) continue;
    const c = candidatesOf(v);
    const only = c.length === 1 ? c[0]![1] : null;
    const mutual = only !== null && candidatesOf(only).length === 1;
    if (!(mutual && chosen.has(only.ns))) chosen.add(v.ns);
  }
  return [...chosen];
}

/**
 * The interface last built from each parsed link. Reads of unchanged namespaces are cached (the
 * same ParsedLink objects), so when nothing derived from other namespaces changed either, the old
 * object is reused: the live server's diff then finds it unchanged by a pointer compare instead
 * of walking the whole model (at 300 namespaces that walk cost more than reading a namespace).
 */
export type InterfaceMemo = WeakMap<ParsedLink, Interface>;

/** What resolution derives of an interface from other interfaces (the rest is its own read). */
interface Derived {
  master: string | null;
  peer: string | null;
  peerUnresolved: string | null;
  lower: string | null;
}

/** The memo's interface when nothing derived changed (no new object), else a new one. */
function reuse(memo: InterfaceMemo | undefined, l: ParsedLink, d: Derived): Interface {
  const prev = memo?.get(l);
  if (
    prev &&
    prev.master === d.master &&
    prev.peer === d.peer &&
    prev.peerUnresolved === d.peerUnresolved &&
    prev.lower === d.lower
  ) {
    return prev;
  }
  // Spread first: the interface's keys keep their order (the JSON clients and tests see).
  const iface: Interface = { ...l.iface, ...d };
  memo?.set(l, iface);
  return iface;
}

/** The veth link last built from each parsed link (same pair: same object, for the diff). */
const linkMemo = new WeakMap<ParsedLink, Link>();

function vethLink(l: ParsedLink, self: string, peer: string): Link {
  const prev = linkMemo.get(l);
  if (prev && (prev.a === peer || prev.b === peer)) return prev;
  const [a, b] = self < peer ? [self, peer] : [peer, self];
  const link: Link = { id: vethLinkId(a, b), kind: 'veth', a, b };
  linkMemo.set(l, link);
  return link;
}

export interface Resolved {
  interfaces: Interface[];
  links: Link[];
}

export function resolve(input: ResolveInput, memo?: InterfaceMemo): Resolved {
  const peers = peersOf(input);
  const interfaces: Interface[] = [];
  const links = new Map<string, Link>();
  for (const [ns, read] of input.reads) {
    const { byName, sorted } = indexOf(read);
    for (const l of sorted) {
      const own = l.iface;
      const d: Derived = {
        master: own.master,
        peer: own.peer,
        peerUnresolved: own.peerUnresolved,
        lower: own.lower,
      };
      if (l.masterName !== null) {
        // Its id is ifId(ns, its ifindex): the master is in this namespace.
        d.master = byName.get(l.masterName)?.iface.id ?? null;
      }
      if (own.kind === 'veth') {
        const p = peers.get(own.id);
        const back = p?.peer ? peers.get(p.peer) : undefined;
        // Both ends must agree (one may be proven only from this side).
        if (p?.peer && (!back || back.peer === own.id || back.peer === null)) {
          d.peer = p.peer;
          const link = vethLink(l, own.id, p.peer);
          if (!links.has(link.id)) links.set(link.id, link);
        } else {
          d.peerUnresolved = p?.reason ?? `${p?.peer} points elsewhere`;
        }
      } else if (l.pointer) {
        const t = follow(input, ns, l.pointer);
        d.lower = t.ok ? t.link.iface.id : null;
      }
      interfaces.push(reuse(memo, l, d));
    }
  }
  return { interfaces, links: [...links.values()] };
}
