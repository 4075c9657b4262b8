/**
 * Pure: one namespace's raw dumps -> the NamespaceRead discovery's ip reader would have made of
 * `ip -j -d -b -` there (same model code: linksFromIp / routesFromIp), without its nsid map.
 */
import type { NamespaceRead } from '../discovery/ipParse.js';
import { linksFromIp, routesFromIp } from '../discovery/ipModel.js';
import { parseLinkDump } from './linkParse.js';
import type { RouteNames } from './names.js';
import { parseRouteDump } from './routeParse.js';

export interface RawDumps {
  links: Buffer;
  addrs: Buffer;
  routes: Buffer;
}

export function parseDumps(nsInode: number, raw: RawDumps, names: RouteNames): NamespaceRead {
  const ipLinks = parseLinkDump(raw.links, raw.addrs, names.scope);
  const byIndex = new Map(ipLinks.map((l) => [l.ifindex, l.ifname]));
  const devName = (i: number) => (i === 0 ? '*' : (byIndex.get(i) ?? `if${i}`));
  const routes = parseRouteDump(raw.routes, names, devName);
  return {
    links: linksFromIp(nsInode, ipLinks),
    routes: [...routesFromIp(nsInode, 'inet', routes.inet), ...routesFromIp(nsInode, 'inet6', routes.inet6)],
    nsids: null,
  };
}
