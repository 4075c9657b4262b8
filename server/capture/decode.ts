/**
 * One-line packet summaries for the live list: source, destination, protocol and a short text
 * (ARP who-has, ICMP echo id/seq, TCP flags and ports, UDP ports, DNS query name). Deliberately
 * small: what it does not know it names by number; Wireshark gets the pcapng for the rest.
 * Pure: never throws on short or odd packets (every read is bounds-checked).
 */

export interface Decoded {
  src: string;
  dst: string;
  protocol: string;
  summary: string;
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_RAW_OLD = 12;
const LINKTYPE_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_SLL2 = 276;

export function mac(b: Buffer, off: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push((b[off + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':');
}

export function ipv4(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run of 2+ zero groups as `::`. */
export function ipv6(b: Buffer, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(off + 2 * i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

function unknown(what: string, len: number): Decoded {
  return { src: '', dst: '', protocol: what, summary: `${what}, ${len} bytes` };
}

/** Decodes a captured frame of the given link type. */
export function decodePacket(linktype: number, data: Buffer): Decoded {
  try {
    switch (linktype) {
      case LINKTYPE_ETHERNET:
        return decodeEthernet(data);
      case LINKTYPE_SLL:
        return decodeEthertype(data.readUInt16BE(14), data, 16, '', '');
      case LINKTYPE_SLL2:
        return decodeEthertype(data.readUInt16BE(0), data, 20, '', '');
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_OLD:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
        return decodeIp(data, 0);
      case LINKTYPE_NULL:
        return decodeIp(data, 4);
      default:
        return unknown(`linktype ${linktype}`, data.length);
    }
  } catch {
    // A read past the end: a truncated packet.
    return unknown('truncated', data.length);
  }
}

function decodeEthernet(d: Buffer): Decoded {
  let type = d.readUInt16BE(12);
  let off = 14;
  // 802.1Q / 802.1ad tags: skip to the inner type.
  while ((type === 0x8100 || type === 0x88a8) && d.length >= off + 4) {
    type = d.readUInt16BE(off + 2);
    off += 4;
  }
  return decodeEthertype(type, d, off, mac(d, 6), mac(d, 0));
}

function decodeEthertype(type: number, d: Buffer, off: number, srcMac: string, dstMac: string): Decoded {
  if (type === 0x0800 || type === 0x86dd) return decodeIp(d, off);
  if (type === 0x0806) return decodeArp(d, off);
  const name = `ethertype 0x${type.toString(16).padStart(4, '0')}`;
  return {
    src: srcMac,
    dst: dstMac,
    protocol: type < 0x0600 ? 'LLC' : name,
    summary: `${name}, ${d.length} bytes`,
  };
}

function decodeArp(d: Buffer, off: number): Decoded {
  const op = d.readUInt16BE(off + 6);
  const hlen = d[off + 4] ?? 0;
  const plen = d[off + 5] ?? 0;
  if (d.readUInt16BE(off + 2) !== 0x0800 || hlen !== 6 || plen !== 4) {
    return { src: '', dst: '', protocol: 'ARP', summary: `ARP op ${op}` };
  }
  const sha = mac(d, off + 8);
  const spa = ipv4(d, off + 14);
  const tpa = ipv4(d, off + 24);
  if (op === 1) return { src: spa, dst: tpa, protocol: 'ARP', summary: `who-has ${tpa} tell ${spa}` };
  if (op === 2) return { src: spa, dst: tpa, protocol: 'ARP', summary: `${spa} is-at ${sha}` };
  return { src: spa, dst: tpa, protocol: 'ARP', summary: `ARP op ${op}` };
}

function decodeIp(d: Buffer, off: number): Decoded {
  const version = (d[off] ?? 0) >> 4;
  if (version === 4) {
    const ihl = ((d[off] ?? 0) & 0x0f) * 4;
    const total = d.readUInt16BE(off + 2);
    const fragOff = d.readUInt16BE(off + 6) & 0x1fff;
    const proto = d[off + 9] ?? 0;
    const src = ipv4(d, off + 12);
    const dst = ipv4(d, off + 16);
    if (fragOff !== 0) return { src, dst, protocol: 'IPv4', summary: `fragment, offset ${fragOff * 8}` };
    return decodeTransport(proto, d, off + ihl, off + Math.max(total, ihl), src, dst, false);
  }
  if (version === 6) {
    const src = ipv6(d, off + 8);
    const dst = ipv6(d, off + 24);
    const end = off + 40 + d.readUInt16BE(off + 4);
    let next = d[off + 6] ?? 0;
    let p = off + 40;
    // Hop-by-hop, routing, destination options: skip; a fragment header ends the decoding.
    while (next === 0 || next === 43 || next === 60) {
      next = d[p] ?? 59;
      p += ((d[p + 1] ?? 0) + 1) * 8;
    }
    if (next === 44) return { src, dst, protocol: 'IPv6', summary: 'fragment' };
    return decodeTransport(next, d, p, end, src, dst, true);
  }
  return unknown(`IP version ${version}`, d.length);
}

function decodeTransport(
  proto: number,
  d: Buffer,
  off: number,
  end: number,
  src: string,
  dst: string,
  v6: boolean,
): Decoded {
  if (proto === 6) return { src, dst, protocol: 'TCP', summary: tcpSummary(d, off, end) };
  if (proto === 17) return decodeUdp(d, off, src, dst);
  if (proto === 1 && !v6) return { src, dst, protocol: 'ICMP', summary: icmpSummary(d, off, end) };
  if (proto === 58 && v6) return { src, dst, protocol: 'ICMPv6', summary: icmp6Summary(d, off) };
  const name = v6 ? 'IPv6' : 'IPv4';
  return { src, dst, protocol: name, summary: `${name} protocol ${proto}` };
}

const TCP_FLAGS: Array<[number, string]> = [
  [0x02, 'S'],
  [0x01, 'F'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
  [0x10, '.'],
];

/** `35182 > 8080 [S.] seq 1, len 6`, flags written the way tcpdump writes them. */
function tcpSummary(d: Buffer, off: number, end: number): string {
  const sport = d.readUInt16BE(off);
  const dport = d.readUInt16BE(off + 2);
  const seq = d.readUInt32BE(off + 4);
  const bits = d[off + 13] ?? 0;
  const dataOff = ((d[off + 12] ?? 0) >> 4) * 4;
  const flags = TCP_FLAGS.filter(([bit]) => bits & bit)
    .map(([, c]) => c)
    .join('');
  const len = Math.max(0, end - off - dataOff);
  return `${sport} > ${dport} [${flags || 'none'}] seq ${seq}, len ${len}`;
}

function decodeUdp(d: Buffer, off: number, src: string, dst: string): Decoded {
  const sport = d.readUInt16BE(off);
  const dport = d.readUInt16BE(off + 2);
  const len = Math.max(0, d.readUInt16BE(off + 4) - 8);
  const ports = `${sport} > ${dport}`;
  if ([53, 5353].includes(sport) || [53, 5353].includes(dport)) {
    const dns = dnsSummary(d, off + 8);
    if (dns) return { src, dst, protocol: 'DNS', summary: `${ports} ${dns}` };
  }
  return { src, dst, protocol: 'UDP', summary: `${ports} len ${len}` };
}

const DNS_TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  65: 'HTTPS',
  255: 'ANY',
};

/** `query A? example.test` / `response A? example.test`, or null if it does not parse as DNS. */
export function dnsSummary(d: Buffer, off: number): string | null {
  if (d.length < off + 12) return null;
  const flags = d.readUInt16BE(off + 2);
  const qd = d.readUInt16BE(off + 4);
  const kind = flags & 0x8000 ? 'response' : 'query';
  if (qd === 0) return kind;
  const labels: string[] = [];
  let p = off + 12;
  for (let guard = 0; guard < 128; guard++) {
    const len = d[p];
    if (len === undefined || len >= 0xc0 || len > 63) return null;
    p++;
    if (len === 0) break;
    if (p + len > d.length) return null;
    labels.push(d.toString('latin1', p, p + len));
    p += len;
  }
  const qtype = d.readUInt16BE(p);
  // Names are shown, never interpreted: keep them printable.
  const name = (labels.join('.') || '.').replace(/[^\x21-\x7e]/g, '?');
  return `${kind} ${DNS_TYPES[qtype] ?? `type${qtype}`}? ${name}`;
}

const ICMP_UNREACH = ['net', 'host', 'protocol', 'port'];

function icmpSummary(d: Buffer, off: number, end: number): string {
  const type = d[off] ?? 0;
  const code = d[off + 1] ?? 0;
  if (type === 8 || type === 0) {
    const id = d.readUInt16BE(off + 4);
    const seq = d.readUInt16BE(off + 6);
    return `echo ${type === 8 ? 'request' : 'reply'} id ${id} seq ${seq}, length ${Math.max(0, end - off)}`;
  }
  if (type === 3) return `destination unreachable (${ICMP_UNREACH[code] ?? `code ${code}`})`;
  if (type === 11) return 'time exceeded';
  return `type ${type} code ${code}`;
}

const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable',
  3: 'time exceeded',
  133: 'router solicitation',
  134: 'router advertisement',
  143: 'multicast listener report v2',
};

function icmp6Summary(d: Buffer, off: number): string {
  const type = d[off] ?? 0;
  if (type === 128 || type === 129) {
    const id = d.readUInt16BE(off + 4);
    const seq = d.readUInt16BE(off + 6);
    return `echo ${type === 128 ? 'request' : 'reply'} id ${id} seq ${seq}`;
  }
  if (type === 135) return `neighbor solicitation, who-has ${ipv6(d, off + 8)}`;
  if (type === 136) return `neighbor advertisement, tgt ${ipv6(d, off + 8)}`;
  return ICMP6_NAMES[type] ?? `type ${type} code ${d[off + 1] ?? 0}`;
}
