/**
 * Pure parsing of `ip -j -d -b -` output (one JSON array per batch command) into the model's
 * interfaces and routes, plus the raw veth/lower pointers that peer resolution needs.
 */
import { z } from 'zod';
import type { AddressFamily, Route } from '../../common/model.js';
import type { NamespaceRead, ParsedLink } from './ipModel.js';
import { linksFromIp, routesFromIp } from './ipModel.js';

// The model-building half lives in ipModel.ts (no zod); its names stay importable from here.
export type { NamespaceRead, ParsedLink, RawPointer } from './ipModel.js';
export { interfaceKind, linksFromIp, routesFromIp } from './ipModel.js';

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
          /** A bridge's VLAN filtering (1: on); read by the trace, which cannot decide VLANs. */
          vlan_filtering: z.number().optional(),
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

export function parseLinks(nsInode: number, json: unknown): ParsedLink[] {
  return linksFromIp(nsInode, z.array(linkSchema).parse(json));
}

export function parseRoutes(nsInode: number, family: AddressFamily, json: unknown): Route[] {
  return routesFromIp(nsInode, family, z.array(routeSchema).parse(json));
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
