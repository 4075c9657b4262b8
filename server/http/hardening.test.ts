/**
 * Regression tests for issue 19's findings 3-6 against the real server (fake discovery, so only
 * the test router could spawn): the token limiter counted per kind and per source, `/?token=`
 * only for a top-level navigation, static errors that name no path, a CSP that limits scripts,
 * and a start-up line that prints the token only to a terminal.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTopLevelNavigation } from './auth.js';
import { parseServeArgs } from '../serveOptions.js';
import { FailureLimiter } from './security.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { startupLine, writeTokenFile } from '../startupLine.js';
import { fakeDiscovery, testServeOptions } from '../testing/liveServer.js';

const TOKEN = 'hardening-token-0123456789abcdefghijkl';
let srv: RunningServer;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'nx-harden-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>netns-explorer</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  srv = await startServer(testServeOptions(TOKEN, { staticDir }), {
    discovery: fakeDiscovery(),
    namespacePath: () => '/proc/self/ns/net',
    watch: false,
    limiter: new FailureLimiter({
      freeFailures: 3,
      windowMs: 60_000,
      baseBackoffMs: 60_000,
      maxBackoffMs: 60_000,
    }),
  });
});

afterAll(async () => {
  await srv?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET from a chosen loopback source address (127.0.0.x), with the Host the server answers to. */
