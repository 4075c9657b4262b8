/**
 * The fuzz target: the real live server (real discovery, the inspect, actions, trace, capture and
 * history routers, a built page stand-in) on an ephemeral port, and raw clients that send exactly
 * what a generator made (missing or doubled Host, any method, any body) and report what came back.
 * No event sources: then any `ip` spawned while a request runs was spawned for that request.
 * Capture is on: `startCapture` starts the one capture the test allows (on an interface it made),
 * so frames can reach a real capture's live socket; no generated request can name an interface.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createDiscovery, namespacePath } from '../discovery/index.js';
import { onSpawn } from '../exec/run.js';
import { FailureLimiter, Secrets } from '../http/security.js';
import { openHistory } from '../history/open.js';
import { historyRouter } from '../history/router.js';
import { apiRouters, startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import type { ServeOptions } from '../serveOptions.js';
import type { FuzzRequest, WsFrame } from './arbitraries.js';

export const FUZZ_TOKEN = 'fuzz-token-0123456789abcdefghijklmnopq';

export interface FuzzTarget {
  srv: RunningServer;
  /** Every argv spawned since start (the caller compares lengths around a request). */
  spawned: string[][];
  http(r: FuzzRequest): Promise<{ status: number; head: string }>;
  /** One frame on `/api/live`, or on another WebSocket path (a capture's live socket). */
  ws(frame: WsFrame, path?: string): Promise<{ closeCode: number | null }>;
  /** Starts a capture on these interfaces (ids) and keeps one client on it; its live path. */
  startCapture(interfaces: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startFuzzTarget(log: (line: string) => void = () => {}): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'nx-fuzz-'));
  mkdirSync(join(dir, 'page', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'page', 'index.html'), '<!doctype html><title>netns-explorer</title>');
  writeFileSync(join(dir, 'page', 'assets', 'app.js'), 'console.log(1)');
  const auditLogPath = join(dir, 'audit.log');
  const spawned: string[][] = [];
  const stopSpy = onSpawn((argv) => spawned.push([...argv]));
  const options: ServeOptions = {
    host: '127.0.0.1',
    port: 0,
    allowRemote: false,
    readOnly: false,
    readOnlyReason: null,
    allowHostChanges: false,
    allowProbe: false,
    capture: true,
    token: FUZZ_TOKEN,
    tokenSource: 'env',
    auditLogPath,
    staticDir: join(dir, 'page'),
    verbose: false,
    confirmWindowMs: 20_000,
    hostNetnsPath: null,
  };
  const history = openHistory({ dir: join(dir, 'history'), maxBytes: 64 * 1024 * 1024 }, log);
  const srv = await startServer(options, {
    discovery: createDiscovery(),
    namespacePath,
    routers: (model, live, beforeClose) => [
      historyRouter({ query: history?.query ?? null }),
      ...apiRouters(options, model, live, beforeClose),
    ],
    history: history?.recorder ?? null,
    watch: false,
    resyncMs: 3_600_000,
    // The limiter has its own tests; here it must not hide the routes behind 429s.
    limiter: new FailureLimiter({ freeFailures: 1e9, windowMs: 1, baseBackoffMs: 1, maxBackoffMs: 1 }),
    log,
  });
  const cookie = new Secrets(FUZZ_TOKEN).sessionCookie().split(';')[0]!;
  const host = `127.0.0.1:${srv.port}`;

  const http = (r: FuzzRequest) =>
    new Promise<{ status: number; head: string }>((resolve, reject) => {
      const lines = [`${r.method} ${r.path} HTTP/1.1`];
      const hostValue = r.host === 'evil' ? `evil.example:${srv.port}` : host;
      if (r.host !== 'missing') lines.push(`Host: ${hostValue}`);
      if (r.host === 'twice') lines.push(`Host: ${hostValue}`);
      if (r.credential === 'bearer') lines.push(`Authorization: Bearer ${FUZZ_TOKEN}`);
      if (r.credential === 'wrongBearer')
        lines.push(`Authorization: Bearer ${'w'.repeat(FUZZ_TOKEN.length)}`);
      if (r.credential === 'cookie') lines.push(`Cookie: ${cookie}`);
      if (r.credential === 'wrongCookie') lines.push('Cookie: netns_explorer_session=wrong');
      if (r.origin !== 'none')
        lines.push(
          `Origin: ${r.origin === 'own' ? srv.origin : r.origin === 'evil' ? 'http://evil.example' : 'null'}`,
        );
      if (r.contentType !== null) lines.push(`Content-Type: ${r.contentType}`);
      for (const [k, v] of r.extraHeaders) lines.push(`${k}: ${v}`);
      const body = r.body === null ? null : Buffer.from(r.body, 'utf8');
      if (body) lines.push(`Content-Length: ${body.length}`);
      lines.push('Connection: close');
      const s = connect(srv.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      s.on('connect', () => {
        s.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (body) s.write(body);
      });
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('error', (e) => (chunks.length > 0 ? undefined : reject(e)));
      // A peer that never answers is a finding: the deadline turns it into a failed property.
      s.setTimeout(30_000, () => s.destroy(new Error(`no answer to ${r.method} ${r.path}`)));
      s.on('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
        if (!m)
          reject(new Error(`no HTTP status for ${r.method} ${r.path}: ${JSON.stringify(text.slice(0, 80))}`));
        else resolve({ status: Number(m[1]), head: text.slice(0, 400) });
      });
    });

  const sockets = new Map<string, WebSocket>();
  const openSocket = (path: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const w = new WebSocket(`ws://${host}${path}`, {
        headers: { Authorization: `Bearer ${FUZZ_TOKEN}` },
      });
      w.once('open', () => {
        w.off('error', reject);
        // Errors after open end in 'close', which the frame in flight reports.
        w.on('error', () => {});
        resolve(w);
      });
      w.once('error', reject);
    });
  /** Sends one frame, then a ping: the pong (or a close) proves the frame was handled. */
  const ws = async (frame: WsFrame, path = '/api/live'): Promise<{ closeCode: number | null }> => {
    let w = sockets.get(path);
    if (!w || w.readyState !== WebSocket.OPEN) {
      w = await openSocket(path);
      sockets.set(path, w);
    }
    const socket = w;
    return new Promise((resolve) => {
      const done = (v: { closeCode: number | null }) => {
        socket.off('pong', onPong);
        socket.off('close', onClose);
        resolve(v);
      };
      const onPong = () => done({ closeCode: null });
      const onClose = (code: number) => done({ closeCode: code });
      socket.on('pong', onPong);
      socket.on('close', onClose);
      socket.send(frame.binary ? frame.data : frame.text, { binary: frame.binary }, (e) => {
        if (e) return done({ closeCode: socket.readyState === WebSocket.OPEN ? null : 1006 });
        if (socket.readyState === WebSocket.OPEN) socket.ping();
      });
    });
  };

  // A capture ends when its last live client goes: this one stays for the whole run, so a frame
  // that closes the fuzzing socket does not end the capture under the next frame.
  const holders: WebSocket[] = [];
  const startCapture = async (interfaces: string[]): Promise<string> => {
    const res = await fetch(`http://${host}/api/captures`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${FUZZ_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ interfaces, filter: null, maxSeconds: 3600 }),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) throw new Error(`capture not started: ${JSON.stringify(body)}`);
    const path = `/api/captures/${body.id}/live`;
    holders.push(await openSocket(path));
    return path;
  };

  return {
    srv,
    spawned,
    http,
    ws,
    startCapture,
    async close() {
      for (const w of [...sockets.values(), ...holders]) w.terminate();
      stopSpy();
      await srv.close();
      history?.recorder.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
