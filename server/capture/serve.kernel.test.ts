/**
 * Capture through the real server (real discovery): the token is needed like everywhere else,
 * the WebSocket upgrade checks apply to the capture stream, the audit journal records start and
 * end, `--no-capture` starts nothing, and no tcpdump outlives the server: neither a clean
 * shutdown nor a SIGKILL of the process that started it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureServerMessage } from '../../common/capture.js';
import { onSpawn } from '../exec/run.js';
import { createDiscovery, namespacePath } from '../discovery/index.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { testServeOptions, tryUpgrade } from '../testing/liveServer.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import { ifIdOf, makePair, tcpdumpsOf, topologyOf } from './testing/captureTestKit.js';
import type { Pair } from './testing/captureTestKit.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TOKEN = 'capture-kernel-test-token-0123456789';
const bearer = { Authorization: `Bearer ${TOKEN}` };
const prefix = uniquePrefix('cs');
const dir = mkdtempSync(join(tmpdir(), 'capture-serve-'));
const auditLogPath = join(dir, 'audit.log');
let pair: Pair;
let srv: RunningServer;

async function serve(capture: boolean): Promise<RunningServer> {
  return startServer(testServeOptions(TOKEN, { auditLogPath, capture }), {
    discovery: createDiscovery(),
    namespacePath,
    watch: false,
  });
}

function api(path: string, init: RequestInit = {}, auth = true): Promise<Response> {
  return fetch(`${srv.origin}/api${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...(auth ? bearer : {}), ...(init.headers ?? {}) },
  });
}

beforeAll(async () => {
  pair = await makePair(prefix, 'p', 81);
  srv = await serve(true);
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await cleanupPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
  expect(await tcpdumpsOf(prefix)).toEqual([]);
}, 120_000);

describe('capture through the server (real kernel)', () => {
  it('needs the token, streams to a checked WebSocket, and is audited', async () => {
    const t = await topologyOf([pair.a]);
    const x = ifIdOf(t, pair.a, pair.x);
    const body = JSON.stringify({ interfaces: [x], filter: 'icmp' });
    expect((await api('/captures', { method: 'POST', body }, false)).status).toBe(401);
    const r = await api('/captures', { method: 'POST', body });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    const wsUrl = `${srv.origin.replace('http', 'ws')}/api/captures/${id}/live`;
    expect(await tryUpgrade(wsUrl, {})).toEqual({ opened: false, status: 401 });
    expect(await tryUpgrade(wsUrl, { ...bearer, Origin: 'http://evil.example' })).toEqual({
      opened: false,
      status: 403,
    });
    const ok = await tryUpgrade(wsUrl, bearer);
    if (!ok.opened) throw new Error(`upgrade refused: ${ok.status}`);
    const messages: CaptureServerMessage[] = [];
    ok.ws.on('message', (d) => messages.push(JSON.parse(String(d)) as CaptureServerMessage));
    await sh(`nsenter --net=/run/netns/${pair.a} /bin/busybox ping -c 2 -i 0.2 ${pair.ipB}`);
    await pollUntil(
      () => messages.flatMap((m) => (m.type === 'packets' ? m.packets : [])).length >= 4,
      'four ICMP summaries',
    );
    // Closing the page's socket ends the capture.
    ok.ws.close();
    await pollUntil(async () => {
      const list = (await (await api('/captures')).json()) as {
        captures: Array<{ id: string; running: boolean }>;
      };
      return list.captures.find((c) => c.id === id)?.running === false;
    }, 'the capture to end with its page');
    const lines = readFileSync(auditLogPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { op: string; action: string; params: Record<string, unknown> });
    const ours = lines.filter((l) => l.op === id);
    expect(ours.map((l) => l.action)).toEqual(['capture.start', 'capture.end']);
    expect(ours[1]!.params).toMatchObject({
      who: expect.stringMatching(/^bearer 127\.0\.0\.1:\d+$/),
      interfaces: [`${pair.a}/${pair.x}`],
      filter: 'icmp',
      endReason: 'the page closed',
      packets: 4,
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      bytes: 4 * 98,
    });
    expect(readFileSync(auditLogPath, 'utf8')).not.toContain(TOKEN);
    expect(await tcpdumpsOf(prefix)).toEqual([]);
  }, 60_000);

  it('closing the server stops every capture', async () => {
    const x = ifIdOf(await topologyOf([pair.a]), pair.a, pair.x);
    const r = await api('/captures', {
      method: 'POST',
      body: JSON.stringify({ interfaces: [x], filter: null }),
    });
    expect(r.status).toBe(201);
    expect(await tcpdumpsOf(prefix)).toHaveLength(1);
    await srv.close();
    expect(await tcpdumpsOf(prefix)).toEqual([]);
    srv = await serve(true);
  }, 60_000);

  it('with --no-capture every capture route is 403 and nothing is started', async () => {
    await srv.close();
    srv = await serve(false);
    const started: string[] = [];
    const off = onSpawn((argv) => started.push(argv.join(' ')));
    try {
      const x = ifIdOf(await topologyOf([pair.a]), pair.a, pair.x);
      const r = await api('/captures', {
        method: 'POST',
        body: JSON.stringify({ interfaces: [x], filter: null }),
      });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('capture_disabled');
      expect((await api('/captures')).status).toBe(403);
      expect(started.filter((a) => a.includes('tcpdump'))).toEqual([]);
    } finally {
      off();
    }
  }, 60_000);

  it('no tcpdump outlives a SIGKILLed server process', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(HERE, 'testing', 'crashChild.ts'), `/run/netns/${pair.a}`, pair.x],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const pid = Number(
      (await pollUntil(() => /listening (\d+)/.exec(out), 'the child to capture', 20_000))?.[1],
    );
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await pollUntil(() => !existsSync(`/proc/${pid}`), 'tcpdump to die with its parent');
    expect(await tcpdumpsOf(prefix)).toEqual([]);
  }, 60_000);
});
