/**
 * One authorisation decision for HTTP requests and WebSocket upgrades alike.
 */
import { attemptKey, secretEquals } from './security.js';
import type { AttemptKind, FailureLimiter, Secrets } from './security.js';

export type AuthResult =
  | { ok: true; via: 'bearer' | 'cookie' }
  | { ok: false; status: 401 | 403 | 429; reason: string; retryAfterS?: number };

export interface AuthContext {
  secrets: Secrets;
  limiter: FailureLimiter;
  /** One line per failed token attempt (never the token itself). */
  audit(line: string): void;
}

/** The remote end of a request: failed attempts are counted per address, logged with the port. */
export interface Peer {
  address: string | undefined;
  port: number | undefined;
}

export const peerText = (p: Peer): string => `${p.address ?? '?'}:${p.port ?? '?'}`;

export function tooManyAttempts(ctx: AuthContext, kind: AttemptKind, peer: Peer): AuthResult | null {
  const wait = ctx.limiter.retryAfterMs(attemptKey(kind, peer.address));
  if (wait <= 0) return null;
  return {
    ok: false,
    status: 429,
    reason: 'too many failed token attempts',
    retryAfterS: Math.ceil(wait / 1000),
  };
}

/**
 * Bearer token or session cookie. A wrong bearer token counts as a failed attempt (rate limited);
 * a stale cookie (from an earlier server with another token) is just 401: cookies hold 256-bit
 * values nobody guesses, and counting them would lock the real user out while their open page
 * keeps reconnecting.
 */
export function authorize(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  peer: Peer,
  ctx: AuthContext,
): AuthResult {
  const cred = ctx.secrets.credentialOf(headers);
  if (cred.kind === 'none') return { ok: false, status: 401, reason: 'authentication required' };
  const key = attemptKey('bearer', peer.address);
  if (cred.kind === 'bearer') {
    const blocked = tooManyAttempts(ctx, 'bearer', peer);
    if (blocked) return blocked;
  }
  if (cred.valid) {
    if (cred.kind === 'bearer') ctx.limiter.recordSuccess(key);
    return { ok: true, via: cred.kind };
  }
  if (cred.kind === 'bearer') {
    ctx.limiter.recordFailure(key);
    ctx.audit(`auth failure: wrong bearer token from ${peerText(peer)}`);
    return { ok: false, status: 401, reason: 'wrong token' };
  }
  return { ok: false, status: 401, reason: 'session expired: open the URL netns-explorer printed' };
}

/** The Fetch Metadata headers a browser sends (absent from scripts and old browsers). */
export interface FetchMetadata {
  'sec-fetch-site'?: string | undefined;
  'sec-fetch-dest'?: string | undefined;
}

/**
 * True unless the browser says this is not the user opening the URL themselves: typed or pasted
 * (`Sec-Fetch-Site: none`) or a same-origin navigation, loaded as the top-level document. An
 * `<img>`, `<iframe>`, fetch() or a link from another site never gets the token checked, so a
 * web page can neither probe tokens nor use up the URL-token limiter.
 */
export function isTopLevelNavigation(h: FetchMetadata): boolean {
  const site = h['sec-fetch-site'];
  const dest = h['sec-fetch-dest'];
  if (site !== undefined && site !== 'none' && site !== 'same-origin') return false;
  if (dest !== undefined && dest !== 'document') return false;
  return true;
}

/** The `/?token=` bootstrap: its own limiter key, apart from bearer tokens. */
export function checkBootstrapToken(
  given: string,
  meta: FetchMetadata,
  peer: Peer,
  ctx: AuthContext,
): AuthResult {
  if (!isTopLevelNavigation(meta))
    return {
      ok: false,
      status: 403,
      reason: 'the token URL works only when opened in the address bar (top-level navigation)',
    };
  const blocked = tooManyAttempts(ctx, 'url', peer);
  if (blocked) return blocked;
  const key = attemptKey('url', peer.address);
  if (secretEquals(given, ctx.secrets.token)) {
    ctx.limiter.recordSuccess(key);
    return { ok: true, via: 'cookie' };
  }
  ctx.limiter.recordFailure(key);
  ctx.audit(`auth failure: wrong token in URL from ${peerText(peer)}`);
  return { ok: false, status: 401, reason: 'wrong token' };
}
