/**
 * SIGTERM or SIGINT while host changes wait for their "keep": nobody is left to confirm them, so
 * the server rolls every one back (bound to the page's live connection or to a script's token)
 * before it exits. The real command, a namespace standing in for the host (--host-netns), and a
 * window far longer than the test: only the shutdown can have undone the changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { nsId } from '../../common/ids.js';
import type { Topology } from '../../common/model.js';
import { cleanupPrefix, pollUntil, uniquePrefix } from '../../test/kernel.js';
import { killStarted, startServer, stopWith } from '../testing/cliProcess.js';
import { buildStandIn, standInNames } from './testing/standIn.js';
import { kernelState } from './testing/kit.js';

vi.setConfig({ testTimeout: 300_000 });

const P = uniquePrefix('cs');
const { host: HOST, other: OTHER, dev: DEV } = standInNames(P);
const TOKEN = randomBytes(24).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'nx-cp-shutdown-'));
const sockets: WebSocket[] = [];

const state = () => kernelState([HOST, OTHER], P);

beforeAll(async () => {
  await buildStandIn(P);
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  killStarted();
  await cleanupPrefix(P);
  rmSync(dir, { recursive: true, force: true });
});

function startCli(audit: string) {
  return startServer(
    [
      'serve',
      '--port',
      '0',
      '--no-history',
      '--no-capture',
      '--audit-log',
      audit,
      '--host-netns',
      `/run/netns/${HOST}`,
      '--confirm-window',
      '600',
    ],
    TOKEN,
  );
}

async function call(base: string, method: string, path: string, body: unknown, headers = {}) {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A live connection as the page has one: its id comes in the socket's first message. */
async function liveConnection(base: string): Promise<string> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/live`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as { type?: string; id?: string };
      if (m.type === 'connection' && typeof m.id === 'string') resolve(m.id);
    });
    ws.once('error', reject);
  });
}

describe('pending host changes at shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: every pending change is rolled back before the process exits`, async () => {
      const before = await state();
      const audit = join(dir, `${signal}.log`);
      const { child, base, stderr } = await startCli(audit);
      const hostId = nsId(statSync(`/run/netns/${HOST}`).ino);
      const topo = await pollUntil(async () => {
        const t = (await call(base, 'GET', '/topology', undefined)).body as unknown as Topology;
        return t.interfaces.some((i) => i.namespace === hostId && i.name === DEV) ? t : null;
      }, 'the stand-in host in the model');
      const devId = topo!.interfaces.find((i) => i.namespace === hostId && i.name === DEV)!.id;

      // One change bound to a page's live connection, one to a script's token.
      const conn = await liveConnection(base);
      const a = await call(
        base,
        'POST',
        `/interfaces/${devId}/addresses`,
        { cidr: '10.98.1.1/24' },
        { 'X-Live-Connection': conn },
      );
      expect(a.status, JSON.stringify(a.body)).toBe(201);
      const r = await call(base, 'POST', '/routes', { namespace: hostId, dst: '10.98.5.0/24', dev: DEV });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.checkpoint).toMatchObject({ windowMs: 600_000 });
      expect(await state()).not.toBe(before);

      expect(await stopWith(child, signal), stderr.join('\n').slice(-3000)).toBe(0);
      // Undone by the time the process is gone: nothing to wait for.
      expect(await state()).toBe(before);
      const lines = readFileSync(audit, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { action: string; ok: boolean; params: unknown });
      const rollbacks = lines.filter((l) => l.action.endsWith('.rollback'));
      expect(rollbacks.map((l) => l.action).sort()).toEqual(['address.add.rollback', 'route.add.rollback']);
      for (const l of rollbacks)
        expect(l).toMatchObject({ ok: true, params: { reason: 'server shutting down' } });
    });
  }
});
