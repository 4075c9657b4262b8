/**
 * Helpers for the live server's tests: raw HTTP requests (to send missing or duplicate Host
 * headers), WebSocket clients that rebuild the topology from snapshot + deltas, and a fake
 * discovery. Not imported by production code.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { applyDelta } from '../../common/delta.js';
import { emptyTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import type { ServerMessage } from '../../common/protocol.js';
import type { ServeOptions } from '../serveOptions.js';
import type { LiveDiscovery, LiveDiscoveryResult } from '../refresh/schedulerTypes.js';

/** Options of a test server: loopback, ephemeral port, no audit file; `over` changes any of them. */
export function testServeOptions(token: string, over: Partial<ServeOptions> = {}): ServeOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    allowRemote: false,
    readOnly: false,
    readOnlyReason: null,
    allowHostChanges: false,
    allowProbe: false,
    token,
    tokenSource: 'env',
    auditLogPath: '/dev/null',
    staticDir: null,
    verbose: false,
    confirmWindowMs: 20_000,
    hostNetnsPath: null,
    capture: true,
    ...over,
  };
}

/** Sends `head` (request line + headers, CRLF-separated, no final blank line) and returns the status. */
export function rawStatus(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`${head}\r\nConnection: close\r\n\r\n`));
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('error', reject);
    s.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`no HTTP status in ${JSON.stringify(data.slice(0, 80))}`));
    });
  });
}

export type UpgradeOutcome = { opened: true; ws: WebSocket } | { opened: false; status: number };

/** Tries a WebSocket upgrade with exactly these headers. */
export function tryUpgrade(url: string, headers: Record<string, string>): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ opened: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

/** A live client that keeps the topology it was told about and checks seq continuity. */
export class LiveClient {
  topology: Topology = emptyTopology();
  epoch = '';
  seq = -1;
  snapshots = 0;
  deltas = 0;
  readOnly: boolean | null = null;
  gaps: string[] = [];
  messages: ServerMessage[] = [];
  closeCode: number | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.receive(JSON.parse(String(data)) as ServerMessage));
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  /** `resumeFrom`: the state of an earlier client, for a connection that resumes with ?epoch&lastSeq. */
  static open(url: string, headers: Record<string, string>, resumeFrom?: LiveClient): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new LiveClient(ws);
      if (resumeFrom) {
        client.topology = resumeFrom.topology;
        client.epoch = resumeFrom.epoch;
        client.seq = resumeFrom.seq;
      }
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  private receive(m: ServerMessage): void {
    this.messages.push(m);
    if (m.type === 'snapshot') {
      this.topology = m.topology;
      this.epoch = m.epoch;
      this.seq = m.seq;
      this.readOnly = m.readOnly;
      this.snapshots++;
    } else if (m.type === 'delta') {
      if (m.epoch !== this.epoch || m.seq !== this.seq + 1) {
        this.gaps.push(`got ${m.epoch}/${m.seq} after ${this.epoch}/${this.seq}`);
      }
      this.topology = applyDelta(this.topology, m.ops);
      this.seq = m.seq;
      this.deltas++;
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.terminate();
    });
  }
}

/** A discovery over a fixed topology that never spawns anything. */
export function fakeDiscovery(topology: Topology = emptyTopology()): LiveDiscovery & { topology: Topology } {
  const d = {
    topology,
    async full(): Promise<LiveDiscoveryResult> {
      return { topology: d.topology, errors: [], hostNsids: new Map() };
    },
    async refresh(): Promise<LiveDiscoveryResult> {
      return { topology: d.topology, errors: [], hostNsids: new Map() };
    },
    async listInodes(): Promise<Set<number>> {
      return new Set(d.topology.namespaces.map((n) => n.inode));
    },
    async ensureHostNsids(): Promise<null> {
      return null;
    },
  };
  return d;
}
