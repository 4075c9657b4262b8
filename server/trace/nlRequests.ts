/**
 * Pure: the netlink requests the native trace reader sends, byte for byte what iproute2, ss
 * and nft send for the same question (`ip route get` with RTM_F_LOOKUP_TABLE and host-length
 * prefixes, plain dumps, inet_diag v2, NFT_MSG_GETGEN). Host byte order except where the
 * protocol says network order.
 */
import ipaddr from 'ipaddr.js';
import type { RouteQuery } from './reader.js';

const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;

const RTM_GETLINK = 18;
const RTM_GETADDR = 22;
const RTM_GETROUTE = 26;
const RTM_GETNEIGH = 30;
const SOCK_DIAG_BY_FAMILY = 20;
/** (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, NFT_MSG_GETTABLE */
const NFT_GETGEN = (10 << 8) | 16;
const NFT_GETTABLE = (10 << 8) | 1;

const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_IIF = 3;
const RTA_MARK = 16;
const RTM_F_LOOKUP_TABLE = 0x1000;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_BRIDGE = 7;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const TCP_LISTEN = 10;
export const TCP_CLOSE = 7;

/** One netlink message: header (length, type, flags; seq and pid are set natively) and body. */
export function nlMessage(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(16 + body.length, 0);
  head.writeUInt16LE(type, 4);
  head.writeUInt16LE(flags | NLM_F_REQUEST, 6);
  return Buffer.concat([head, body]);
}

/** One attribute (length, type, payload), padded to 4 bytes. */
export function nlAttr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};

export const linkDump = (): Buffer => nlMessage(RTM_GETLINK, NLM_F_DUMP, Buffer.alloc(16));
export const addrDump = (): Buffer => nlMessage(RTM_GETADDR, NLM_F_DUMP, Buffer.alloc(8));
/** Neighbour tables (`ip neigh show`: AF_UNSPEC) or a bridge's FDB (AF_BRIDGE, unfiltered). */
export function neighDump(family: number): Buffer {
  const ndmsg = Buffer.alloc(12);
  ndmsg[0] = family;
  return nlMessage(RTM_GETNEIGH, NLM_F_DUMP, ndmsg);
}

/** `ip route get TO [from SRC] [iif DEV] [mark N]`; `iifIndex` is DEV's index in the namespace. */
export function routeGet(q: RouteQuery, iifIndex: number | null): Buffer {
  const dst = ipaddr.parse(q.to);
  const v6 = dst.kind() === 'ipv6';
  const hostLen = v6 ? 128 : 32;
  const rtmsg = Buffer.alloc(12);
  rtmsg[0] = v6 ? AF_INET6 : AF_INET;
  rtmsg[1] = hostLen;
  rtmsg.writeUInt32LE(RTM_F_LOOKUP_TABLE, 8);
  const attrs = [nlAttr(RTA_DST, Buffer.from(dst.toByteArray()))];
  if (q.from) {
    rtmsg[2] = hostLen;
    attrs.push(nlAttr(RTA_SRC, Buffer.from(ipaddr.parse(q.from).toByteArray())));
  }
  if (iifIndex !== null) attrs.push(nlAttr(RTA_IIF, u32(iifIndex)));
  if (q.mark) attrs.push(nlAttr(RTA_MARK, u32(q.mark)));
  return nlMessage(RTM_GETROUTE, 0, Buffer.concat([rtmsg, ...attrs]));
}

/** inet_diag v2 dump of one family and protocol, sockets in the given TCP states (bit mask). */
export function inetDiag(family: number, protocol: number, states: number): Buffer {
  const req = Buffer.alloc(56);
  req[0] = family;
  req[1] = protocol;
  req.writeUInt32LE(states >>> 0, 4);
  return nlMessage(SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, req);
}

/** `ss -ltu`'s questions: listening TCP and unconnected UDP, IPv4 then IPv6, udp first as ss prints. */
export function listenerDumps(): Buffer[] {
  const states = (1 << TCP_LISTEN) | (1 << TCP_CLOSE);
  return [IPPROTO_UDP, IPPROTO_TCP].flatMap((p) => [AF_INET, AF_INET6].map((f) => inetDiag(f, p, states)));
}

/** NFT_MSG_GETGEN: the namespace's nftables ruleset generation (nfgenmsg AF_UNSPEC, v0). */
export const nftGetGen = (): Buffer => nlMessage(NFT_GETGEN, 0, Buffer.alloc(4));

/** NFT_MSG_GETTABLE dump of every family: no table at all means an empty ruleset. */
export const nftTableDump = (): Buffer => nlMessage(NFT_GETTABLE, NLM_F_DUMP, Buffer.alloc(4));
