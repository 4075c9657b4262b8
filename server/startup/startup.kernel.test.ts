/**
 * Start-up (issue 12): the server listens before its first full read. While the read runs,
 * /api/health answers, the API says it has no model yet, and a live client gets progress, then
 * its snapshot. A read that fails (here: our reader, made to fail once) is retried, never
 * published. Ordering is asserted (the read is held until the checks are done), never time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressMessage } from '../../common/protocol.js';
import { createDiscovery, namespacePath } from '../discovery/index.js';
import type { LiveDiscovery } from '../refresh/schedulerTypes.js';
import { listenServer } from '../serve.js';
import type { ListeningServer } from '../serve.js';
import { heldDiscovery } from '../testing/heldDiscovery.js';
import { LiveClient, testServeOptions } from '../testing/liveServer.js';
import { pollUntil, uniquePrefix } from '../../test/kernel.js';
import type { TestNamespaces } from '../../test/testNamespaces.js';
import { makeNamespaces, partOf } from '../../test/testNamespaces.js';

const TOKEN = 'startup-test-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };
let m: TestNamespaces | null = null;
const servers: ListeningServer[] = [];
const clients: LiveClient[] = [];

async function start(d: LiveDiscovery): Promise<ListeningServer> {
  const s = await listenServer(testServeOptions(TOKEN, { readOnly: true, readOnlyReason: 'test' }), {
    discovery: d,
    namespacePath,
    watch: false,
    log: () => undefined,
  });
  servers.push(s);
  return s;
}

const progressOf = (c: LiveClient): ProgressMessage[] =>
  c.messages.filter((x): x is ProgressMessage => x.type === 'progress');

beforeAll(async () => {
  m = await makeNamespaces(uniquePrefix('su'), ['named', 'named', 'process', 'bind']);
});

afterAll(async () => {
  try {
    await Promise.all(clients.map((c) => c.close()));
    for (const s of servers) await s.close();
  } finally {
    await m?.remove();
  }
});

describe('start-up before the first read (kernel)', () => {
  it('answers health and sends progress before the first snapshot, then the model ip reads', async () => {
    const held = heldDiscovery(false);
    const srv = await start(held.discovery);
    await pollUntil(() => held.fulls() === 1, 'the first full read to start');

    const health = await fetch(`${srv.origin}/api/health`);
    expect(health.status).toBe(200);
    const topo = await fetch(`${srv.origin}/api/topology`, { headers: auth });
    expect(topo.status).toBe(503);
    const body = (await topo.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('starting');
    const c = await LiveClient.open(`ws://127.0.0.1:${srv.port}/api/live`, auth);
    clients.push(c);
    await pollUntil(() => progressOf(c).length > 0, 'a progress message');
    expect(c.snapshots).toBe(0);

    held.release();
    await srv.ready;
    await pollUntil(() => c.snapshots === 1, 'the first snapshot');
    const types = c.messages.map((x) => x.type);
    expect(types.lastIndexOf('progress')).toBeLessThan(types.indexOf('snapshot'));
    const last = progressOf(c).at(-1)!;
    expect(last.done).toBe(last.total);
    expect(last.total).toBe(c.topology.namespaces.length);
    expect((await fetch(`${srv.origin}/api/topology`, { headers: auth })).status).toBe(200);

    // The snapshot is the model the ip reader (the oracle) reads of our namespaces.
    const oracle = (await createDiscovery({ inlineNsidLimit: 1_000_000 }).full()).topology;
    const strip = (t: typeof oracle) => {
      const p = partOf(t, m!.inodes);
      return { ...p, namespaces: p.namespaces.map((n) => ({ ...n, pids: [], processes: [], name: '' })) };
    };
    expect(strip(c.topology).namespaces).toHaveLength(4);
    expect(strip(c.topology)).toEqual(strip(oracle));
  });

  it('retries a first read in which our reader failed, and publishes only the good one', async () => {
    const held = heldDiscovery(true);
    const srv = await start(held.discovery);
    const c = await LiveClient.open(`ws://127.0.0.1:${srv.port}/api/live`, auth);
    clients.push(c);
    held.release();
    await srv.ready;
    await pollUntil(() => c.snapshots === 1, 'the first snapshot');
    expect(held.fulls()).toBe(2);
    expect(progressOf(c).some((p) => p.attempt === 2)).toBe(true);
    expect(c.snapshots).toBe(1);
    const ours = c.topology.namespaces.filter((n) => m!.inodes.includes(n.inode));
    expect(ours.map((n) => n.error)).toEqual([null, null, null, null]);
    expect(c.topology.interfaces.filter((i) => ours.some((n) => n.id === i.namespace))).toHaveLength(4);
  });
});
