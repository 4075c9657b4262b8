/**
 * A netns-explorer server started the way a user starts it (CLI, token in the environment), and a
 * WebSocket client on /api/live that timestamps every message on arrival.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { DeltaMessage, ServerMessage } from '../common/protocol.js';
import { treeCpuSeconds } from './procfs.js';
import { CLI, CLI_NODE_FLAGS } from './snapshot.js';
import { round } from './stats.js';

export interface ServerHandle {
  child: ChildProcess;
  pid: number;
  origin: string;
  token: string;
  /** The URL that sets the session cookie (the printed one names the token, not prints it). */
  openUrl: string;
  stderrTail: () => string;
  stop(): Promise<void>;
}

export async function startServer(timeoutMs = 120_000): Promise<ServerHandle> {
  const token = randomBytes(24).toString('hex');
  // History on (its recording cost is part of what is measured), in a directory of its own.
  const historyDir = mkdtempSync(join(tmpdir(), 'nx-bench-history-'));
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, CLI, '--port', '0', '--history', historyDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NETNS_EXPLORER_TOKEN: token },
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      rmSync(historyDir, { recursive: true, force: true });
      r();
    }),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`server printed no URL within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before printing its URL: ${stderr.slice(-1000)}`));
    });
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  if (child.pid === undefined) throw new Error('server did not start');
  return {
    child,
    pid: child.pid,
    origin: new URL(url).origin,
    token,
    openUrl: `${new URL(url).origin}/?token=${encodeURIComponent(token)}`,
    stderrTail: () => stderr,
    stop,
  };
}

export interface Received {
  t: number;
  bytes: number;
  msg: ServerMessage;
}

type Waiter = { pred: (r: Received) => boolean; resolve: (r: Received | null) => void };

export class LiveClient {
  readonly received: Received[] = [];
  private waiters: Waiter[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const t = performance.now();
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const r: Received = { t, bytes: buf.length, msg: JSON.parse(buf.toString('utf8')) as ServerMessage };
      this.received.push(r);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(r)) return true;
        w.resolve(r);
        return false;
      });
    });
  }

  static async connect(server: ServerHandle): Promise<LiveClient> {
    const ws = new WebSocket(`${server.origin.replace(/^http/, 'ws')}/api/live`, {
      headers: { Authorization: `Bearer ${server.token}` },
      origin: server.origin,
      maxPayload: 256 * 1024 * 1024,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)),
      );
    });
    return new LiveClient(ws);
  }

  /** The first message after `from` (an index into received) that satisfies pred, or null on timeout. */
  waitFor(pred: (r: Received) => boolean, from: number, timeoutMs: number): Promise<Received | null> {
    const seen = this.received.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const w: Waiter = {
        pred,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(null);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Resolves once no message arrived for quietMs (or after maxMs); returns whether it got quiet. */
  async quiet(quietMs: number, maxMs: number): Promise<boolean> {
    const end = performance.now() + maxMs;
    for (;;) {
      const last = this.received[this.received.length - 1]?.t ?? 0;
      const now = performance.now();
      if (now - last >= quietMs) return true;
      if (now > end) return false;
      await new Promise((r) => setTimeout(r, Math.max(5, quietMs - (now - last))));
    }
  }

  deltasSince(from: number): Array<Received & { msg: DeltaMessage }> {
    return this.received
      .slice(from)
      .filter((r): r is Received & { msg: DeltaMessage } => r.msg.type === 'delta');
  }

  close(): void {
    this.ws.close();
  }
}

/** CPU of the server and its children while nothing is asked of it, and the messages it sent meanwhile. */
export async function idleFigure(
  pid: number,
  client: LiveClient,
  seconds: number,
): Promise<{ seconds: number; cpuSeconds: number; percentOfOneCore: number; messages: number }> {
  const from = client.received.length;
  const c0 = await treeCpuSeconds(pid);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = (await treeCpuSeconds(pid)) - c0;
  const wall = (performance.now() - w0) / 1000;
  return {
    seconds: round(wall),
    cpuSeconds: round(cpu),
    percentOfOneCore: round((100 * cpu) / wall),
    messages: client.received.length - from,
  };
}
