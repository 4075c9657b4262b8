/**
 * Pure parsing of `ip -j -d -b -` output (one JSON array per batch command) into the model's
 * interfaces and routes, plus the raw veth/lower pointers that peer resolution needs.
 */
import { z } from 'zod';
import type { Address, AddressFamily, Interface, Route } from '../../common/model.js';
import { ifId, nsId, routeId } from '../../common/ids.js';

const addrInfoSchema = z.object({
  family: z.string(),
  local: z.string().optional(),
  prefixlen: z.number().optional(),
  scope: z.string().optional(),
  broadcast: z.string().optional(),
});

const linkSchema = z.object({
  ifindex: z.number(),
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  mtu: z.number().default(0),
  operstate: z.string().default('UNKNOWN'),
  link_type: z.string().optional(),
  address: z.string().optional(),
  link: z.string().nullable().optional(),
  link_index: z.number().optional(),
  link_netnsid: z.number().optional(),
  master: z.string().optional(),
  ifalias: z.string().optional(),
  linkinfo: z
    .object({
      info_kind: z.string().optional(),
      info_data: z
        .object({
          type: z.string().optional(),
          link: z.string().optional(),
          link_index: z.number().optional(),
          link_netnsid: z.number().optional(),
        })
        .optional(),
      info_slave_kind: z.string().optional(),
      info_slave_data: z.object({ state: z.string().optional() }).optional(),
    })
    .optional(),
  addr_info: z.array(addrInfoSchema).default([]),
});
export type IpLink = z.infer<typeof linkSchema>;

const nexthopSchema = z.object({ gateway: z.string().optional(), dev: z.string().optional() });
const routeSchema = z.object({
  type: z.string().optional(),
  dst: z.string(),
  gateway: z.string().optional(),
  via: z.object({ host: z.string().optional() }).optional(),
  dev: z.string().optional(),
  table: z.string().optional(),
  protocol: z.string().optional(),
  scope: z.string().optional(),
  metric: z.number().optional(),
  prefsrc: z.string().optional(),
  flags: z.array(z.string()).default([]),
  nexthops: z.array(nexthopSchema).optional(),
});
export type IpRoute = z.infer<typeof routeSchema>;

const netnsListSchema = z.array(z.object({ name: z.string(), id: z.number().optional() }));

/** The batch every namespace is read with; line i of the output answers command i. */
export const READ_BATCH = [
  'addr show',
  'route show table all root 0.0.0.0/0',
  'route show table all root ::/0',
];
export const NSID_BATCH_LINE = 'netns list';

/** A veth/lower pointer as ip prints it, before namespaces are resolved. */
export interface RawPointer {
  /** ifindex of the other end, when printed. */
  index: number | null;
  /** Name of the other end when it is in the same namespace (ip prints `"link": "NAME"`). */
  name: string | null;
  /** nsid local to the reading namespace; null = same namespace. */
  nsid: number | null;
}

export interface ParsedLink {
  iface: Interface;
  /** veth: pointer to the peer; macvlan/vxlan/...: pointer to the lower device. */
  pointer: RawPointer | null;
  masterName: string | null;
}

export interface NamespaceRead {
  links: ParsedLink[];
  routes: Route[];
  /** nsid as seen from this namespace -> namespace inode, or null when it could not be read. */
  nsids: Map<number, number> | null;
}

export function interfaceKind(l: IpLink): string {
  const k = l.linkinfo?.info_kind;
  if (k === 'tun') return l.linkinfo?.info_data?.type === 'tap' ? 'tap' : 'tun';
  if (k) return k;
  if (l.link_type === 'loopback') return 'loopback';
  if (l.link_type === 'ether' || l.link_type === undefined) return 'device';
  return l.link_type;
}

function addressOf(a: z.infer<typeof addrInfoSchema>): Address | null {
  if ((a.family !== 'inet' && a.family !== 'inet6') || !a.local || a.prefixlen === undefined) return null;
  return {
    family: a.family,
    cidr: `${a.local}/${a.prefixlen}`,
    scope: a.scope ?? 'global',
    broadcast: a.broadcast ?? null,
  };
}

function pointerOf(l: IpLink, kind: string): RawPointer | null {
  if (kind === 'veth') {
    return {
      index: l.link_index ?? null,
      name: l.link ?? null,
      nsid: l.link_netnsid ?? null,
    };
  }
  // Stacked devices (macvlan, vxlan, ...): ip prints the lower as `link` (same namespace) or
  // link_index + link_netnsid; vxlan's lower is in info_data.
  const d = l.linkinfo?.info_data;
  if (d?.link !== undefined || d?.link_index !== undefined) {
    return { index: d.link_index ?? null, name: d.link ?? null, nsid: d.link_netnsid ?? null };
  }
  if (l.link !== undefined || l.link_index !== undefined) {
    return { index: l.link_index ?? null, name: l.link ?? null, nsid: l.link_netnsid ?? null };
  }
  return null;
}

