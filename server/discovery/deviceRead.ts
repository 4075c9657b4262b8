/**
 * Reading one device of a namespace instead of all of it. The host namespace holds a veth end
 * per namespace, so its full read (every link, every route) costs ~100 ms at 300 namespaces,
 * while a link event there (a peer's carrier going down) concerns one device: its link, its
 * addresses and the routes through it (a link going down changes those routes without route
 * events of their own). Pure parsing and merging; anything unexpected returns null and the
 * caller reads the whole namespace.
 */
import type { NamespaceRead } from './ipParse.js';
import { z } from 'zod';
import { parseLinks, parseRoutes } from './ipParse.js';

const linkListSchema = z.array(z.object({ ifname: z.string(), ifindex: z.number() }));

/**
 * What a device read asks for one device: its link and addresses (`ip -j -d addr show dev
 * NAME`), and with `routes` the routes through it for both families, which cost a dump of the
 * whole routing table each (~2.5 ms at 300 namespaces; a bridge's ports often change together).
 */
export interface DeviceAsk {
  name: string;
  routes: boolean;
}

/** Names a device read may ask for (kernel names, minus anything that could confuse a parser). */
export function readableDeviceName(name: string): boolean {
  return /^[A-Za-z0-9_.@+=-]{1,15}$/.test(name) && !name.startsWith('-');
}

/** What a device read found; routes null when they were not asked for. */
export interface DeviceRead {
  links: NamespaceRead['links'];
  routes: NamespaceRead['routes'] | null;
}

/**
 * Parses the stdout of a read of `asks`, one result per device in that order; null unless every
 * device has its lines (one, or three with routes). `ip route show dev X` leaves `dev` out of
 * each route (it is implied), so it is put back before the routes get their ids, which then
 * match a full read's.
 */
export function parseDeviceReads(
  nsInode: number,
  asks: readonly DeviceAsk[],
  stdout: string,
): DeviceRead[] | null {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== asks.reduce((n, a) => n + (a.routes ? 3 : 1), 0)) return null;
  let at = 0;
  const next = (): unknown => JSON.parse(lines[at++]!) as unknown;
  try {
    return asks.map(({ name: dev, routes }) => {
      const links = parseLinks(nsInode, next());
      if (!routes) return { links, routes: null };
      const withDev = (json: unknown): unknown =>
        Array.isArray(json)
          ? json.map((r: unknown) => (r && typeof r === 'object' && !('dev' in r) ? { ...r, dev } : r))
          : json;
      const v4 = parseRoutes(nsInode, 'inet', withDev(next()));
      return { links, routes: [...v4, ...parseRoutes(nsInode, 'inet6', withDev(next()))] };
    });
  } catch {
    return null;
  }
}

/**
 * Whether a link event lets a device read skip the routes: the event (a link line, so no
 * address or route line named the device) shows the same flags as the cached link. Routes
 * change silently only with the link's state (down, carrier: v4 routes flushed or marked
 * linkdown without route events), which shows in its flags; an STP port state change (a
 * bridge's ports reach `forwarding` 15 s after joining, each with an event) does not.
 */
export function linkOnly(
  cached: NamespaceRead,
  ifindex: number,
  eventFlags: readonly string[] | undefined,
): boolean {
  if (!eventFlags) return false;
  const link = cached.links.find((l) => l.iface.ifindex === ifindex);
  if (!link) return false;
  const a = [...link.iface.flags].sort();
  const b = [...eventFlags].sort();
  return a.length === b.length && a.every((f, i) => f === b[i]);
}

/**
 * `cached` with device `ifindex` (named `dev`) replaced by what a device read found: its link
 * and the routes through it (kept from `cached` when not read). Null when the read is not about that device (a rename, an ifindex
 * reused, an odd name) or when routes of that device have ordinal ids (duplicates whose
 * numbering depends on the whole table).
 */
export function mergeDeviceRead(
  cached: NamespaceRead,
  ifindex: number,
  dev: string,
  found: DeviceRead,
): NamespaceRead | null {
  const link = found.links[0];
  if (found.links.length !== 1 || !link || link.iface.ifindex !== ifindex || link.iface.name !== dev)
    return null;
  const old = cached.links.find((l) => l.iface.ifindex === ifindex);
  if (old && old.iface.name !== dev) return null;
  const links = old ? cached.links.map((l) => (l === old ? link : l)) : [...cached.links, link];
  if (!found.routes) return old ? { links, routes: cached.routes, nsids: cached.nsids } : null;
  if ([...found.routes, ...cached.routes].some((r) => r.dev === dev && r.id.includes('#'))) return null;
  const routes = [...cached.routes.filter((r) => r.dev !== dev), ...found.routes];
  return { links, routes, nsids: cached.nsids };
}

/** The devices an existence read (`link show dev NAME` each, -force) found: name -> ifindex. */
export function parseExisting(stdout: string): Map<string, number> | null {
  const out = new Map<string, number>();
  try {
    for (const line of stdout.split('\n')) {
      if (line.trim() === '') continue;
      for (const l of linkListSchema.parse(JSON.parse(line))) out.set(l.ifname, l.ifindex);
    }
  } catch {
    return null;
  }
  return out;
}

/**
 * `cached` without device `ifindex` (named `dev`), which the kernel deleted, and without the
 * routes through it (the kernel removes them, IPv4 ones without events). Null when the cache
 * does not have that device under that name.
 */
export function removeDevice(cached: NamespaceRead, ifindex: number, dev: string): NamespaceRead | null {
  const old = cached.links.find((l) => l.iface.ifindex === ifindex);
  if (!old || old.iface.name !== dev) return null;
  return {
    links: cached.links.filter((l) => l !== old),
    routes: cached.routes.filter((r) => r.dev !== dev),
    nsids: cached.nsids,
  };
}
