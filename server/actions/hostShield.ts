/**
 * Static refusal, without --allow-host-changes, of host routes and addresses that can cut the
 * machine off its network (issue 19, finding 2). Pure: it judges a planned change against the
 * host's routes and addresses as the model last saw them, and the addresses the page is reached
 * by. A refusal is a 400 naming the field; nothing runs.
 *
 * What cuts a machine off: a route or a connected subnet that takes over traffic the default
 * route or a connected subnet carries now. So a change is refused when its prefix
 *  - is `default`, or so broad it takes over most of what the default route carries
 *    (IPv4 shorter than /8, IPv6 shorter than /16: 0.0.0.0/1 and 128.0.0.0/1 are the classic pair);
 *  - contains a gateway of the host's default routes;
 *  - overlaps a subnet of the host's own addresses (link-local and loopback are per device or
 *    local, so they are not at risk);
 *  - contains an address the page is reached by (the server's end and the browser's end).
 */
import ipaddr from 'ipaddr.js';
import type { Route, Topology } from '../../common/model.js';
import type { ActionContext, NsRef } from './context.js';
import { ActionError } from './errors.js';
import type { Family } from './validate.js';

/** Broadest prefix accepted in the host per family (anything shorter is refused). */
export const MIN_HOST_PREFIX: Readonly<Record<Family, number>> = { 4: 8, 6: 16 };

interface Net {
  family: Family;
  bytes: number[];
  prefix: number;
}

export interface HostView {
  /** Gateways of the host's default routes (any table). */
  gateways: Array<{ addr: string; dev: string | null }>;
  /** The host's own subnets: `cidr` as configured, `dev` for the message. */
  subnets: Array<{ cidr: string; dev: string }>;
}

export interface Refusal {
  field: string;
  message: string;
}

function net(text: string, prefix?: number): Net | null {
  try {
    const a = ipaddr.parse(text);
    const family: Family = a.kind() === 'ipv4' ? 4 : 6;
    return { family, bytes: a.toByteArray(), prefix: prefix ?? (family === 4 ? 32 : 128) };
  } catch {
    return null;
  }
}

function cidrNet(cidr: string): Net | null {
  const [addr, len] = cidr.split('/');
  const n = net(addr ?? '', len === undefined ? undefined : Number(len));
  return n && Number.isInteger(n.prefix) ? n : null;
}

/** True when the first `bits` bits of a and b agree. */
function samePrefix(a: number[], b: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const m = 0x80 >> (bit & 7);
    if ((a[bit >> 3]! & m) !== (b[bit >> 3]! & m)) return false;
  }
  return true;
}

/** Two prefixes share addresses exactly when one contains the other. */
export function overlaps(a: Net, b: Net): boolean {
  return a.family === b.family && samePrefix(a.bytes, b.bytes, Math.min(a.prefix, b.prefix));
}

function contains(outer: Net, inner: Net): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && overlaps(outer, inner);
}

function atRisk(n: Net): boolean {
  const a = ipaddr.fromByteArray(n.bytes);
  const range = a.range();
  return range !== 'linkLocal' && range !== 'loopback' && range !== 'unspecified';
}

/** The host's default gateways and subnets, from the model. */
export function hostViewOf(topology: Topology, hostNsId: string): HostView {
  const isDefault = (r: Route) => r.dst === 'default' && r.type === 'unicast';
  const gateways = topology.routes
    .filter((r) => r.namespace === hostNsId && isDefault(r) && r.gateway)
    .map((r) => ({ addr: r.gateway!, dev: r.dev }));
  const subnets: HostView['subnets'] = [];
  for (const i of topology.interfaces) {
    if (i.namespace !== hostNsId) continue;
    for (const a of i.addresses) {
      const n = cidrNet(a.cidr);
      if (n && atRisk(n)) subnets.push({ cidr: a.cidr, dev: i.name });
    }
  }
  return { gateways, subnets };
}

/**
 * Judges a prefix the change would route somewhere new: a route's destination (`default` or a
 * canonical CIDR) or the connected subnet of a new address. `field` names the request field.
 */
export function judgeHostPrefix(
  what: string,
  dst: { family: Family; cidr: string | 'default' },
  field: string,
  view: HostView,
  reachedBy: readonly string[],
): Refusal | null {
  const refuse = (why: string): Refusal => ({
    field,
    message: `${what} ${why}, which can cut this machine off its network; start with --allow-host-changes to allow it`,
  });
  if (dst.cidr === 'default') return refuse('would compete with the host default route');
  const d = cidrNet(dst.cidr);
  if (!d) return refuse('is not a prefix netns-explorer can judge');
  if (d.prefix < MIN_HOST_PREFIX[dst.family])
    return refuse(
      `covers /${d.prefix}, more than /${MIN_HOST_PREFIX[dst.family]}, and so shadows the host default route`,
    );
  for (const g of view.gateways) {
    const n = net(g.addr);
    if (n && contains(d, n)) return refuse(`covers the host default gateway ${g.addr}`);
  }
  for (const s of view.subnets) {
    const n = cidrNet(s.cidr);
    if (n && overlaps(d, n)) return refuse(`overlaps the host subnet ${s.cidr} on ${s.dev}`);
  }
  for (const r of reachedBy) {
    const n = net(r.replace(/^::ffff:(?=\d+\.)/i, ''));
    if (n && atRisk(n) && contains(d, n)) return refuse(`covers ${r}, an address this page is reached by`);
  }
  return null;
}

/**
 * Throws 400 (naming the field) for a host change judgeHostPrefix refuses; no-op outside the
 * host namespace or with --allow-host-changes. Runs in the plan, before anything spawns.
 */
export function guardHostPrefix(
  ctx: ActionContext,
  ns: NsRef,
  what: string,
  dst: { family: Family; cidr: string | 'default' },
  field: string,
  reachedBy: readonly string[],
): void {
  if (ns.kind !== 'host' || ctx.deps.allowHostChanges) return;
  const r = judgeHostPrefix(what, dst, field, hostViewOf(ctx.deps.getTopology(), ns.id), reachedBy);
  if (r) throw new ActionError(400, 'host_protected', r.message, r.field);
}
