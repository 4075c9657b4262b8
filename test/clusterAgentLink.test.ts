/**
 * The hub's agent connection against a stand-in agent on loopback (HTTP + WebSocket, no kernel):
 * bearer token on every request, snapshot then deltas, a gap in `seq` answered by `resync`, the
 * VXLAN facts read after a snapshot, a closed connection marked down, reconnect with a snapshot.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { emptyTopology } from '../common/model.js';
import { iface } from '../common/testing/builders.js';
import { AgentLink } from '../server/cluster/agentLink.js';
import type { AgentSink } from '../server/cluster/agentLink.js';
import { pollUntil } from './kernel.js';
import { nodeTopology, nodeVxlan } from './clusterScene.js';

const TOKEN = 'agent-token-0123456789';

interface FakeAgent {
  url: string;
  sockets: WebSocket[];
  received: string[];
  authHeaders: string[];
  server: Server;
}

function fakeAgent(): Promise<FakeAgent> {
  const fake: FakeAgent = { url: '', sockets: [], received: [], authHeaders: [], server: createServer() };
  fake.server.on('request', (req, res) => {
    fake.authHeaders.push(req.headers.authorization ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/cluster/node') res.end(JSON.stringify({ host: 'node-a' }));
    else if (req.url === '/api/cluster/overlay') res.end(JSON.stringify({ facts: nodeVxlan(0), errors: [] }));
    else res.writeHead(404).end('{}');
  });
  const wss = new WebSocketServer({ server: fake.server });
  wss.on('connection', (ws, req) => {
    fake.authHeaders.push(req.headers.authorization ?? '');
    fake.sockets.push(ws);
    ws.on('message', (m) => fake.received.push(m.toString()));
    ws.send(
      JSON.stringify({
        type: 'snapshot',
        protocol: 1,
        epoch: 'e1',
        seq: 0,
        topology: nodeTopology(0),
        readOnly: true,
      }),
    );
  });
  return new Promise((resolve) =>
    fake.server.listen(0, '127.0.0.1', () => {
      fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
      resolve(fake);
    }),
  );
}

function recordingSink() {
  const events: string[] = [];
  const sink: AgentSink = {
    identify: (_u, host) => events.push(`identify ${host}`),
    snapshot: (_u, t) => events.push(`snapshot ${t.namespaces.length}`),
    delta: (_u, ops) => events.push(`delta ${ops.length}`),
    overlay: (_u, facts) => events.push(`overlay ${facts.length}`),
    down: (_u, reason) => events.push(`down ${reason}`),
  };
  return { events, sink };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('AgentLink', () => {
  it('follows snapshot and deltas, asks a resync on a gap, reconnects after a close', async () => {
    const fake = await fakeAgent();
    const { events, sink } = recordingSink();
    const link = new AgentLink(fake.url, sink, { token: TOKEN, log: () => {}, maxBackoffMs: 50 });
    cleanups.push(
      () => link.stop(),
      () => fake.server.close(),
    );
    link.start();
    await pollUntil(() => events.includes('overlay 1'), 'snapshot and overlay');
    expect(events.slice(0, 2)).toEqual(['identify node-a', 'snapshot 2']);
    expect(fake.authHeaders.every((h) => h === `Bearer ${TOKEN}`)).toBe(true);

    const put = { op: 'put', entity: 'interface', value: iface(4026532000, 9, 'eth9') };
    const ws = fake.sockets[0]!;
    ws.send(JSON.stringify({ type: 'delta', epoch: 'e1', seq: 1, ops: [put] }));
    await pollUntil(() => events.includes('delta 1'), 'delta 1');
    ws.send(JSON.stringify({ type: 'delta', epoch: 'e1', seq: 3, ops: [put] })); // seq 2 lost
    await pollUntil(() => fake.received.includes('{"type":"resync"}'), 'resync');
    ws.send(JSON.stringify({ type: 'delta', epoch: 'e1', seq: 4, ops: [put] })); // ignored until the snapshot
    ws.send(
      JSON.stringify({
        type: 'snapshot',
        protocol: 1,
        epoch: 'e1',
        seq: 4,
        topology: emptyTopology(),
        readOnly: true,
      }),
    );
    await pollUntil(() => events.includes('snapshot 0'), 'snapshot after resync');
    expect(events.filter((e) => e.startsWith('delta'))).toEqual(['delta 1']);
    expect(fake.received.filter((m) => m.includes('resync'))).toHaveLength(1);

    ws.terminate();
    await pollUntil(() => events.some((e) => e.startsWith('down ')), 'down');
    await pollUntil(
      () => fake.sockets.length === 2 && events.filter((e) => e === 'snapshot 2').length === 2,
      'reconnect',
    );
  });

  it('an agent that refuses the token is down, never identified', async () => {
    const server = createServer((_req, res) => res.writeHead(401).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { events, sink } = recordingSink();
    const link = new AgentLink(url, sink, { token: TOKEN, log: () => {}, maxBackoffMs: 50 });
    cleanups.push(
      () => link.stop(),
      () => server.close(),
    );
    link.start();
    await pollUntil(() => events.length >= 2, 'two failed attempts');
    expect(events.every((e) => e.startsWith('down ') && e.includes('401'))).toBe(true);
  });
});