function get(path: string, headers: Record<string, string>, from = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: srv.port,
        localAddress: from,
        path,
        headers: { Host: `127.0.0.1:${srv.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const bearer = { Authorization: `Bearer ${TOKEN}` };
const wrongBearer = { Authorization: `Bearer ${'w'.repeat(TOKEN.length)}` };
const imgLoad = { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Dest': 'image', 'Sec-Fetch-Mode': 'no-cors' };

describe('token limiter, per kind and per source (finding 3)', () => {
  it('a page embedding /?token=x as <img> is refused without counting; the bearer token still works', async () => {
    for (let i = 0; i < 8; i++) {
      const r = await get('/?token=x', imgLoad, '127.0.0.3');
      expect(r.status).toBe(403);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    // The right token from an <img> is refused too: it never sets the cookie.
    const right = await get(`/?token=${TOKEN}`, imgLoad, '127.0.0.3');
    expect(right.status).toBe(403);
    expect(right.headers['set-cookie']).toBeUndefined();
    expect((await get('/api/topology', bearer, '127.0.0.3')).status).toBe(200);
  });

  it('failed URL tokens block URL tokens only; failed bearer tokens block that address only', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get('/?token=x', {}, '127.0.0.4')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await get('/api/topology', bearer, '127.0.0.4')).status).toBe(200);

    for (let i = 0; i < 4; i++) await get('/api/topology', wrongBearer, '127.0.0.5');
    expect((await get('/api/topology', bearer, '127.0.0.5')).status).toBe(429);
    expect((await get('/api/topology', bearer, '127.0.0.6')).status).toBe(200);
  });

  it('honours /?token= for a typed URL or a same-origin navigation, not for other sites or frames', () => {
    const nav = { 'sec-fetch-dest': 'document' };
    expect(isTopLevelNavigation({})).toBe(true);
    expect(isTopLevelNavigation({ ...nav, 'sec-fetch-site': 'none' })).toBe(true);
    expect(isTopLevelNavigation({ ...nav, 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(isTopLevelNavigation({ ...nav, 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(isTopLevelNavigation({ ...nav, 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(isTopLevelNavigation({ 'sec-fetch-site': 'none', 'sec-fetch-dest': 'iframe' })).toBe(false);
    expect(isTopLevelNavigation({ 'sec-fetch-dest': 'empty' })).toBe(false);
  });

  it('a typed URL with the right token sets the cookie', async () => {
    const r = await get(
      `/?token=${TOKEN}`,
      { 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate' },
      '127.0.0.7',
    );
    expect(r.status).toBe(302);
    expect(String(r.headers['set-cookie'])).toMatch(/HttpOnly/);
  });

  it('forgets old sources beyond its bound instead of growing', () => {
    const limiter = new FailureLimiter(undefined, Date.now, 10);
    for (let i = 0; i < 1000; i++) for (let j = 0; j < 4; j++) limiter.recordFailure(`k${i}`);
    expect(limiter.retryAfterMs('k999')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('k0')).toBe(0);
  });
});

describe('static errors and paths (finding 4)', () => {
  it.each(['/assets/x.js.map', '/assets/nope/deeper.css', '/assets/%2e%2e/index.html'])(
    'GET %s: 4xx with a fixed message naming no path',
    async (path) => {
      const r = await get(path, {});
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body).not.toContain(staticDir);
      expect(r.body).not.toMatch(/ENOENT|stat |\/tmp\//);
    },
  );

  it.each([
    '/assets/../../../../etc/passwd',
    '/assets/..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
  ])('traversal %s never serves a file outside the build', async (path) => {
    for (const headers of [{}, bearer]) {
      const r = await get(path, headers);
      expect(r.body).not.toContain('root:');
    }
  });
});

describe('Content-Security-Policy (finding 5)', () => {
  it('limits scripts, styles, workers and connections to the server itself', async () => {
    for (const path of ['/api/health', '/assets/app.js', '/']) {
      const csp = String((await get(path, path === '/' ? bearer : {})).headers['content-security-policy']);
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name!, values.join(' ')] as const;
        }),
      );
      expect(directives.get('default-src')).toBe("'self'");
      expect(directives.get('script-src')).toBe("'self'");
      expect(directives.get('style-src')).toBe("'self'");
      expect(directives.get('frame-ancestors')).toBe("'none'");
      expect(csp).not.toContain('unsafe');
    }
  });
});

describe('start-up line (finding 6)', () => {
  const base = { origin: 'http://127.0.0.1:7878', token: TOKEN };
  it('prints the token only to a terminal', () => {
    expect(startupLine({ ...base, stdoutIsTerminal: true, tokenSource: 'generated', tokenFile: null })).toBe(
      `netns-explorer: open http://127.0.0.1:7878/?token=${TOKEN}\n`,
    );
    for (const tokenSource of ['env', 'generated'] as const) {
      const line = startupLine({
        ...base,
        stdoutIsTerminal: false,
        tokenSource,
        tokenFile: '/run/x/7878.token',
      });
      expect(line).not.toContain(TOKEN);
      expect(line).toMatch(tokenSource === 'env' ? /NETNS_EXPLORER_TOKEN/ : /\/run\/x\/7878\.token/);
    }
  });

  it('writes the token file readable by its owner only, in a folder only its owner can enter', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nx-token-')), 'run');
    try {
      const path = writeTokenFile(TOKEN, 7878, dir);
      expect(readFileSync(path, 'utf8')).toBe(`${TOKEN}\n`);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      // A stale file from an earlier server on that port is replaced.
      expect(readFileSync(writeTokenFile('other-token-xxxxxxxx', 7878, dir), 'utf8')).toBe(
        'other-token-xxxxxxxx\n',
      );
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});

describe('checkpoint options', () => {
  it('takes the confirmation window in seconds (default 20, 0 = off) and a stand-in host namespace', () => {
    const def = parseServeArgs([], {}, true);
    expect(def.ok === true && def.options).toMatchObject({ confirmWindowMs: 20_000, hostNetnsPath: null });
    const set = parseServeArgs(['--confirm-window', '5', '--host-netns', '/run/netns/x'], {}, true);
    expect(set.ok === true && set.options).toMatchObject({
      confirmWindowMs: 5000,
      hostNetnsPath: '/run/netns/x',
    });
    const env = parseServeArgs(['--confirm-window=0'], { NETNS_EXPLORER_HOST_NETNS: '/run/netns/y' }, true);
    expect(env.ok === true && env.options).toMatchObject({
      confirmWindowMs: 0,
      hostNetnsPath: '/run/netns/y',
    });
    for (const bad of [
      ['--confirm-window', '601'],
      ['--confirm-window', '-1'],
      ['--confirm-window', '1.5'],
      ['--host-netns', 'x'],
    ])
      expect(parseServeArgs(bad, {}, true).ok).toBe(false);
  });
});
