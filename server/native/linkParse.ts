/**
 * Pure: raw RTM_NEWLINK and RTM_NEWADDR dumps of one namespace -> the links `ip -j -d addr show`
 * would print there (the fields discovery's IpLink reads), with iproute2's quirks kept: flag
 * order, NO-CARRIER and M-DOWN, `link` named through this namespace's own links (`ifN` when
 * absent), `link_index` + `link_netnsid` for an other-namespace link, a vxlan's lower by name.
 */
import type { IpLink } from '../discovery/ipParse.js';
import type { Attrs } from './netlink.js';
import {
  attrs,
  attrsIn,
  attrTypes,
  forEachMessage,
  linkTypeName,
  llAddr,
  ntop,
  s32,
  str,
  u32,
  u8,
} from './netlink.js';
import { nameOf } from './names.js';

const RTM_NEWLINK = 16;
const RTM_NEWADDR = 20;
const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, LINK: 5, MASTER: 10, OPERSTATE: 16, LINKINFO: 18 };
const IFLA_IFALIAS = 20;
const IFLA_LINK_NETNSID = 37;
const INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4, SLAVE_DATA: 5 };
const IFLA_TUN_TYPE = 3;
const IFLA_VXLAN_LINK = 3;
const IFLA_BRPORT_STATE = 1;
/** In a bridge's IFLA_INFO_DATA (u8), as `ip -d` prints it: `vlan_filtering`. */
const IFLA_BR_VLAN_FILTERING = 7;
const IFA = { ADDRESS: 1, LOCAL: 2, BROADCAST: 4 };
/** The attributes read here (of ~50 a link carries). */
const LINK_ATTRS = attrTypes(...Object.values(IFLA), IFLA_IFALIAS, IFLA_LINK_NETNSID);
const ADDR_ATTRS = attrTypes(...Object.values(IFA));

const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
/** print_link_flags' order. */
const FLAG_NAMES: Array<[number, string]> = [
  [0x8, 'LOOPBACK'],
  [0x2, 'BROADCAST'],
  [0x10, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [0x80, 'NOARP'],
  [0x200, 'ALLMULTI'],
  [0x100, 'PROMISC'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x4, 'DEBUG'],
  [0x8000, 'DYNAMIC'],
  [0x4000, 'AUTOMEDIA'],
  [0x2000, 'PORTSEL'],
  [0x20, 'NOTRAILERS'],
  [0x1, 'UP'],
  [0x10000, 'LOWER_UP'],
  [0x20000, 'DORMANT'],
  [0x40000, 'ECHO'],
];
const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

export function linkFlags(flags: number, lowerDown: boolean): string[] {
  const out: string[] = [];
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) out.push('NO-CARRIER');
  let left = flags & ~IFF_RUNNING;
  for (const [bit, name] of FLAG_NAMES) {
    if (left & bit) {
      out.push(name);
      left &= ~bit;
    }
  }
  if (left) out.push(left.toString(16));
  if (lowerDown) out.push('M-DOWN');
  return out;
}

interface RawLink {
  index: number;
  type: number;
  flags: number;
  a: Attrs;
}

function linkInfo(raw: Attrs, nameOfIndex: (i: number) => string): NonNullable<IpLink['linkinfo']> {
  const info = attrs(raw[IFLA.LINKINFO]!);
  const kind = str(info[INFO.KIND]);
  const out: NonNullable<IpLink['linkinfo']> = {};
  if (kind !== undefined) out.info_kind = kind;
  const data = info[INFO.DATA];
  if (kind !== undefined && data) {
    const d = attrs(data);
    if (kind === 'tun') {
      const t = u8(d[IFLA_TUN_TYPE]);
      if (t !== undefined) out.info_data = { type: t === 1 ? 'tun' : t === 2 ? 'tap' : `UNKNOWN:${t}` };
      else out.info_data = {};
    } else if (kind === 'vxlan') {
      const lower = u32(d[IFLA_VXLAN_LINK]);
      out.info_data = lower ? { link: nameOfIndex(lower) } : {};
    } else if (kind === 'bridge') {
      const vf = u8(d[IFLA_BR_VLAN_FILTERING]);
      out.info_data = vf !== undefined ? { vlan_filtering: vf } : {};
    } else out.info_data = {};
  }
  const slave = str(info[INFO.SLAVE_KIND]);
  if (slave !== undefined) out.info_slave_kind = slave;
  const sdata = info[INFO.SLAVE_DATA];
  if (slave === 'bridge' && sdata) {
    const st = u8(attrs(sdata)[IFLA_BRPORT_STATE]);
    out.info_slave_data = st !== undefined && st < PORT_STATES.length ? { state: PORT_STATES[st]! } : {};
  }
  return out;
}

