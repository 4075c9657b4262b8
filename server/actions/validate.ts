/**
 * Input validation for actions: strict allowlists (stricter than the kernel on purpose), run
 * before any `ip` starts. Values leave here canonical, so what we echo is what we configure. The
 * request schemas themselves are the API contract in common/api.ts.
 */
import ipaddr from 'ipaddr.js';
import type { z } from 'zod';
import { badRequest } from './errors.js';

/** Prefix length without leading zeros (ip's strtoul would read `08` as octal garbage). */
const PREFIX_RE = /^(0|[1-9][0-9]?|1[01][0-9]|12[0-8])$/;

export type Family = 4 | 6;
export interface ParsedAddr {
  family: Family;
  /** Canonical text of the address (dotted quad / RFC 5952). */
  addr: string;
  bytes: number[];
}

/** Parses one address strictly: four-part decimal IPv4 or IPv6 without zone id. */
export function parseAddr(s: string, field: string): ParsedAddr {
  if (s !== s.trim() || s.includes('%'))
    throw badRequest(`${s} is not a plain IP address (no zone ids or spaces)`, field);
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) {
    const a = ipaddr.IPv4.parse(s);
    return { family: 4, addr: a.toString(), bytes: a.toByteArray() };
  }
  if (s.includes(':') && ipaddr.IPv6.isValid(s)) {
    const a = ipaddr.IPv6.parse(s);
    return { family: 6, addr: a.toRFC5952String(), bytes: a.toByteArray() };
  }
  throw badRequest(`${JSON.stringify(s)} is not a valid IPv4 (a.b.c.d, decimal) or IPv6 address`, field);
}

export interface Cidr extends ParsedAddr {
  prefix: number;
  /** Canonical `addr/prefix`. */
  cidr: string;
}

/** Parses `addr/len` (or a bare address when `bareIsHost`, meaning /32 or /128). */
export function canonicalCidr(s: string, field: string, opts: { bareIsHost?: boolean } = {}): Cidr {
  const slash = s.indexOf('/');
  if (slash < 0 && !opts.bareIsHost)
    throw badRequest(`${JSON.stringify(s)} needs a prefix length, e.g. 10.1.0.1/24`, field);
  const addrPart = slash < 0 ? s : s.slice(0, slash);
  const a = parseAddr(addrPart, field);
  const max = a.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!PREFIX_RE.test(p) || Number(p) > max)
      throw badRequest(
        `prefix length ${JSON.stringify(p)} must be a number from 0 to ${max} without leading zeros`,
        field,
      );
    prefix = Number(p);
  }
  return { ...a, prefix, cidr: `${a.addr}/${prefix}` };
}

/** A route destination: the network address itself (no host bits), canonical. */
export function canonicalNetwork(s: string, field: string): Cidr {
  const c = canonicalCidr(s, field, { bareIsHost: true });
  for (let bit = c.prefix; bit < c.bytes.length * 8; bit++) {
    if ((c.bytes[bit >> 3]! >> (7 - (bit & 7))) & 1)
      throw badRequest(`${s} has host bits set beyond /${c.prefix}; use the network address`, field);
  }
  return c;
}

/** Turns the first zod issue into a 400 naming the field (`a.name`, `up`, ...). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'invalid request body';
  throw badRequest(message, field);
}
