/**
 * The real server on an ephemeral port with a fake discovery (so nothing in the background
 * spawns): every refused request is refused with the right status and starts no `ip`; a test
 * router that does spawn `ip` proves the check runs before the routers.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IP, onSpawn, run } from '../exec/run.js';
import { FailureLimiter, Secrets } from './security.js';
import type { ServeOptions } from '../serveOptions.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { fakeDiscovery, LiveClient, rawStatus, testServeOptions, tryUpgrade } from '../testing/liveServer.js';
import { pollUntil } from '../../test/kernel.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnop';
const cookie = new Secrets(TOKEN).sessionCookie().split(';')[0]!;
const spawned: string[][] = [];
let stopSpy: () => void;
let srv: RunningServer;
let base: string;
let host: string;
let staticDir: string;

function options(over: Partial<ServeOptions> = {}): ServeOptions {
  return testServeOptions(TOKEN, { staticDir, ...over });
}

/** A router that spawns `ip -V` on GET and POST: any spawn means auth was bypassed. */
function spawningRouter(): express.Router {
  const r = express.Router();
  const handler = async (_req: express.Request, res: express.Response) => {
    await run(IP, ['-V']);
    res.json({ ran: true });
  };
  r.get('/spawn', handler);
  r.post('/spawn', handler);
  return r;
}

async function start(over: Partial<ServeOptions> = {}, limiter?: FailureLimiter): Promise<RunningServer> {
  return startServer(options(over), {
    discovery: fakeDiscovery(),
    namespacePath: () => '/proc/self/ns/net',
    routers: () => [spawningRouter()],
    watch: false,
    limiter:
      limiter ?? new FailureLimiter({ freeFailures: 1e9, windowMs: 1, baseBackoffMs: 1, maxBackoffMs: 1 }),
  });
}

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'nx-live-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>netns-explorer</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  stopSpy = onSpawn((argv) => spawned.push([...argv]));
  srv = await start();
  base = srv.origin;
  host = `127.0.0.1:${srv.port}`;
});

