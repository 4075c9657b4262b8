/**
 * Turns a layer-2 path (from segment.ts) into hops, checking each step against the kernel: the
 * veth end the frame arrives on is up, bridge ports are forwarding, and which port the bridge's
 * FDB sends the frame to (or that it floods it).
 */
import type { Interface } from '../../common/model.js';
import type { TraceHop } from '../../common/trace.js';
import type { TraceContext } from './context.js';
import type { LinkFacts } from './facts.js';
import { hop } from './hop.js';

export interface Crossing {
  ok: boolean;
  unknown: boolean;
  hops: TraceHop[];
}

export async function crossSegment(ctx: TraceContext, path: Interface[], how: string): Promise<Crossing> {
  const hops: TraceHop[] = [];
  const receiver = path[path.length - 1]!;
  // Namespaces in between (bridges) are read in parallel; the receiver's own read comes next
  // with its route decision, and a veth end that is down shows as no carrier on the sender.
  for (const i of path.slice(1, -1)) {
    ctx.links(i.namespace).catch(() => undefined);
    if (i.kind === 'bridge') ctx.fdb(i.namespace, i.name).catch(() => undefined);
  }
  for (let i = 1; i < path.length; i++) {
    const prev = path[i - 1]!;
    const cur = path[i]!;
    const links = i < path.length - 1 || cur.kind === 'bridge' ? await ctx.links(cur.namespace) : [];
    const facts = links.find((l) => l.name === cur.name);
    if (prev.peer === cur.id) {
      const down = facts && !facts.up ? `${cur.name} (the veth peer of ${prev.name}) is down` : null;
      const last = i === path.length - 1;
      hops.push(
        hop(
          cur.namespace,
          cur,
          null,
          'veth',
          `${prev.name} -> ${cur.name} (veth peer)${last ? `; ${how}` : ''}`,
          'ip -j -d addr show',
          !down,
          down,
        ),
      );
      if (down) return { ok: false, unknown: false, hops };
      continue;
    }
    if (cur.kind === 'bridge' && prev.master === cur.id) {
      // Into the bridge; the hop is made when it leaves by a port, or here if the bridge receives.
      if (i < path.length - 1) continue;
      const h = await bridgeHop(ctx, cur, prev, null, receiver, links, how);
      hops.push(h);
      if (!h.ok) return { ok: false, unknown: h.unknown === true, hops };
      continue;
    }
    if (prev.kind === 'bridge' && cur.master === prev.id) {
      const inPort = path[i - 2] && path[i - 2]!.master === prev.id ? path[i - 2]! : null;
      const h = await bridgeHop(ctx, prev, inPort, cur, receiver, links, how);
      hops.push(h);
      if (!h.ok) return { ok: false, unknown: h.unknown === true, hops };
      continue;
    }
    hops.push(
      hop(
        cur.namespace,
        prev,
        cur,
        'drop',
        `${prev.name} -> ${cur.name}`,
        '',
        false,
        `cannot follow a ${prev.kind} link statically`,
        true,
      ),
    );
    return { ok: false, unknown: true, hops };
  }
  return { ok: true, unknown: false, hops };
}

async function bridgeHop(
  ctx: TraceContext,
  bridge: Interface,
  inPort: Interface | null,
  outPort: Interface | null,
  receiver: Interface,
  links: LinkFacts[],
  how: string,
): Promise<TraceHop> {
  const command = `bridge -j fdb show br ${bridge.name}`;
  const state = (p: Interface | null) =>
    p ? (links.find((l) => l.name === p.name)?.portState ?? null) : null;
  const brFacts = links.find((l) => l.name === bridge.name);
  const fail = (detail: string, reason: string) =>
    hop(bridge.namespace, inPort, outPort ?? bridge, 'bridge', detail, command, false, reason);
  if (brFacts && !brFacts.up) return fail(`${bridge.name} down`, `bridge ${bridge.name} is down`);
  // Which VLANs each port carries (and untags) would decide it: not modelled, so not guessed.
  if (brFacts?.vlanFiltering)
    return hop(
      bridge.namespace,
      inPort,
      outPort ?? bridge,
      'bridge',
      `${bridge.name} vlan_filtering 1`,
      'ip -j -d link show',
      false,
      `bridge ${bridge.name} filters by VLAN; the trace does not decide VLAN membership`,
      true,
    );
  for (const p of [inPort, outPort]) {
    const s = state(p);
    if (p && s && s !== 'forwarding')
      return fail(`port ${p.name} state ${s}`, `bridge port ${p.name} is ${s}, not forwarding`);
  }
  const mac = receiver.mac?.toLowerCase() ?? null;
  const fdb = await ctx.fdb(bridge.namespace, bridge.name);
  const entry = mac
    ? fdb.find((e) => e.mac === mac && (e.master === bridge.name || e.dev === bridge.name))
    : undefined;
  let detail: string;
  if (!outPort) detail = `${mac ?? '?'} is the bridge's own address: delivered to ${bridge.name}`;
  else if (entry)
    detail = `fdb: ${entry.mac} dev ${entry.dev}${entry.master ? ` master ${entry.master}` : ''}${entry.state ? ` ${entry.state}` : ''}`;
  else
    detail = `${mac ?? 'the destination MAC'} is not in the FDB: flooded to every port, ${outPort.name} leads to ${receiver.name}`;
  if (entry && outPort && entry.dev !== outPort.name && entry.dev !== bridge.name)
    return fail(
      detail,
      `the FDB sends ${entry.mac} to ${entry.dev}, not towards ${receiver.name} via ${outPort.name}`,
    );
  return hop(bridge.namespace, inPort, outPort ?? bridge, 'bridge', `${detail}; ${how}`, command, true, null);
}
