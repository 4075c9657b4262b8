/**
 * A client that stops reading (paused TCP, real sockets) never makes the server queue more than
 * about 1 MiB for it: its deltas are dropped and it is marked for a snapshot, while a healthy
 * client keeps receiving every delta.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyTopology, normalizeTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import { diffTopology } from '../../common/delta.js';
import { pollUntil } from '../../test/kernel.js';
import { FailureLimiter } from '../http/security.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { fakeDiscovery, LiveClient, testServeOptions } from '../testing/liveServer.js';
import { nsId } from '../../common/ids.js';

const TOKEN = 'slow-consumer-token-0123456789abcdef';
let srv: RunningServer;
let paused: Socket;

/** A namespace list whose names are large, so each delta is ~32 KiB. */
function big(step: number): Topology {
  return normalizeTopology({
    ...emptyTopology(),
    namespaces: [0, 1].map((i) => ({
      id: nsId(i),
      inode: i,
      kind: 'named' as const,
      name: `${step}-${'x'.repeat(16_000)}`,
      netnsNames: [],
      pids: [],
      processes: [],
      containers: [],
      mounts: [],
      error: null,
    })),
  });
}

beforeAll(async () => {
  srv = await startServer(testServeOptions(TOKEN, { readOnly: true, readOnlyReason: 'test' }), {
    discovery: fakeDiscovery(),
    namespacePath: () => '/proc/self/ns/net',
    watch: false,
    limiter: new FailureLimiter(),
  });
});

afterAll(async () => {
  paused?.destroy();
  await srv?.close();
});

it(
  'drops deltas for a client that stops reading, keeps a healthy one current',
  { timeout: 120_000 },
  async () => {
    // A raw WebSocket handshake, then never read: the kernel buffers fill and ws starts queueing.
    paused = connect(srv.port, '127.0.0.1');
    await new Promise<void>((r) => paused.once('connect', () => r()));
    paused.write(
      `GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        `Authorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    await pollUntil(() => srv.hub.size === 1, 'paused client connected');
    paused.pause();
    const healthy = await LiveClient.open(`ws://127.0.0.1:${srv.port}/api/live`, {
      Authorization: `Bearer ${TOKEN}`,
    });
    await pollUntil(() => healthy.snapshots === 1, 'snapshot');

    let maxQueued = 0;
    let prev = srv.hub.state.topology;
    for (let step = 1; step <= 600; step++) {
      const next = big(step);
      srv.hub.publish(diffTopology(prev, next) ?? [], next);
      prev = next;
      for (const s of srv.hub.stats()) maxQueued = Math.max(maxQueued, s.bufferedAmount);
      // Let the event loop write to the sockets now and then, as it would between kernel events.
      if (step % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await pollUntil(() => healthy.seq === 600, 'healthy client has every delta', 60_000);
    expect(healthy.gaps).toEqual([]);
    expect(healthy.topology).toEqual(prev);
    const slow = srv.hub.stats().find((s) => s.needsSnapshot);
    expect(slow).toBeDefined();
    // Never more than the high-water mark plus one message queued for the stalled client.
    expect(maxQueued).toBeLessThanOrEqual(1024 * 1024 + 40 * 1024);
    await healthy.close();
  },
);

it('a reconnect with ?epoch&lastSeq gets only the missed deltas over a real socket', async () => {
  const url = `ws://127.0.0.1:${srv.port}/api/live`;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const c = await LiveClient.open(url, auth);
  await pollUntil(() => c.snapshots === 1, 'snapshot');
  await c.close();
  let prev = srv.hub.state.topology;
  for (const step of [1001, 1002, 1003]) {
    const next = big(step);
    srv.hub.publish(diffTopology(prev, next) ?? [], next);
    prev = next;
  }
  const r = await LiveClient.open(`${url}?epoch=${c.epoch}&lastSeq=${c.seq}`, auth, c);
  await pollUntil(() => r.seq === srv.hub.state.seq, 'caught up');
  expect(r.snapshots).toBe(0);
  expect(r.deltas).toBe(3);
  expect(r.gaps).toEqual([]);
  expect(r.topology).toEqual(srv.hub.state.topology);
  await r.close();
});
