/**
 * Pure veth peer, bridge master and lower-device resolution across namespaces.
 *
 * The peer of veth V in namespace X is the interface with ifindex V.link_index in the namespace
 * that V.link_netnsid denotes *as seen from X* (nsids are per namespace; ifindexes repeat across
 * namespaces). X's nsid map comes from the kernel, so this is exact; the peer must also point back.
 * Anything that cannot be proven is left unresolved with the reason, never guessed.
 */
import type { Interface, Link } from '../../common/model.js';
import { ifId, vethLinkId } from '../../common/model.js';
import type { NamespaceRead, ParsedLink, RawPointer } from './ipParse.js';

export interface ResolveInput {
  /** Every namespace that was read, by inode. */
  reads: Map<number, NamespaceRead>;
  /** Namespaces that exist but could not be read, by inode, with the reason. */
  unreadable: Map<number, string>;
}

type Target = { ok: true; ns: number; link: ParsedLink } | { ok: false; reason: string };

/** Finds what `p` (printed in namespace `ns`) points at. */
function follow(input: ResolveInput, ns: number, p: RawPointer): Target {
  let targetNs = ns;
  if (p.nsid !== null) {
    const map = input.reads.get(ns)?.nsids;
    if (!map) return { ok: false, reason: `nsids of ns-${ns} could not be read` };
    const t = map.get(p.nsid);
    if (t === undefined)
      return { ok: false, reason: `nsid ${p.nsid} of ns-${ns} denotes no namespace found` };
    targetNs = t;
  }
  const read = input.reads.get(targetNs);
  if (!read) {
    const why = input.unreadable.get(targetNs) ?? 'not found';
    return { ok: false, reason: `namespace ns-${targetNs} could not be read: ${why}` };
  }
  const link =
    p.index !== null
      ? read.links.find((l) => l.iface.ifindex === p.index)
      : p.name !== null && p.nsid === null
        ? read.links.find((l) => l.iface.name === p.name)
        : undefined;
  if (!link) {
    const what =
      p.index !== null ? `ifindex ${p.index}` : p.name !== null ? `"${p.name}"` : 'an unnamed device';
    return { ok: false, reason: `no interface ${what} in ns-${targetNs}` };
  }
  return { ok: true, ns: targetNs, link };
}

export interface Resolved {
  interfaces: Interface[];
  links: Link[];
}

export function resolve(input: ResolveInput): Resolved {
  // Pass 1: each veth's forward pointer.
  const forward = new Map<string, Target>();
  for (const [ns, read] of input.reads) {
    for (const l of read.links) {
      if (l.iface.kind === 'veth') {
        forward.set(
          l.iface.id,
          l.pointer ? follow(input, ns, l.pointer) : { ok: false, reason: 'ip printed no peer' },
        );
      }
    }
  }

  const interfaces: Interface[] = [];
  const links = new Map<string, Link>();
  for (const [ns, read] of input.reads) {
    const byName = new Map(read.links.map((l) => [l.iface.name, l.iface.ifindex]));
    for (const l of read.links) {
      const iface: Interface = { ...l.iface };
      if (l.masterName !== null) {
        const m = byName.get(l.masterName);
        iface.master = m === undefined ? null : ifId(ns, m);
      }
      if (iface.kind === 'veth') {
        const f = forward.get(iface.id);
        if (f && f.ok) {
          const back = forward.get(f.link.iface.id);
          if (f.link.iface.kind !== 'veth') {
            iface.peerUnresolved = `${f.link.iface.id} is not a veth`;
          } else if (back && back.ok && back.link.iface.id !== iface.id) {
            iface.peerUnresolved = `${f.link.iface.id} points to ${back.link.iface.id}, not back here`;
          } else if (back && !back.ok && !backIndexMatches(f.link, iface, ns === f.ns)) {
            iface.peerUnresolved = `${f.link.iface.id} does not point back (${back.reason})`;
          } else {
            iface.peer = f.link.iface.id;
            const id = vethLinkId(iface.id, iface.peer);
            links.set(id, { id, kind: 'veth', a: id.split(':')[1]!, b: id.split(':')[2]! });
          }
        } else {
          iface.peerUnresolved = f ? f.reason : 'ip printed no peer';
        }
      } else if (l.pointer) {
        const t = follow(input, ns, l.pointer);
        iface.lower = t.ok ? t.link.iface.id : null;
      }
      interfaces.push(iface);
    }
  }
  return { interfaces, links: [...links.values()] };
}

/**
 * When the peer's own nsid map is unavailable its pointer cannot be followed; still require its
 * raw pointer to name our ifindex (and to be cross-namespace exactly when we are).
 */
function backIndexMatches(peer: ParsedLink, self: Interface, sameNs: boolean): boolean {
  const p = peer.pointer;
  if (!p) return false;
  if (sameNs) return p.nsid === null && (p.index === self.ifindex || p.name === self.name);
  return p.nsid !== null && p.index === self.ifindex;
}
