/**
 * Pure formatting of the model's routes the way people read them in a shell:
 * `route -n` (IPv4 main table, net-tools columns) and `ip route` (every table, both families).
 */
import type { Route } from '../../../common/model.js';

export interface RouteNRow {
  destination: string;
  gateway: string;
  genmask: string;
  flags: string;
  metric: number;
  iface: string;
}

/** Dotted netmask of an IPv4 prefix length: 24 -> 255.255.255.0. */
export function genmask(prefixLength: number): string {
  const len = Math.max(0, Math.min(32, prefixLength));
  const bits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/** Splits `default`, `10.0.0.0/24` or `8.8.8.8` into address and prefix length (IPv4). */
export function splitDst(dst: string): { addr: string; prefix: number } {
  if (dst === 'default') return { addr: '0.0.0.0', prefix: 0 };
  const [addr = dst, len] = dst.split('/');
  return { addr, prefix: len === undefined ? 32 : Number(len) };
}

function ipv4Number(addr: string): number {
  return addr.split('.').reduce((n, part) => n * 256 + (Number(part) || 0), 0);
}

// Types the kernel reports with RTF_REJECT, which net-tools shows as `!`.
const REJECT = new Set(['unreachable', 'prohibit', 'blackhole', 'throw']);

/** The rows `route -n` prints for a namespace: IPv4, table main, unicast and reject routes. */
export function routeN(routes: readonly Route[]): RouteNRow[] {
  return routes
    .filter((r) => r.family === 'inet' && r.table === 'main' && (r.type === 'unicast' || REJECT.has(r.type)))
    .map((r) => {
      const { addr, prefix } = splitDst(r.dst);
      const flags =
        'U' + (r.gateway ? 'G' : '') + (prefix === 32 ? 'H' : '') + (REJECT.has(r.type) ? '!' : '');
      return {
        destination: addr,
        gateway: r.gateway ?? '0.0.0.0',
        genmask: genmask(prefix),
        flags,
        metric: r.metric ?? 0,
        iface: r.dev ?? '*',
      };
    })
    .sort(
      (a, b) =>
        ipv4Number(a.genmask) - ipv4Number(b.genmask) ||
        ipv4Number(a.destination) - ipv4Number(b.destination) ||
        a.metric - b.metric,
    );
}

/** One `ip route` line, as iproute2 prints it (table shown only outside main). */
export function ipRouteLine(r: Route): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(r.dst);
  if (r.gateway) parts.push('via', r.gateway);
  if (r.dev) parts.push('dev', r.dev);
  if (r.table !== 'main') parts.push('table', r.table);
  if (r.protocol && r.protocol !== 'boot') parts.push('proto', r.protocol);
  if (r.scope && r.scope !== 'global' && r.scope !== 'universe') parts.push('scope', r.scope);
  if (r.prefsrc) parts.push('src', r.prefsrc);
  if (r.metric !== null && r.metric !== 0) parts.push('metric', String(r.metric));
  parts.push(...r.flags);
  return parts.join(' ');
}

export interface RouteTableGroup {
  /** `ip route show table main`, `ip -6 route show table local`, ... */
  title: string;
  family: Route['family'];
  table: string;
  lines: string[];
}

function tableRank(t: string): number {
  return t === 'main' ? 0 : t === 'local' ? 2 : t === 'default' ? 3 : 1;
}

/** `ip route` output grouped per family and table: main first, then numbered, local, default. */
export function ipRouteGroups(routes: readonly Route[]): RouteTableGroup[] {
  const groups = new Map<string, RouteTableGroup>();
  for (const r of routes) {
    const key = `${r.family}:${r.table}`;
    let g = groups.get(key);
    if (!g) {
      const cmd = r.family === 'inet' ? 'ip route' : 'ip -6 route';
      g = { title: `${cmd} show table ${r.table}`, family: r.family, table: r.table, lines: [] };
      groups.set(key, g);
    }
    g.lines.push(ipRouteLine(r));
  }
  return [...groups.values()].sort(
    (a, b) =>
      (a.family === b.family ? 0 : a.family === 'inet' ? -1 : 1) ||
      tableRank(a.table) - tableRank(b.table) ||
      a.table.localeCompare(b.table, 'en', { numeric: true }),
  );
}
