/**
 * One authorisation decision for HTTP requests and WebSocket upgrades alike.
 */
import { secretEquals } from './security.js';
import type { FailureLimiter, Secrets } from './security.js';

export type AuthResult =
  | { ok: true; via: 'bearer' | 'cookie' }
  | { ok: false; status: 401 | 429; reason: string; retryAfterS?: number };

export interface AuthContext {
  secrets: Secrets;
  limiter: FailureLimiter;
  /** One line per failed token attempt (never the token itself). */
  audit(line: string): void;
}

export function tooManyAttempts(ctx: AuthContext): AuthResult | null {
  const wait = ctx.limiter.retryAfterMs();
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
  peer: string,
  ctx: AuthContext,
): AuthResult {
  const cred = ctx.secrets.credentialOf(headers);
  if (cred.kind === 'none') return { ok: false, status: 401, reason: 'authentication required' };
  if (cred.kind === 'bearer') {
    const blocked = tooManyAttempts(ctx);
    if (blocked) return blocked;
  }
  if (cred.valid) {
    if (cred.kind === 'bearer') ctx.limiter.recordSuccess();
    return { ok: true, via: cred.kind };
  }
  if (cred.kind === 'bearer') {
    ctx.limiter.recordFailure();
    ctx.audit(`auth failure: wrong bearer token from ${peer}`);
    return { ok: false, status: 401, reason: 'wrong token' };
  }
  return { ok: false, status: 401, reason: 'session expired: open the URL netns-explorer printed' };
}

/** The `/?token=` bootstrap: same limiter as bearer tokens. */
export function checkBootstrapToken(given: string, peer: string, ctx: AuthContext): AuthResult {
  const blocked = tooManyAttempts(ctx);
  if (blocked) return blocked;
  if (secretEquals(given, ctx.secrets.token)) {
    ctx.limiter.recordSuccess();
    return { ok: true, via: 'cookie' };
  }
  ctx.limiter.recordFailure();
  ctx.audit(`auth failure: wrong token in URL from ${peer}`);
  return { ok: false, status: 401, reason: 'wrong token' };
}
