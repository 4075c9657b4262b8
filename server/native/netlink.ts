/**
 * Pure walking of raw rtnetlink dumps (a stream of nlmsghdr messages, host byte order) and the
 * address formatting iproute2 prints, so that a native read yields the very strings `ip -j`
 * would (inet_ntop, MAC addresses).
 */
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('rtnetlink parsing assumes a little-endian host');

export interface Message {
  type: number;
  flags: number;
  /** The message body after the 16-byte header. */
  body: Buffer;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Splits a dump into its messages (truncated tails are ignored). */
export function messages(buf: Buffer): Message[] {
  const out: Message[] = [];
  forEachMessage(buf, (type, body, len) =>
    // nlmsg_flags sits 10 bytes before the body (len 4, type 2, flags 2, seq 4, pid 4).
    out.push({ type, flags: buf.readUInt16LE(body - 10), body: buf.subarray(body, body + len) }),
  );
  return out;
}

/**
 * Calls `fn` with each message's type and its body's offset and length in `buf`, allocating
 * nothing: a full read at 1,000 namespaces walks some twenty thousand messages.
 */
export function forEachMessage(buf: Buffer, fn: (type: number, body: number, len: number) => void): void {
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    fn(buf.readUInt16LE(off + 4), off + 16, len - 16);
    off += align4(len);
  }
}

/**
 * An attribute's payload as a view (buffer, offset, length): a plain object is far cheaper than a
 * Buffer slice, and a full read walks some hundred thousand attributes.
 */
export interface Attr {
  b: Buffer;
  o: number;
  n: number;
}

/** Attributes by type (the nested flag stripped); the first of a type wins, as in iproute2. */
export type Attrs = Array<Attr | undefined>;

/** A set of attribute types, for attrs() to keep only those (a link message carries ~50). */
export function attrTypes(...types: number[]): Uint8Array {
  const mask = new Uint8Array(Math.max(...types) + 1);
  for (const t of types) mask[t] = 1;
  return mask;
}

/**
 * The attributes in `src` from `start` (a message body) or inside a nested attribute; with
 * `only`, just those types (the others cost no object).
 */
export function attrs(src: Buffer | Attr, start = 0, only?: Uint8Array): Attrs {
  return Buffer.isBuffer(src)
    ? attrsIn(src, start, src.length, only)
    : attrsIn(src.b, src.o, src.o + src.n, only);
}

/** The attributes in `buf` from `off` to `end` (see attrs). */
export function attrsIn(buf: Buffer, start: number, end: number, only?: Uint8Array): Attrs {
  const out: Attrs = [];
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) break;
    const type = buf.readUInt16LE(off + 2) & 0x3fff;
    if (out[type] === undefined && (only === undefined || only[type] === 1))
      out[type] = { b: buf, o: off + 4, n: len - 4 };
    off += align4(len);
  }
  return out;
}

export const u8 = (a: Attr | undefined): number | undefined => (a && a.n >= 1 ? a.b[a.o] : undefined);
export const u32 = (a: Attr | undefined): number | undefined =>
  a && a.n >= 4 ? a.b.readUInt32LE(a.o) : undefined;
export const s32 = (a: Attr | undefined): number | undefined =>
  a && a.n >= 4 ? a.b.readInt32LE(a.o) : undefined;
/** A NUL-terminated string attribute. */
export function str(a: Attr | undefined): string | undefined {
  if (!a) return undefined;
  const nul = a.b.indexOf(0, a.o);
  const end = nul < 0 || nul > a.o + a.n ? a.o + a.n : nul;
  return a.b.toString('utf8', a.o, end);
}

function ntop4(b: Buffer, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** glibc's inet_ntop for IPv6: longest run (>= 2) of zero groups compressed, IPv4 tails kept. */
function ntop6(b: Buffer, off = 0): string {
  // The longest run of zero groups (the first of equal ones), without allocating: a full read
  // formats some ten thousand of these.
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0, base = -1; i < 8; i++) {
    if (b[off + 2 * i] === 0 && b[off + 2 * i + 1] === 0) {
      if (base < 0) base = i;
      if (i - base + 1 > bestLen) {
        bestBase = base;
        bestLen = i - base + 1;
      }
    } else base = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i > 0) s += ':';
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in dotted quad.
    if (
      i === 6 &&
      bestBase === 0 &&
      (bestLen === 6 || (bestLen === 5 && b.readUInt16BE(off + 10) === 0xffff))
    ) {
      return s + ntop4(b, off + 12);
    }
    s += b.readUInt16BE(off + i * 2).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

function hex(b: Buffer, off: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (i ? ':' : '') + b[off + i]!.toString(16).padStart(2, '0');
  return s;
}

/** An address (a Buffer, or an attribute) as iproute2's format_host prints it (numeric). */
export function ntop(src: Buffer | Attr): string {
  if (Buffer.isBuffer(src)) return ntopAt(src, 0, src.length);
  return ntopAt(src.b, src.o, src.n);
}

function ntopAt(b: Buffer, o: number, n: number): string {
  if (n === 4) return ntop4(b, o);
  if (n === 16) return ntop6(b, o);
  return hex(b, o, n);
}

const ARPHRD_TUNNEL = 768;
const ARPHRD_TUNNEL6 = 769;
const ARPHRD_SIT = 776;
const ARPHRD_IPGRE = 778;
const ARPHRD_IP6GRE = 823;

/** A link-layer address as iproute2's ll_addr_n2a prints it. */
export function llAddr(a: Attr, type: number): string {
  if (a.n === 4 && [ARPHRD_TUNNEL, ARPHRD_SIT, ARPHRD_IPGRE].includes(type)) return ntop4(a.b, a.o);
  if (a.n === 16 && [ARPHRD_TUNNEL6, ARPHRD_IP6GRE].includes(type)) return ntop6(a.b, a.o);
  return hex(a.b, a.o, a.n);
}

const ARPHRD_NAMES = new Map<number, string>([
  [1, 'ether'],
  [32, 'infiniband'],
  [280, 'can'],
  [512, 'ppp'],
  [ARPHRD_TUNNEL, 'ipip'],
  [ARPHRD_TUNNEL6, 'tunnel6'],
  [772, 'loopback'],
  [ARPHRD_SIT, 'sit'],
  [ARPHRD_IPGRE, 'gre'],
  [801, 'ieee802.11'],
  [ARPHRD_IP6GRE, 'gre6'],
  [0xfffe, 'none'],
  [0xffff, 'void'],
]);

/** iproute2's ll_type_n2a. */
export function linkTypeName(type: number): string {
  return ARPHRD_NAMES.get(type) ?? `[${type}]`;
}
