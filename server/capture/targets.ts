/**
 * Which interfaces a capture request names, where to enter their namespaces, and how to tell
 * later that a namespace went away. Pure over the topology (the stat is injected).
 */
import type { CaptureInterface } from '../../common/capture.js';
import type { Namespace, Topology } from '../../common/model.js';

export interface CaptureTarget {
  iface: CaptureInterface;
  nsPath: string;
  nsInode: number;
  /** Paths that held the namespace when the capture started (mounts, /proc/PID/ns/net). */
  anchors: string[];
  /** The host namespace never goes away. */
  host: boolean;
}

export type ResolveResult = { ok: true; targets: CaptureTarget[] } | { ok: false; message: string };

/** Interface names we hand to tcpdump: what the kernel allows, minus the odd ones. */
const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}$/;

export function resolveTargets(
  ids: readonly string[],
  topology: Topology,
  namespacePath: (ns: Namespace) => string | null,
): ResolveResult {
  const targets: CaptureTarget[] = [];
  for (const id of ids) {
    const iface = topology.interfaces.find((i) => i.id === id);
    if (!iface) return { ok: false, message: `interfaces: no interface ${id}` };
    const ns = topology.namespaces.find((n) => n.id === iface.namespace);
    if (!ns || ns.error) return { ok: false, message: `interfaces: the namespace of ${id} cannot be read` };
    const nsPath = namespacePath(ns);
    if (!nsPath) return { ok: false, message: `interfaces: the namespace of ${id} is gone` };
    if (!IFNAME.test(iface.name))
      return { ok: false, message: `interfaces: cannot capture on ${JSON.stringify(iface.name)}` };
    targets.push({
      iface: { id, namespace: ns.id, name: iface.name, label: `${ns.name}/${iface.name}` },
      nsPath,
      nsInode: ns.inode,
      anchors: [...ns.mounts, ...ns.pids.filter((p) => p !== process.pid).map((p) => `/proc/${p}/ns/net`)],
      host: ns.kind === 'host',
    });
  }
  return { ok: true, targets };
}

/**
 * True while something other than our own tcpdump still holds the namespace: one of its anchors
 * still denotes it. (Our tcpdump keeps it alive in the kernel, so the kernel cannot tell us.)
 */
export function namespaceHeld(t: CaptureTarget, inodeOf: (path: string) => number | null): boolean {
  if (t.host) return true;
  return t.anchors.some((a) => inodeOf(a) === t.nsInode);
}