function addrInfo(addrs: Buffer, scopes: Map<number, string>): Map<number, IpLink['addr_info']> {
  const out = new Map<number, IpLink['addr_info']>();
  forEachMessage(addrs, (type, o, n) => {
    if (type !== RTM_NEWADDR || n < 8) return;
    const family = addrs[o]!;
    if (family !== 2 && family !== 10) return;
    const a = attrsIn(addrs, o + 8, o + n, ADDR_ATTRS);
    const local = a[IFA.LOCAL] ?? a[IFA.ADDRESS];
    const entry: IpLink['addr_info'][number] = { family: family === 2 ? 'inet' : 'inet6' };
    if (local) {
      entry.local = ntop(local);
      entry.prefixlen = addrs[o + 1]!;
    }
    {
      const v = a[IFA.BROADCAST];
      if (v) entry.broadcast = ntop(v);
    }
    entry.scope = nameOf(scopes, addrs[o + 3]!);
    const index = addrs.readUInt32LE(o + 4);
    let list = out.get(index);
    if (!list) out.set(index, (list = []));
    list.push(entry);
  });
  return out;
}

/** The links of one namespace, in dump order, each with its addresses (`ip -j -d addr show`). */
export function parseLinkDump(links: Buffer, addrs: Buffer, scopes: Map<number, string>): IpLink[] {
  const raws: RawLink[] = [];
  forEachMessage(links, (type, o, n) => {
    if (type !== RTM_NEWLINK || n < 16) return;
    raws.push({
      type: links.readUInt16LE(o + 2),
      index: links.readInt32LE(o + 4),
      flags: links.readUInt32LE(o + 8),
      a: attrsIn(links, o + 16, o + n, LINK_ATTRS),
    });
  });
  // iproute2 names indexes through the links it just dumped (its ll cache).
  const byIndex = new Map(raws.map((r) => [r.index, r]));
  const nameOfIndex = (i: number) => {
    const r = byIndex.get(i);
    return (r && str(r.a[IFLA.IFNAME])) ?? `if${i}`;
  };
  const addresses = addrInfo(addrs, scopes);
  return raws.map((r) => {
    const a = r.a;
    const l: IpLink = {
      ifindex: r.index,
      ifname: str(a[IFLA.IFNAME]) ?? '',
      flags: [],
      mtu: u32(a[IFLA.MTU]) ?? 0,
      operstate: 'UNKNOWN',
      addr_info: addresses.get(r.index) ?? [],
    };
    let lowerDown = false;
    const link = u32(a[IFLA.LINK]);
    const netnsid = s32(a[IFLA_LINK_NETNSID]);
    if (link === 0) l.link = null;
    else if (link !== undefined) {
      if (netnsid !== undefined) l.link_index = link;
      else {
        l.link = nameOfIndex(link);
        lowerDown = !((byIndex.get(link)?.flags ?? 0) & IFF_UP);
      }
    }
    if (netnsid !== undefined) l.link_netnsid = netnsid;
    l.flags = linkFlags(r.flags, lowerDown);
    const op = u8(a[IFLA.OPERSTATE]);
    if (op !== undefined && op < OPERSTATES.length) l.operstate = OPERSTATES[op]!;
    l.link_type = linkTypeName(r.type);
    {
      const v = a[IFLA.ADDRESS];
      if (v) l.address = llAddr(v, r.type);
    }
    const master = u32(a[IFLA.MASTER]);
    if (master !== undefined) l.master = nameOfIndex(master);
    const alias = str(a[IFLA_IFALIAS]);
    if (alias !== undefined) l.ifalias = alias;
    if (a[IFLA.LINKINFO]) l.linkinfo = linkInfo(a, nameOfIndex);
    return l;
  });
}
