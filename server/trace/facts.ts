/**
 * What the trace reads in a namespace, parsed from the tools' own output (pure): links with their
 * state and addresses (`ip -j -d addr show`), neighbours (`ip -j neigh show`), the kernel's route
 * decision (`ip -j -d route get ...`), sysctls (grep over /proc/sys/net) and bridge FDB entries.
 */

export interface LinkFacts {
  name: string;
  ifindex: number;
  /** Administratively up (`UP` flag). */
  up: boolean;
  /** Carrier (`LOWER_UP`); a veth has it only while its peer is up. */
  lowerUp: boolean;
  operstate: string;
  master: string | null;
  mac: string | null;
  /** Plain addresses (no prefix), IPv4 and IPv6. */
  addrs: string[];
  /** `addr/len` as ip prints them. */
  cidrs: string[];
  kind: string | null;
  /** STP state of a bridge port (`forwarding`, `blocking`, `disabled`, ...), else null. */
  portState: string | null;
  /** A bridge filtering by VLAN (`ip -d`: vlan_filtering 1). */
  vlanFiltering: boolean;
}

export interface NeighFacts {
  dst: string;
  dev: string;
  lladdr: string | null;
  state: string[];
}

export interface RouteDecision {
  type: string;
  dst: string;
  dev: string | null;
  gateway: string | null;
  prefsrc: string | null;
  table: string | null;
  /** As `ip route get` prints it in text (rebuilt from its JSON). */
  text: string;
}

export type RouteAnswer = { ok: true; route: RouteDecision } | { ok: false; error: string };

export interface SysctlFacts {
  /** `/proc/sys/net/...` path below net/ -> value, e.g. `ipv4/conf/all/rp_filter` -> `1`. */
  values: Map<string, string>;
}

export interface FdbFacts {
  mac: string;
  dev: string;
  master: string | null;
  state: string | null;
  flags: string[];
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const objs = (v: unknown): Json[] =>
  Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : [];

/** One line of `ip -j` output (an array), `[]` for an empty line. */
export function jsonArray(line: string | undefined): Json[] {
  if (!line || !line.trim()) return [];
  const parsed: unknown = JSON.parse(line);
  return objs(parsed);
}

export function parseAddrShow(rows: Json[]): LinkFacts[] {
  return rows.map((r) => {
    const flags = strs(r.flags);
    const info = (typeof r.linkinfo === 'object' && r.linkinfo !== null ? r.linkinfo : {}) as Json;
    const slave = (
      typeof info.info_slave_data === 'object' && info.info_slave_data !== null ? info.info_slave_data : {}
    ) as Json;
    const addrInfo = objs(r.addr_info);
    return {
      name: str(r.ifname) ?? '?',
      ifindex: typeof r.ifindex === 'number' ? r.ifindex : -1,
      up: flags.includes('UP'),
      lowerUp: flags.includes('LOWER_UP'),
      operstate: str(r.operstate) ?? 'UNKNOWN',
      master: str(r.master),
      mac: str(r.address),
      addrs: addrInfo.map((a) => str(a.local)).filter((a): a is string => a !== null),
      cidrs: addrInfo
        .filter((a) => typeof a.local === 'string')
        .map((a) => `${String(a.local)}/${String(a.prefixlen)}`),
      kind: str(info.info_kind),
      portState: info.info_slave_kind === 'bridge' ? (str(slave.state) ?? null) : null,
      vlanFiltering:
        info.info_kind === 'bridge' && (info.info_data as Json | undefined)?.vlan_filtering === 1,
    };
  });
}

export function parseNeigh(rows: Json[]): NeighFacts[] {
  return rows.map((r) => ({
    dst: str(r.dst) ?? '',
    dev: str(r.dev) ?? '',
    lladdr: str(r.lladdr),
    state: strs(r.state),
  }));
}

/** `"via": {"family": "inet6", "host": ADDR}` as ip -j prints RTA_VIA. */
const viaOf = (r: Json): Json | null =>
  typeof r.via === 'object' && r.via !== null && !Array.isArray(r.via) ? (r.via as Json) : null;
const viaHost = (r: Json): string | null => str(viaOf(r)?.host);
const viaFamily = (r: Json): string => str(viaOf(r)?.family) ?? 'inet6';

/** Text of a route decision the way `ip route get` prints it. */
export function routeText(r: Json): string {
  const parts: string[] = [];
  const type = str(r.type);
  if (type && type !== 'unicast') parts.push(type);
  parts.push(str(r.dst) ?? '?');
  if (str(r.from)) parts.push('from', String(r.from));
  if (str(r.gateway)) parts.push('via', String(r.gateway));
  else if (viaHost(r)) parts.push('via', viaFamily(r), viaHost(r)!);
  if (str(r.dev)) parts.push('dev', String(r.dev));
  if (str(r.table) && r.table !== 'main') parts.push('table', String(r.table));
  if (str(r.prefsrc)) parts.push('src', String(r.prefsrc));
  if (str(r.iif)) parts.push('iif', String(r.iif));
  if (typeof r.mark === 'number' || typeof r.mark === 'string') parts.push('mark', String(r.mark));
  return parts.join(' ');
}

export function parseRouteGet(line: string | undefined, stderr: string): RouteAnswer {
  const rows = line === undefined ? [] : jsonArray(line);
  const r = rows[0];
  if (!r) {
    const msg =
      stderr
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l && !l.startsWith('Command failed')) ?? 'no answer';
    return { ok: false, error: msg.replace(/^RTNETLINK answers:\s*/, '') };
  }
  return {
    ok: true,
    route: {
      type: str(r.type) ?? 'unicast',
      dst: str(r.dst) ?? '',
      dev: str(r.dev),
      // An IPv4 route may go via an IPv6 gateway (RTA_VIA: `via inet6 ADDR`).
      gateway: str(r.gateway) ?? viaHost(r),
      prefsrc: str(r.prefsrc),
      table: str(r.table),
      text: routeText(r),
    },
  };
}

/** `grep -r -H . FILES` over /proc/sys/net: `/proc/sys/net/ipv4/ip_forward:1` lines. */
export function parseSysctlGrep(text: string): SysctlFacts {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\/proc\/sys\/net\/([^:]+):(.*)$/.exec(line.trim());
    if (m) values.set(m[1]!, m[2]!.trim());
  }
  return { values };
}

export function sysctlNumber(s: SysctlFacts, key: string): number | null {
  const v = s.values.get(key);
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;
}

export function parseFdb(rows: Json[]): FdbFacts[] {
  return rows.map((r) => ({
    mac: (str(r.mac) ?? '').toLowerCase(),
    dev: str(r.ifname) ?? str(r.dev) ?? '',
    master: str(r.master),
    state: str(r.state),
    flags: strs(r.flags),
  }));
}
