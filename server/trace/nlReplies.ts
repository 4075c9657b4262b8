/**
 * Pure: raw netlink replies -> the facts the trace reads, equal to what reader.ts parses from
 * `ip -j -d addr show`, `ip -j neigh show`, `ip -j -d route get`, `bridge -j fdb show`,
 * `ss -Hltun` and /proc/sys/net (the kernel tests compare the two readers on every scenario).
 */
import type { SocketRow } from '../../common/inspect.js';
import { parseLinkDump } from '../native/linkParse.js';
import type { RouteNames } from '../native/names.js';
import { nameOf } from '../native/names.js';
import { TYPES as ROUTE_TYPES } from '../native/routeParse.js';
import { attrs, llAddr, messages, ntop, u32 } from '../native/netlink.js';
import type { FdbFacts, LinkFacts, NeighFacts, RouteAnswer, SysctlFacts } from './facts.js';
import { parseAddrShow, routeText } from './facts.js';
import { AF_INET, AF_INET6, TCP_LISTEN } from './nlRequests.js';

const RTM_NEWNEIGH = 28;
const RTM_NEWROUTE = 24;
const SOCK_DIAG_BY_FAMILY = 20;
const NFT_NEWGEN = (10 << 8) | 15;

/** `ip -j -d addr show`'s links from the link and address dumps. */
export function linkFacts(links: Buffer, addrs: Buffer, names: RouteNames): LinkFacts[] {
  const rows = parseLinkDump(links, addrs, names.scope) as unknown as Array<Record<string, unknown>>;
  return parseAddrShow(rows);
}

export const nameByIndex = (links: LinkFacts[]): ((i: number) => string) => {
  const m = new Map(links.map((l) => [l.ifindex, l.name]));
  return (i) => m.get(i) ?? `if${i}`;
};

/** iproute2's nud_state_n2a, in its order. */
const NUD: Array<[number, string]> = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
];
const NUD_NOARP = 0x40;
const NTF_PROXY = 0x08;
const NTF_EXT_LEARNED = 0x10;

interface NeighMessage {
  family: number;
  ifindex: number;
  state: number;
  flags: number;
  a: ReturnType<typeof attrs>;
}

function neighMessages(dump: Buffer): NeighMessage[] {
  return messages(dump)
    .filter((m) => m.type === RTM_NEWNEIGH && m.body.length >= 12)
    .map((m) => ({
      family: m.body[0]!,
      ifindex: m.body.readInt32LE(4),
      state: m.body.readUInt16LE(8),
      flags: m.body[10]!,
      a: attrs(m.body, 12),
    }));
}

/** `ip -j neigh show`: IPv4 and IPv6 entries, without NOARP and NONE ones (ip's default filter). */
export function neighFacts(dump: Buffer, links: LinkFacts[]): NeighFacts[] {
  const name = nameByIndex(links);
  return neighMessages(dump)
    .filter((n) => n.family === AF_INET || n.family === AF_INET6)
    .filter((n) => n.state & 0xff & ~NUD_NOARP || n.flags & (NTF_PROXY | NTF_EXT_LEARNED))
    .map((n) => {
      const dst = n.a[1];
      const ll = n.a[2];
      return {
        dst: dst ? ntop(dst) : '',
        dev: name(n.ifindex),
        lladdr: ll ? llAddr(ll, 1) : null,
        state: n.state === 0 ? ['NONE'] : NUD.filter(([bit]) => n.state & bit).map(([, s]) => s),
      };
    });
}

/** bridge's state_n2a. */
function fdbState(s: number): string {
  if (s & 0x80) return 'permanent';
  if (s & NUD_NOARP) return 'static';
  if (s & 0x04) return 'stale';
  if (s & 0x02) return '';
  return `0x${s.toString(16)}`;
}
const FDB_FLAGS: Array<[number, string]> = [
  [0x02, 'self'],
  [0x80, 'router'],
  [0x10, 'extern_learn'],
  [0x20, 'offload'],
  [0x04, 'master'],
  [0x40, 'sticky'],
];

/** `bridge -j fdb show br BRIDGE`: entries of the bridge itself and of its ports. */
export function fdbFacts(dump: Buffer, links: LinkFacts[], bridge: string): FdbFacts[] {
  const name = nameByIndex(links);
  const ours = new Set(links.filter((l) => l.name === bridge || l.master === bridge).map((l) => l.ifindex));
  return neighMessages(dump)
    .filter((n) => ours.has(n.ifindex))
    .map((n) => {
      const ll = n.a[2];
      const master = u32(n.a[9]);
      return {
        mac: ll ? llAddr(ll, 1).toLowerCase() : '',
        dev: name(n.ifindex),
        master: master !== undefined ? name(master) : null,
        state: n.state ? fdbState(n.state) : null,
        flags: FDB_FLAGS.filter(([bit]) => n.flags & bit).map(([, f]) => f),
      };
    });
}

const RTA = { DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PREFSRC: 7, TABLE: 15, MARK: 16, VIA: 18 };

