import { describe, expect, it } from 'vitest';
import { authorize } from './auth.js';
import { isLoopback, parseServeArgs } from '../serveOptions.js';
import {
  allowedHosts,
  allowedOrigins,
  attemptKey,
  bearerOf,
  checkHost,
  checkOrigin,
  cookieOf,
  FailureLimiter,
  Secrets,
  secretEquals,
} from './security.js';

const P = 7878;

describe('Host allowlist', () => {
  const v4 = allowedHosts('127.0.0.1', P);
  const v6 = allowedHosts('::1', P);
  it.each([
    ['127.0.0.1:7878', v4, true],
    ['localhost:7878', v4, true],
    ['LOCALHOST:7878', v4, true],
    ['[::1]:7878', v6, true],
    ['localhost:7878', v6, false],
    ['127.0.0.1:7879', v4, false],
    ['127.0.0.1', v4, false],
    ['evil.example:7878', v4, false],
    ['127.0.0.1.evil.example:7878', v4, false],
    ['0177.0.0.1:7878', v4, false],
    ['2130706433:7878', v4, false],
    ['localhost.:7878', v4, false],
    ['localhost6:7878', v4, false],
    ['127.1:7878', v4, false],
    ['[::ffff:127.0.0.1]:7878', v4, false],
  ])('Host %s -> allowed=%s', (host, allowed, ok) => {
    expect(checkHost(['Host', host], allowed).ok).toBe(ok);
  });

  it('rejects a missing Host with 400', () => {
    expect(checkHost(['Accept', '*/*'], v4)).toEqual({
      ok: false,
      status: 400,
      reason: 'missing Host header',
    });
  });

  it('rejects two Host headers even if both are allowed (Node keeps only the first)', () => {
    const r = checkHost(['Host', '127.0.0.1:7878', 'host', '127.0.0.1:7878'], v4);
    expect(r).toEqual({ ok: false, status: 400, reason: 'duplicate Host header' });
  });

  it('rejects a foreign Host with 403', () => {
    expect(checkHost(['Host', 'evil.example:7878'], v4)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('Origin', () => {
  const origins = allowedOrigins(allowedHosts('127.0.0.1', P));
  it.each([
    [undefined, true],
    ['http://127.0.0.1:7878', true],
    ['http://localhost:7878', true],
    ['null', false],
    ['http://evil.example', false],
    ['http://localhost:7879', false],
    ['https://127.0.0.1:7878', false],
    ['http://127.0.0.1:7878.evil.example', false],
    ['', false],
  ])('Origin %s -> %s', (origin, ok) => {
    expect(checkOrigin(origin, origins).ok).toBe(ok);
  });
});

describe('credentials', () => {
  const token = 'a'.repeat(43);
  const secrets = new Secrets(token);
  it('compares secrets of any length', () => {
    expect(secretEquals(token, token)).toBe(true);
    expect(secretEquals('b'.repeat(43), token)).toBe(false);
    expect(secretEquals('', token)).toBe(false);
  });
  it('parses bearer and cookie headers', () => {
    expect(bearerOf('Bearer abc')).toBe('abc');
    expect(bearerOf('bearer  abc ')).toBe('abc');
    expect(bearerOf('Basic abc')).toBeNull();
    expect(cookieOf('x=1; netns_explorer_session=s3; y=2', 'netns_explorer_session')).toBe('s3');
    expect(cookieOf('netns_explorer_sessionx=1', 'netns_explorer_session')).toBeNull();
  });
  it('the session cookie is HttpOnly, SameSite=Strict and does not contain the token', () => {
    const cookie = secrets.sessionCookie();
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toContain(token);
    expect(secrets.credentialOf({ cookie: cookie.split(';')[0] })).toEqual({ kind: 'cookie', valid: true });
  });
});

describe('failed-attempt limiter', () => {
  it('blocks after 3 failures with doubling backoff capped at 60 s, then accepts a valid token', () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter(undefined, () => now);
    const audits: string[] = [];
    const ctx = { secrets: new Secrets('t'.repeat(32)), limiter, audit: (l: string) => audits.push(l) };
    const peer = { address: '127.0.0.1', port: 4000 };
    const wrong = { authorization: `Bearer ${'x'.repeat(32)}` };
    const right = { authorization: `Bearer ${'t'.repeat(32)}` };
    for (let i = 0; i < 3; i++) expect(authorize(wrong, peer, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(audits).toHaveLength(3);
    expect(audits.join('\n')).not.toContain('x'.repeat(32));
    expect(authorize(right, peer, ctx)).toMatchObject({ ok: false, status: 429 });
    for (let i = 0; i < 20; i++) {
      now += limiter.retryAfterMs(attemptKey('bearer', peer.address));
      authorize(wrong, peer, ctx);
    }
    expect(limiter.retryAfterMs(attemptKey('bearer', peer.address))).toBe(60_000);
    now += 60_000;
    expect(authorize(right, peer, ctx)).toEqual({ ok: true, via: 'bearer' });
  });
});

describe('options', () => {
  it('defaults to 127.0.0.1:7878 with a generated 256-bit token', () => {
    const r = parseServeArgs([], {}, true);
    if (r.ok !== true) throw new Error('parse failed');
    expect(r.options).toMatchObject({
      host: '127.0.0.1',
      port: 7878,
      readOnly: false,
      tokenSource: 'generated',
    });
    expect(Buffer.from(r.options.token, 'base64url').length).toBeGreaterThanOrEqual(32);
  });
  it('refuses a non-loopback host without --allow-remote, warns with it', () => {
    expect(parseServeArgs(['--host', '0.0.0.0'], {}, true).ok).toBe(false);
    expect(parseServeArgs(['serve', '--host', '10.1.2.3'], {}, true).ok).toBe(false);
    const r = parseServeArgs(['--host', '0.0.0.0', '--allow-remote'], {}, true);
    expect(r.ok === true && r.warnings.length).toBe(1);
  });
  it.each(['localhost.', 'evil.example', '010.1.2.3', 'fe80::1%eth0'])('refuses --host %s', (h) => {
    expect(parseServeArgs(['--host', h], {}, true).ok).toBe(false);
  });
  it('is read-only without root, saying why', () => {
    const r = parseServeArgs(['--port=0'], {}, false);
    expect(r.ok === true && r.options.readOnly && r.options.readOnlyReason).toMatch(/not running as root/);
  });
  it('takes the token from NETNS_EXPLORER_TOKEN', () => {
    const r = parseServeArgs(['--read-only'], { NETNS_EXPLORER_TOKEN: 'x'.repeat(20) }, true);
    expect(r.ok === true && r.options).toMatchObject({
      token: 'x'.repeat(20),
      tokenSource: 'env',
      readOnly: true,
    });
  });
  it.each([['--port', '70000'], ['--port', '-1'], ['--bogus'], ['--port']])('rejects %s', (...a) => {
    expect(parseServeArgs(a, {}, true).ok).toBe(false);
  });
  it('logs every refresh only with --verbose', () => {
    const quiet = parseServeArgs([], {}, true);
    const verbose = parseServeArgs(['serve', '--verbose'], {}, true);
    expect(quiet.ok === true && quiet.options.verbose).toBe(false);
    expect(verbose.ok === true && verbose.options.verbose).toBe(true);
  });
  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.5.5.5', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'localhost'].some(isLoopback)).toBe(false);
  });
});
