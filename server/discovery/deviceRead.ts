/**
 * Reading one device of a namespace instead of all of it. The host namespace holds a veth end
 * per namespace, so its full read (every link, every route) costs ~100 ms at 300 namespaces,
 * while a link event there (a peer's carrier going down) concerns one device: its link, its
 * addresses and the routes through it (a link going down changes those routes without route
 * events of their own). Pure parsing and merging; anything unexpected returns null and the
 * caller reads the whole namespace.
 */
import type { NamespaceRead } from './ipParse.js';
import { parseLinks, parseRoutes } from './ipParse.js';

/**
 * The commands of a device read, in order (the read server runs them with the device name as
 * an argument: `ip -j -d addr show dev NAME`, then the routes through it for both families).
 */
export const DEVICE_READ_LINES = 3;

/** Names a device read may ask for (kernel names, minus anything that could confuse a parser). */
export function readableDeviceName(name: string): boolean {
  return /^[A-Za-z0-9_.@+=-]{1,15}$/.test(name) && !name.startsWith('-');
}

/**
 * Parses a device read's stdout. `ip route show dev X` leaves `dev` out of each route (it is
 * implied), so it is put back before the routes get their ids, which then match a full read's.
 */
export function parseDeviceRead(
  nsInode: number,
  dev: string,
  stdout: string,
): Pick<NamespaceRead, 'links' | 'routes'> | null {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== DEVICE_READ_LINES) return null;
  try {
    const [addr, v4, v6] = lines.map((l) => JSON.parse(l) as unknown);
    const withDev = (json: unknown): unknown =>
      Array.isArray(json)
        ? json.map((r: unknown) => (r && typeof r === 'object' && !('dev' in r) ? { ...r, dev } : r))
        : json;
    return {
      links: parseLinks(nsInode, addr),
      routes: [...parseRoutes(nsInode, 'inet', withDev(v4)), ...parseRoutes(nsInode, 'inet6', withDev(v6))],
    };
  } catch {
    return null;
  }
}

/**
 * `cached` with device `ifindex` (named `dev`) replaced by what a device read found: its link
 * and the routes through it. Null when the read is not about that device (a rename, an ifindex
 * reused, an odd name) or when routes of that device have ordinal ids (duplicates whose
 * numbering depends on the whole table).
 */
export function mergeDeviceRead(
  cached: NamespaceRead,
  ifindex: number,
  dev: string,
  found: Pick<NamespaceRead, 'links' | 'routes'>,
): NamespaceRead | null {
  const link = found.links[0];
  if (found.links.length !== 1 || !link || link.iface.ifindex !== ifindex || link.iface.name !== dev)
    return null;
  const old = cached.links.find((l) => l.iface.ifindex === ifindex);
  if (old && old.iface.name !== dev) return null;
  if ([...found.routes, ...cached.routes].some((r) => r.dev === dev && r.id.includes('#'))) return null;
  const links = old ? cached.links.map((l) => (l === old ? link : l)) : [...cached.links, link];
  const routes = [...cached.routes.filter((r) => r.dev !== dev), ...found.routes];
  return { links, routes, nsids: cached.nsids };
}