afterAll(async () => {
  stopSpy();
  await srv?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const bearer = { Authorization: `Bearer ${TOKEN}` };

describe('HTTP', () => {
  const cases: Array<[string, string, Record<string, string>, number]> = [
    ['no credential', 'GET', {}, 401],
    ['wrong token, same length', 'GET', { Authorization: `Bearer ${'x'.repeat(TOKEN.length)}` }, 401],
    ['wrong cookie', 'GET', { Cookie: 'netns_explorer_session=nope' }, 401],
    ['bad Host', 'GET', { ...bearer, Host: 'evil.example' }, 403],
    ['rebinding Host', 'GET', { ...bearer, Host: '127.0.0.1.evil.example' }, 403],
    ['octal Host', 'GET', { ...bearer, Host: '0177.0.0.1' }, 403],
    [
      'mutation, foreign Origin',
      'POST',
      { Cookie: cookie, Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      403,
    ],
    [
      'mutation, Origin null',
      'POST',
      { Cookie: cookie, Origin: 'null', 'Content-Type': 'application/json' },
      403,
    ],
    ['mutation, cookie without Origin', 'POST', { Cookie: cookie, 'Content-Type': 'application/json' }, 403],
    ['mutation, text/plain', 'POST', { ...bearer, 'Content-Type': 'text/plain' }, 415],
    ['mutation, form', 'POST', { ...bearer, 'Content-Type': 'application/x-www-form-urlencoded' }, 415],
  ];
  it.each(cases)('%s (%s %j) -> %d, no ip spawned', async (_name, method, headers, status) => {
    const before = spawned.length;
    const portHost = headers.Host ? `${headers.Host}:${srv.port}` : host;
    const res = await fetchRaw(`/api/spawn`, method, { ...headers, Host: portHost });
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(spawned.length).toBe(before);
  });

  it('the spawning route does spawn when the request is good (positive control)', async () => {
    const before = spawned.length;
    const get = await fetch(`${base}/api/spawn`, { headers: bearer });
    expect(get.status).toBe(200);
    const post = await fetch(`${base}/api/spawn`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: base, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(200);
    expect(spawned.length).toBe(before + 2);
  });

  it.each([
    ['missing Host', `GET /api/health HTTP/1.1`, 400],
    ['two Host headers', `GET /api/health HTTP/1.1\r\nHost: HOST\r\nHost: HOST`, 400],
    ['decimal Host', `GET /api/health HTTP/1.1\r\nHost: 2130706433:PORT`, 403],
    ['localhost. Host', `GET /assets/app.js HTTP/1.1\r\nHost: localhost.:PORT`, 403],
  ])('%s -> %i (static and health included)', async (_n, head, status) => {
    const text = head.replaceAll('HOST', host).replaceAll('PORT', String(srv.port));
    expect(await rawStatus(srv.port, text)).toBe(status);
  });

  it('sends the security headers on every response and no CORS headers, even on OPTIONS', async () => {
    for (const [path, init] of [
      ['/api/health', {}],
      ['/api/topology', { headers: bearer }],
      ['/api/topology', { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } }],
      ['/assets/app.js', {}],
    ] as const) {
      const res = await fetch(`${base}${path}`, init);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      const cors: string[] = [];
      res.headers.forEach((_v, k) => {
        if (k.startsWith('access-control-')) cors.push(k);
      });
      expect(cors).toEqual([]);
    }
  });

  it('bootstraps the cookie from /?token= and redirects without the token', async () => {
    const res = await fetch(`${base}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toContain(TOKEN);
    const page = await fetch(`${base}/`, { headers: { Cookie: set.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>netns-explorer</title>');
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${base}/some/client/route`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(200);
  });

  it('serves health without auth and the topology with seq and epoch', async () => {
    const health = await fetch(`${base}/api/health`);
    expect(await health.json()).toEqual({ ok: true, protocol: 1 });
    const topo = (await (await fetch(`${base}/api/topology`, { headers: bearer })).json()) as Record<
      string,
      unknown
    >;
    expect(topo).toMatchObject({ version: 1, namespaces: [], seq: 0, readOnly: false });
    expect(typeof topo.epoch).toBe('string');
  });

  it('limits JSON bodies to 16 KiB', async () => {
    const res = await fetch(`${base}/api/spawn`, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify({ x: 'y'.repeat(20_000) }),
    });
    expect(res.status).toBe(413);
  });
});

describe('WebSocket upgrade', () => {
  const live = () => `ws://${host}/api/live`;
  it.each<[string, Record<string, string>, number]>([
    ['no credential', { Origin: 'ORIGIN' }, 401],
    ['wrong token', { Authorization: 'Bearer wrong-token-wrong-token' }, 401],
    ['foreign Origin', { Cookie: cookie, Origin: 'http://evil.example' }, 403],
    ['Origin null', { Cookie: cookie, Origin: 'null' }, 403],
    ['other port', { Cookie: cookie, Origin: 'http://localhost:1' }, 403],
    ['wrong scheme', { Cookie: cookie, Origin: 'https://HOST' }, 403],
    ['cookie without Origin', { Cookie: cookie }, 403],
    ['bad Host with a good Origin', { Cookie: cookie, Origin: 'ORIGIN', Host: 'evil.example:1' }, 403],
  ])('%s %j -> %d, no ip spawned', async (_n, h, status) => {
    const before = spawned.length;
    const headers = Object.fromEntries(
      Object.entries(h).map(([k, v]) => [k, v.replace('ORIGIN', base).replace('HOST', host)]),
    );
    const r = await tryUpgrade(live(), headers);
    expect(r).toEqual({ opened: false, status });
    expect(spawned.length).toBe(before);
  });

  it('accepts the page (cookie + own Origin) and a script (bearer, no Origin); snapshot first', async () => {
    const page = await LiveClient.open(live(), { Cookie: cookie, Origin: base });
    const script = await LiveClient.open(live(), bearer);
    await pollUntil(() => page.snapshots === 1 && script.snapshots === 1, 'snapshots');
    expect(page.messages[0]).toMatchObject({ type: 'snapshot', protocol: 1, seq: 0, readOnly: false });
    await page.close();
    await script.close();
  });

  it('closes a connection that sends a frame over 64 KiB with 1009', async () => {
    const c = await LiveClient.open(live(), bearer);
    c.ws.send('x'.repeat(65 * 1024));
    await pollUntil(() => c.closeCode !== null, 'close');
    expect(c.closeCode).toBe(1009);
  });

  it('refuses the 33rd concurrent connection', async () => {
    await pollUntil(() => srv.hub.size === 0, 'earlier clients gone');
    const clients = await Promise.all(Array.from({ length: 32 }, () => LiveClient.open(live(), bearer)));
    expect(await tryUpgrade(live(), bearer)).toEqual({ opened: false, status: 503 });
    await Promise.all(clients.map((c) => c.close()));
    await pollUntil(() => srv.hub.size === 0, 'clients gone');
    const again = await tryUpgrade(live(), bearer);
    expect(again.opened).toBe(true);
    if (again.opened) again.ws.terminate();
  });
});

describe('modes', () => {
  it('read-only: mutations get 403 before any router, the snapshot says readOnly', async () => {
    const ro = await start({ readOnly: true, readOnlyReason: '--read-only was given' });
    try {
      const before = spawned.length;
      const res = await fetch(`${ro.origin}/api/spawn`, {
        method: 'POST',
        headers: { ...bearer, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'read_only' } });
      expect(spawned.length).toBe(before);
      const c = await LiveClient.open(`ws://127.0.0.1:${ro.port}/api/live`, bearer);
      await pollUntil(() => c.readOnly !== null, 'snapshot');
      expect(c.readOnly).toBe(true);
      await c.close();
    } finally {
      await ro.close();
    }
  });

  it('rate-limits failed token attempts with 429, and accepts the token once the backoff passed', async () => {
    const limited = await start(
      {},
      new FailureLimiter({ freeFailures: 3, windowMs: 60_000, baseBackoffMs: 200, maxBackoffMs: 200 }),
    );
    try {
      const url = `${limited.origin}/api/topology`;
      const wrong = { Authorization: `Bearer ${'w'.repeat(TOKEN.length)}` };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(url, { headers: wrong })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const blocked = await fetch(url, { headers: bearer });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      await pollUntil(
        async () => (await fetch(url, { headers: bearer })).status === 200,
        'token accepted again',
      );
    } finally {
      await limited.close();
    }
  });
});

/** fetch() cannot set Host; this goes through node:http so the test controls every header. */
async function fetchRaw(path: string, method: string, headers: Record<string, string>) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: srv.port, path, method, headers, setHost: false },
      (res) => {
        res.resume();
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h });
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}