/** `ip -j -d route get`'s answer: the route the kernel chose, or its refusal (strerror text). */
export function routeAnswer(
  reply: { bytes: Buffer; errno: number; message: string | null },
  links: LinkFacts[],
  names: RouteNames,
): RouteAnswer {
  if (reply.errno) return { ok: false, error: reply.message ?? `error ${reply.errno}` };
  const m = messages(reply.bytes).find((x) => x.type === RTM_NEWROUTE && x.body.length >= 12);
  if (!m) return { ok: false, error: 'no answer' };
  const name = nameByIndex(links);
  const a = attrs(m.body, 12);
  const hostLen = m.body[0] === AF_INET6 ? 128 : 32;
  const withLen = (addr: string, len: number) => (len === hostLen ? addr : `${addr}/${len}`);
  const row: Record<string, unknown> = { type: ROUTE_TYPES[m.body[7]!] ?? String(m.body[7]) };
  const addr = (t: number) => {
    const v = a[t];
    return v ? ntop(v) : null;
  };
  const dst = addr(RTA.DST);
  const src = addr(RTA.SRC);
  const gateway = addr(RTA.GATEWAY);
  const prefsrc = addr(RTA.PREFSRC);
  if (dst) row.dst = withLen(dst, m.body[1]!);
  if (src) row.from = withLen(src, m.body[2]!);
  if (gateway) row.gateway = gateway;
  // RTA_VIA (struct rtvia: a 2-byte family, then the address): an IPv4 route via an IPv6 gateway.
  const via = a[RTA.VIA];
  if (via && via.n > 2) {
    const family = via.b.readUInt16LE(via.o) === AF_INET6 ? 'inet6' : 'inet';
    row.via = { family, host: ntop({ b: via.b, o: via.o + 2, n: via.n - 2 }) };
  }
  const oif = u32(a[RTA.OIF]);
  if (oif !== undefined) row.dev = name(oif);
  row.table = nameOf(names.table, u32(a[RTA.TABLE]) ?? m.body[4]!);
  if (prefsrc) row.prefsrc = prefsrc;
  const iif = u32(a[RTA.IIF]);
  if (iif !== undefined) row.iif = name(iif);
  const mark = u32(a[RTA.MARK]);
  if (mark) row.mark = mark;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    ok: true,
    route: {
      type: String(row.type),
      dst: text(row.dst) ?? '',
      dev: text(row.dev),
      gateway: text(row.gateway) ?? (via && via.n > 2 ? (row.via as { host: string }).host : null),
      prefsrc: text(row.prefsrc),
      table: text(row.table),
      text: routeText(row),
    },
  };
}

/** `ss -Hltun` rows (no process names: sock_diag does not know them) from inet_diag dumps. */
export function socketRows(
  dumps: Buffer[],
  protocols: Array<'tcp' | 'udp'>,
  links: LinkFacts[],
): SocketRow[] {
  return socketRowsWithInodes(dumps, protocols, links).map((x) => x.row);
}

/** The same rows, each with its socket's inode (inet_diag_msg's idiag_inode), to find its owners. */
export function socketRowsWithInodes(
  dumps: Buffer[],
  protocols: Array<'tcp' | 'udp'>,
  links: LinkFacts[],
): Array<{ row: SocketRow; inode: number }> {
  const name = nameByIndex(links);
  const rows: Array<{ row: SocketRow; inode: number }> = [];
  dumps.forEach((dump, i) => {
    for (const m of messages(dump)) {
      if (m.type !== SOCK_DIAG_BY_FAMILY || m.body.length < 72) continue;
      const family = m.body[0]!;
      const state = m.body[1]!;
      const port = m.body.readUInt16BE(4);
      const addr = ntop(m.body.subarray(8, family === AF_INET ? 12 : 24));
      const dev = m.body.readUInt32LE(40);
      const v6only = attrs(m.body, 72)[11];
      let local = addr;
      if (family === AF_INET6) local = addr === '::' && !(v6only && v6only.b[v6only.o]) ? '*' : `[${addr}]`;
      if (dev) local += `%${name(dev)}`;
      const row: SocketRow = {
        proto: protocols[i]!,
        state: state === TCP_LISTEN ? 'LISTEN' : 'UNCONN',
        local,
        port,
        process: null,
        pid: null,
      };
      rows.push({ row, inode: m.body.readUInt32LE(68) });
    }
  });
  return rows;
}

/** The nftables generation (NFT_MSG_NEWGEN's NFTA_GEN_ID, network order), null when absent. */
export function nftGeneration(bytes: Buffer): number | null {
  const m = messages(bytes).find((x) => x.type === NFT_NEWGEN && x.body.length >= 4);
  const id = m ? attrs(m.body, 4)[1] : undefined;
  return id && id.n >= 4 ? id.b.readUInt32BE(id.o) : null;
}

/** Tables in an NFT_MSG_GETTABLE dump (NFT_MSG_NEWTABLE messages). */
export function nftTableCount(bytes: Buffer): number {
  return messages(bytes).filter((m) => m.type === ((10 << 8) | 0)).length;
}

/** Sysctl files read in the namespace, keyed as parseSysctlGrep keys them (below /proc/sys/net/). */
export function sysctlFacts(files: Array<{ path: string; value: string | null }>): SysctlFacts {
  const values = new Map<string, string>();
  for (const f of files) {
    const m = /^\/proc\/sys\/net\/(.+)$/.exec(f.path);
    if (m && f.value !== null) values.set(m[1]!, f.value.trim());
  }
  return { values };
}
