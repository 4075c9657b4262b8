/**
 * Test kit for the capture kernel tests: two namespaces joined by a veth (10.x.y.1 <-> .2),
 * their topology read with `ip -j` (no discovery needed), and a small HTTP server with just the
 * captures router and WebSocket (the full server's auth around it is tested with the server).
 * Not imported by production code.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statSync } from 'node:fs';
import express from 'express';
import WebSocket, { WebSocketServer } from 'ws';
import type { CaptureServerMessage } from '../../../common/capture.js';
import { ifId, nsId } from '../../../common/ids.js';
import { emptyTopology } from '../../../common/model.js';
import type { Topology } from '../../../common/model.js';
import { iface, namedNs } from '../../../common/testing/builders.js';
import { ipJson, sh } from '../../../test/kernel.js';
import { captureUpgrade } from '../live.js';
import { CaptureManager } from '../manager.js';
import type { CaptureAuditEntry } from '../manager.js';
import { captureRouter } from '../router.js';

export interface Pair {
  a: string;
  b: string;
  /** veth ends: `${prefix}x` in a, `${prefix}y` in b. */
  x: string;
  y: string;
  ipA: string;
  ipB: string;
}

export async function makePair(prefix: string, tag: string, net: number): Promise<Pair> {
  const p: Pair = {
    a: `${prefix}${tag}a`,
    b: `${prefix}${tag}b`,
    x: `${prefix}${tag}x`,
    y: `${prefix}${tag}y`,
    ipA: `10.${net}.0.1`,
    ipB: `10.${net}.0.2`,
  };
  await sh(`
    ip netns add ${p.a}; ip netns add ${p.b}
    ip -n ${p.a} link add name ${p.x} type veth peer name ${p.y} netns ${p.b}
    ip -n ${p.a} addr add ${p.ipA}/24 dev ${p.x}; ip -n ${p.b} addr add ${p.ipB}/24 dev ${p.y}
    ip -n ${p.a} link set dev ${p.x} up; ip -n ${p.b} link set dev ${p.y} up
    ip -n ${p.a} link set dev lo up; ip -n ${p.b} link set dev lo up
  `);
  return p;
}

/** The topology of the given named namespaces, read with `ip -j` (enough for the captures). */
export async function topologyOf(names: string[]): Promise<Topology> {
  const t = emptyTopology();
  for (const name of names) {
    let inode: number;
    try {
      inode = statSync(`/run/netns/${name}`).ino;
    } catch {
      continue;
    }
    t.namespaces.push(namedNs(inode, name));
    const links = await ipJson<Array<{ ifindex: number; ifname: string }>>(['link', 'show'], { name });
    for (const l of links) t.interfaces.push(iface(inode, l.ifindex, l.ifname));
  }
  return t;
}

export function ifIdOf(t: Topology, nsName: string, ifName: string): string {
  const n = t.namespaces.find((x) => x.name === nsName);
  const i = n && t.interfaces.find((x) => x.namespace === nsId(n.inode) && x.name === ifName);
  if (!i) throw new Error(`no ${nsName}/${ifName} in the topology`);
  return ifId(n.inode, i.ifindex);
}

export interface CaptureApp {
  url: string;
  manager: CaptureManager;
  audit: CaptureAuditEntry[];
  setTopology(t: Topology): void;
  close(): Promise<void>;
}

export async function startCaptureApp(maxRunning?: number): Promise<CaptureApp> {
  let topology = emptyTopology();
  const audit: CaptureAuditEntry[] = [];
  const manager = new CaptureManager({
    getTopology: () => topology,
    namespacePath: (n) => n.mounts[0] ?? '/proc/self/ns/net',
    audit: (e) => audit.push(e),
    log: () => {},
    ...(maxRunning ? { maxRunning } : {}),
  });
  const app = express();
  app.use('/api', express.json(), captureRouter({ manager }));
  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const route = captureUpgrade(manager, new URL(req.url ?? '/', 'http://x').pathname);
    if (!route || !('accept' in route)) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => route.accept(ws));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    manager,
    audit,
    setTopology: (t) => (topology = t),
    async close() {
      await manager.closeAll();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}

/** A live client that keeps every message. */
export class CaptureClient {
  readonly messages: CaptureServerMessage[] = [];
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(JSON.parse(String(d)) as CaptureServerMessage));
    ws.on('close', () => (this.closed = true));
  }

  static async open(url: string): Promise<CaptureClient> {
    const ws = new WebSocket(url);
    const c = new CaptureClient(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return c;
  }

  packets() {
    return this.messages.flatMap((m) => (m.type === 'packets' ? m.packets : []));
  }

  ended() {
    const m = this.messages.find((x) => x.type === 'ended');
    return m?.type === 'ended' ? m.capture : null;
  }
}

/** Process ids of tcpdump processes running on any interface whose name starts with `prefix`. */
export async function tcpdumpsOf(prefix: string): Promise<number[]> {
  const out = await sh(`ps -eo pid=,args= | grep '[t]cpdump .*-i ${prefix}' || true`);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}