export function parseLinks(nsInode: number, json: unknown): ParsedLink[] {
  return linksFromIp(nsInode, z.array(linkSchema).parse(json));
}

/** The model's links from links as ip prints them (parsed JSON, or built by the native reader). */
export function linksFromIp(nsInode: number, links: readonly IpLink[]): ParsedLink[] {
  return links.map((l) => {
    const kind = interfaceKind(l);
    const iface: Interface = {
      id: ifId(nsInode, l.ifindex),
      namespace: nsId(nsInode),
      ifindex: l.ifindex,
      name: l.ifname,
      kind,
      state: l.operstate,
      flags: l.flags,
      mtu: l.mtu,
      mac: l.address && l.link_type !== 'none' ? l.address : null,
      addresses: l.addr_info.map(addressOf).filter((a): a is Address => a !== null),
      master: null,
      peer: null,
      peerUnresolved: null,
      lower: null,
      alias: l.ifalias ?? null,
      bridgePortState:
        l.linkinfo?.info_slave_kind === 'bridge' ? (l.linkinfo.info_slave_data?.state ?? null) : null,
    };
    return { iface, pointer: pointerOf(l, kind), masterName: l.master ?? null };
  });
}

export function parseRoutes(nsInode: number, family: AddressFamily, json: unknown): Route[] {
  return routesFromIp(nsInode, family, z.array(routeSchema).parse(json));
}

/** The model's routes from routes as ip prints them (parsed JSON, or built by the native reader). */
export function routesFromIp(nsInode: number, family: AddressFamily, routes: readonly IpRoute[]): Route[] {
  const seen = new Map<string, number>();
  return routes.map((r) => {
    // Multipath routes carry their gateways in `nexthops`; the model keeps the first one.
    const hop = r.nexthops?.[0];
    const base: Omit<Route, 'id'> = {
      namespace: nsId(nsInode),
      family,
      table: r.table ?? 'main',
      type: r.type ?? 'unicast',
      dst: r.dst,
      gateway: r.gateway ?? r.via?.host ?? hop?.gateway ?? null,
      dev: r.dev ?? hop?.dev ?? null,
      protocol: r.protocol ?? null,
      scope: r.scope ?? null,
      metric: r.metric ?? null,
      prefsrc: r.prefsrc ?? null,
      flags: r.flags,
    };
    // Routes differing only in attributes outside the id (tos, pref...) get a stable ordinal.
    const key = routeId(nsInode, base);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return { id: routeId(nsInode, base, n), ...base };
  });
}

/** `ip netns list` run where /run/netns holds one entry per namespace named by its inode. */
export function parseNsids(json: unknown): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of netnsListSchema.parse(json)) {
    if (e.id !== undefined && /^[0-9]+$/.test(e.name)) out.set(e.id, Number(e.name));
  }
  return out;
}

const listIdSchema = z.array(z.object({ nsid: z.number(), 'current-nsid': z.number().optional() }));

/**
 * `ip -j netns list-id target-nsid H` run in the host: X's (nsid H in the host) nsid table, each
 * entry with the host's nsid for the same namespace. Returns X's nsid -> namespace inode.
 */
export function parseListId(json: unknown, hostNsids: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of listIdSchema.parse(json)) {
    const cur = e['current-nsid'];
    const ino = cur === undefined ? undefined : hostNsids.get(cur);
    if (ino !== undefined) out.set(e.nsid, ino);
  }
  return out;
}

/**
 * Parses the stdout of one `ip -j -d -b -` run of READ_BATCH (+ NSID_BATCH_LINE when asked).
 * ip stops at the first failing command, so missing lines mean that command failed.
 */
export function parseBatch(
  nsInode: number,
  stdout: string,
  withNsids: boolean,
): { read: NamespaceRead | null; error: string | null } {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < READ_BATCH.length) {
    return { read: null, error: `ip printed ${lines.length} of ${READ_BATCH.length} answers` };
  }
  try {
    const [linkLine, v4, v6, nsidLine] = lines.map((l) => JSON.parse(l) as unknown);
    const read: NamespaceRead = {
      links: parseLinks(nsInode, linkLine),
      routes: [...parseRoutes(nsInode, 'inet', v4), ...parseRoutes(nsInode, 'inet6', v6)],
      nsids: withNsids && nsidLine !== undefined ? parseNsids(nsidLine) : null,
    };
    return { read, error: null };
  } catch (e) {
    return { read: null, error: `unexpected ip output: ${e instanceof Error ? e.message : String(e)}` };
  }
}
