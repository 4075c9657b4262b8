/**
 * Pure checks shared by the Express app and the WebSocket upgrade handler (Express middleware
 * does not run for 'upgrade'): Host allowlist (DNS rebinding), Origin (cross-site requests and
 * WebSocket hijacking), credentials (bearer or session cookie, compared in constant time), and a
 * limiter for failed token attempts.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export const SESSION_COOKIE = 'netns_explorer_session';

/** `host:port` as a browser writes it in Host/Origin: IPv6 in brackets, lowercase. */
export function hostPort(ip: string, port: number): string {
  return isIP(ip) === 6 ? `[${ip.toLowerCase()}]:${port}` : `${ip.toLowerCase()}:${port}`;
}

/**
 * Every Host value we answer to. Exact strings only: `127.0.0.1.evil.example`, `0177.0.0.1`,
 * `2130706433` or `localhost.` never match. A wildcard bind (only with --allow-remote) answers
 * to the machine's own addresses.
 */
export function allowedHosts(listenIp: string, port: number): Set<string> {
  const ips = new Set<string>();
  if (listenIp === '0.0.0.0' || listenIp === '::') {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' || listenIp === '::') ips.add(a.address);
    }
  } else {
    ips.add(listenIp);
  }
  const hosts = new Set<string>();
  for (const ip of ips) {
    hosts.add(hostPort(ip, port));
    if (port === 80) hosts.add(isIP(ip) === 6 ? `[${ip}]` : ip);
    if (ip.startsWith('127.')) hosts.add(`localhost:${port}`);
  }
  return hosts;
}

/** The page's own origins: `http://` + each allowed Host (we never serve https). */
export function allowedOrigins(hosts: ReadonlySet<string>): Set<string> {
  return new Set([...hosts].map((h) => `http://${h}`));
}

/**
 * Everything the page loads comes from this server: the bundle, the ELK worker (a file under
 * /assets/, not a blob), the WebSocket (`'self'` covers ws: to the same host). Images are data:
 * or blob: URLs made by the PNG/SVG export. Inline scripts and styles are refused; React's style
 * props set CSSOM properties, which CSP does not govern.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'none'",
].join('; ');

export type Verdict = { ok: true } | { ok: false; status: number; reason: string };

/** Checks the raw headers, because Node keeps only the first of duplicate Host headers. */
export function checkHost(rawHeaders: readonly string[], allowed: ReadonlySet<string>): Verdict {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'host') values.push(rawHeaders[i + 1]!);
  }
  if (values.length === 0) return { ok: false, status: 400, reason: 'missing Host header' };
  if (values.length > 1) return { ok: false, status: 400, reason: 'duplicate Host header' };
  if (!allowed.has(values[0]!.toLowerCase())) return { ok: false, status: 403, reason: 'Host not allowed' };
  return { ok: true };
}

/** Origin of a request: absent (undefined) is different from the literal `null`. */
export function checkOrigin(origin: string | undefined, allowed: ReadonlySet<string>): Verdict {
  if (origin === undefined) return { ok: true };
  if (!allowed.has(origin.toLowerCase())) return { ok: false, status: 403, reason: 'Origin not allowed' };
  return { ok: true };
}

/** Constant-time equality of two secrets of any length (hashing first equalises lengths). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerOf(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  return m ? m[1]! : null;
}

export function cookieOf(cookieHeader: string | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** What a request presented and whether it is good. `none` means no credential at all. */
export type Credential = { kind: 'bearer' | 'cookie'; valid: boolean } | { kind: 'none' };

/**
 * The server's secrets. The cookie carries a value derived from the token (one-way), not the
 * token itself, so a leaked cookie never reveals the token; with a fixed NETNS_EXPLORER_TOKEN the
 * page's cookie survives a server restart.
 */
export class Secrets {
  readonly session: string;
  constructor(readonly token: string) {
    this.session = createHmac('sha256', token).update('netns-explorer session v1').digest('base64url');
  }

  credentialOf(headers: { authorization?: string | undefined; cookie?: string | undefined }): Credential {
    const bearer = bearerOf(headers.authorization);
    if (bearer !== null) return { kind: 'bearer', valid: secretEquals(bearer, this.token) };
    const cookie = cookieOf(headers.cookie, SESSION_COOKIE);
    if (cookie !== null) return { kind: 'cookie', valid: secretEquals(cookie, this.session) };
    return { kind: 'none' };
  }

  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.session}; Path=/; HttpOnly; SameSite=Strict`;
  }
}

/** Where a failed attempt came from: counted apart per kind of credential and per remote address. */
export type AttemptKind = 'bearer' | 'url';
export const attemptKey = (kind: AttemptKind, remoteAddress: string | undefined): string =>
  `${kind}|${remoteAddress ?? '?'}`;

interface Streak {
  /** Failures in the current streak: it ends after `windowMs` without a failure, or on success. */
  count: number;
  lastFailure: number;
  blockedUntil: number;
}

/**
 * Failed token attempts: after `freeFailures` failures within `windowMs`, attempts are refused
 * (429) for a backoff that doubles per further failure, capped at `maxBackoffMs`. Counted per
 * key (kind of credential + remote address, see attemptKey): URL-token attempts that any web page
 * can cause with an `<img>` never block the real user's bearer token, and one remote peer never
 * blocks another. No long lockout: once the backoff has passed, a valid token is accepted again.
 */
export class FailureLimiter {
  private readonly streaks = new Map<string, Streak>();

  constructor(
    private readonly opts = { freeFailures: 3, windowMs: 60_000, baseBackoffMs: 1000, maxBackoffMs: 60_000 },
    private readonly now: () => number = Date.now,
    /** Bound on remembered keys: a flood of source addresses must not grow memory. */
    private readonly maxKeys = 4096,
  ) {}

  /** Milliseconds until attempts with this key are accepted again, 0 when they are now. */
  retryAfterMs(key = ''): number {
    const s = this.streaks.get(key);
    return s ? Math.max(0, s.blockedUntil - this.now()) : 0;
  }

  recordFailure(key = ''): void {
    const t = this.now();
    let s = this.streaks.get(key);
    if (!s) {
      this.evict();
      s = { count: 0, lastFailure: -Infinity, blockedUntil: 0 };
    }
    // Re-insert so the map's order stays least-recently-failed first (eviction order).
    this.streaks.delete(key);
    this.streaks.set(key, s);
    if (t - s.lastFailure > this.opts.windowMs) s.count = 0;
    s.lastFailure = t;
    s.count++;
    const over = s.count - this.opts.freeFailures;
    if (over >= 0) {
      const backoff = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** Math.min(over, 30));
      s.blockedUntil = t + backoff;
    }
  }

  recordSuccess(key = ''): void {
    this.streaks.delete(key);
  }

  private evict(): void {
    // Least recently failing first.
    for (const k of this.streaks.keys()) {
      if (this.streaks.size < this.maxKeys) return;
      this.streaks.delete(k);
    }
  }
}
