/**
 * Packet capture through the hub, over three simulated nodes (test/clusterNodes.ts): node-a's
 * agent runs without --allow-capture, node-b's and node-c's with it. A capture of a pod's eth0 on
 * node-b asked of the hub streams exactly the pings sent between two pods of that node (ids
 * qualified) and its pcapng through the hub is the agent's own file; a node without the flag
 * refuses, naming itself, and runs nothing; the single-host limits hold; and the capture ends,
 * with no tcpdump left in the node, when the hub's client goes, when the hub stops (SIGTERM) or
 * is killed, and when the node's agent is killed. Traffic only between the test's own pods (10.0.0.0/8).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureInfo, CaptureServerMessage } from '../common/capture.js';
import { qualifiedId } from '../common/ids.js';
import type { Topology } from '../common/model.js';
import { pollUntil, uniquePrefix } from './kernel.js';
import { buildCluster, inNode, startAgent, startHubCli, stopAgent } from './clusterNodes.js';
import { everyNodeOnHub } from './clusterHub.js';
import type { SimCluster, SimNode } from './clusterNodes.js';
import { bearerCall } from './bearerCall.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
const prefix = uniquePrefix('cc');
const auditLog = (n: SimNode) => `/tmp/${prefix}-${n.name}-audit.log`;
let cluster: SimCluster;
let hub: { origin: string };
/** node-a: no --allow-capture; node-b and node-c: --allow-capture. */
let noCapture: SimNode;
let capturing: SimNode;
let spare: SimNode;

const viaHub = (method: string, path: string, body?: unknown, origin = hub.origin) =>
  bearerCall(origin, token, method, path, body);
const viaAgent = (n: SimNode, method: string, path: string) =>
  bearerCall(n.agentUrl, agentToken, method, path);

/** The hub's id of `pod`'s eth0 on node `n`. */
async function podEth0(n: SimNode, pod: string): Promise<string> {
  const t = (await viaAgent(n, 'GET', '/api/topology')).body as Topology;
  const ns = t.namespaces.find((x) => x.netnsNames.includes(pod));
  const eth0 = t.interfaces.find((i) => i.namespace === ns?.id && i.name === 'eth0');
  if (!eth0) throw new Error(`${n.name}: no ${pod}/eth0`);
  return qualifiedId(n.name, eth0.id);
}

function podAddress(n: SimNode, pod: number): string {
  const [a, b, c] = n.podCidr.split('.');
  return `${a}.${b}.${c}.${10 + pod}`;
}

/**
 * tcpdump processes alive in a node (its own PID namespace and /proc). Zombies are dead: a
 * tcpdump whose agent was killed is reparented to the node's init, which here is `sleep` and
 * reaps no one (a real node's init would).
 */
async function tcpdumpsIn(n: SimNode): Promise<number> {
  const out = await inNode(
    n,
    'for s in /proc/[0-9]*/status; do grep -q "^Name:.tcpdump$" $s 2>/dev/null && ! grep -q "^State:.Z" $s && echo x; done; true',
  );
  return out.split('\n').filter((l) => l === 'x').length;
}

/** A hub client of one capture's live stream: every message it receives. */
function watch(id: string, origin = hub.origin) {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/captures/${id}/live`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const messages: CaptureServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as CaptureServerMessage));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const ended = () => messages.find((m) => m.type === 'ended') as { capture: CaptureInfo } | undefined;
  return { ws, messages, opened, ended };
}

async function start(body: unknown, origin = hub.origin): Promise<CaptureInfo> {
  const r = await viaHub('POST', '/api/captures', body, origin);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body as { capture: CaptureInfo }).capture;
}

/** The node agent's own record of the capture it runs for the hub (the only one running there). */
async function agentCaptures(n: SimNode): Promise<CaptureInfo[]> {
  return ((await viaAgent(n, 'GET', '/api/captures')).body as { captures: CaptureInfo[] }).captures;
}

beforeAll(async () => {
  cluster = await buildCluster(prefix);
  [noCapture, capturing, spare] = cluster.nodes as [SimNode, SimNode, SimNode];
  await Promise.all(
    cluster.nodes.map((n) =>
      startAgent(n, agentToken, n === noCapture ? {} : { allowCapture: { auditLog: auditLog(n) } }),
    ),
  );
  hub = await startHubCli(
    cluster.nodes.map((n) => n.agentUrl),
    token,
    agentToken,
  );
  await everyNodeOnHub(cluster, async () => (await viaHub('GET', '/api/topology')).body as Topology);
}, 420_000);

afterAll(async () => {
  await cluster?.stop();
  for (const n of cluster?.nodes ?? []) rmSync(auditLog(n), { force: true });
}, 60_000);

describe('packet capture through the hub', () => {
  it('streams exactly the packets sent, and the pcapng is the agent file', async () => {
    const n = capturing;
    const eth0 = await podEth0(n, 'pod1');
    const capture = await start({ interfaces: [eth0], filter: 'icmp' });
    expect(capture.id).toMatch(/^cap-[0-9a-f]{12}$/);
    expect(capture.interfaces).toEqual([
      {
        id: eth0,
        namespace: expect.stringMatching(`^${n.name}/ns-`),
        name: 'eth0',
        label: `${n.name}/pod1/eth0`,
      },
    ]);
    const live = watch(capture.id);
    await live.opened;
    await pollUntil(() => live.messages.some((m) => m.type === 'hello'), 'hello');

    const [from, to] = [podAddress(n, 1), podAddress(n, 2)];
    await inNode(n, `nsenter --net=/run/netns/pod1 /bin/busybox ping -c 4 -i 0.2 ${to}`);
    const rows = () => live.messages.flatMap((m) => (m.type === 'packets' ? m.packets : []));
    await pollUntil(() => rows().length >= 8, 'eight packets on the hub client', 30_000);
    const seen = rows().map((p) => ({
      iface: p.iface,
      src: p.src,
      dst: p.dst,
      what: p.summary.split(' id ')[0],
    }));
    const sent = [0, 1, 2, 3].flatMap(() => [
      { iface: eth0, src: from, dst: to, what: 'echo request' },
      { iface: eth0, src: to, dst: from, what: 'echo reply' },
    ]);
    expect(seen).toEqual(sent);
    const seqs = rows().map((p) => /seq (\d+)/.exec(p.summary)?.[1]);
    expect(seqs).toEqual(['0', '0', '1', '1', '2', '2', '3', '3']);

    const [mine] = await agentCaptures(n);
    expect(mine!.running).toBe(true);
    const stopped = await viaHub('DELETE', `/api/captures/${capture.id}`, {});
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ id: capture.id, running: false, endReason: 'stopped' });
    await pollUntil(() => live.ended() !== undefined, 'ended on the hub client');
    const file = await viaHub('GET', `/api/captures/${capture.id}/pcapng`);
    const theirs = await viaAgent(n, 'GET', `/api/captures/${mine!.id}/pcapng`);
    expect(file.status).toBe(200);
    expect(file.bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(file.bytes.equals(theirs.bytes)).toBe(true);
    expect(await tcpdumpsIn(n)).toBe(0);
  });

  it('a node whose agent runs without --allow-capture refuses, naming itself; nothing runs', async () => {
    const r = await viaHub('POST', '/api/captures', { interfaces: [await podEth0(noCapture, 'pod1')] });
    expect(r.status).toBe(403);
    const err = (r.body as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('capture_disabled');
    expect(err.message).toContain(noCapture.name);
    expect(err.message).toContain('--allow-capture');
    expect(await tcpdumpsIn(noCapture)).toBe(0);
  });

  it('the single-host limits hold: one node, duration, count', async () => {
    const [b1, c1] = [await podEth0(capturing, 'pod1'), await podEth0(spare, 'pod1')];
    const mixed = await viaHub('POST', '/api/captures', { interfaces: [b1, c1] });
    expect(mixed.status).toBe(400);
    expect((mixed.body as { error: { field: string } }).error.field).toBe('interfaces.1');
    const long = await viaHub('POST', '/api/captures', { interfaces: [b1], maxSeconds: 7200 });
    expect((long.body as { error: { field: string } }).error.field).toBe('maxSeconds');
    expect(await tcpdumpsIn(capturing)).toBe(0);

    // A time limit ends it on the node, and the hub's client is told.
    const short = await start({ interfaces: [b1], maxSeconds: 1 });
    const live = watch(short.id);
    await pollUntil(() => live.ended() !== undefined, 'time limit', 30_000);
    expect(live.ended()!.capture.endReason).toMatch(/time limit/);

    // Four at once through the hub, the fifth refused.
    const ifaces = [b1, await podEth0(capturing, 'pod2'), c1, await podEth0(spare, 'pod2')];
    const four = [];
    for (const i of ifaces) four.push(await start({ interfaces: [i] }));
    const fifth = await viaHub('POST', '/api/captures', { interfaces: [b1], filter: 'udp' });
    expect(fifth.status).toBe(429);
    for (const c of four) expect((await viaHub('DELETE', `/api/captures/${c.id}`, {})).status).toBe(200);
    expect(await tcpdumpsIn(capturing)).toBe(0);
    expect(await tcpdumpsIn(spare)).toBe(0);
  });

  it('the capture ends when the hub client goes', async () => {
    const n = capturing;
    const c = await start({ interfaces: [await podEth0(n, 'pod2')] });
    const live = watch(c.id);
    await live.opened;
    expect(await tcpdumpsIn(n)).toBe(1);
    live.ws.close();
    await pollUntil(async () => (await tcpdumpsIn(n)) === 0, 'tcpdump gone', 30_000);
    const onAgent = (await agentCaptures(n)).find((x) => x.startedAt === c.startedAt);
    expect(onAgent).toMatchObject({ running: false, endReason: 'the page closed' });
    const onHub = (await viaHub('GET', `/api/captures/${c.id}`)).body as CaptureInfo;
    expect(onHub).toMatchObject({ running: false, endReason: 'the page closed' });
  });

  // SIGTERM: the hub stops its captures on the nodes; SIGKILL: its connection to the agent drops.
  it.each([
    ['SIGTERM', 'stopped'],
    ['SIGKILL', 'the page closed'],
  ] as const)('the capture ends when the hub goes (%s)', async (signal, reason) => {
    const n = capturing;
    const other = await startHubCli(
      cluster.nodes.map((x) => x.agentUrl),
      token,
      agentToken,
    );
    await pollUntil(
      async () =>
        ((await viaHub('GET', '/api/topology', undefined, other.origin)).body as Topology).namespaces.some(
          (x) => x.id.startsWith(`${n.name}/`),
        ),
      'node on the second hub',
      60_000,
    );
    const c = await start({ interfaces: [await podEth0(n, 'pod1')] }, other.origin);
    expect(await tcpdumpsIn(n)).toBe(1);
    // No browser ever watched it: the hub's own stream is what holds it.
    const exited = new Promise((resolve) => other.child.once('exit', resolve));
    other.child.kill(signal);
    await exited;
    await pollUntil(async () => (await tcpdumpsIn(n)) === 0, 'tcpdump gone with the hub', 30_000);
    const onAgent = (await agentCaptures(n)).find((x) => x.startedAt === c.startedAt);
    expect(onAgent).toMatchObject({ running: false, endReason: reason });
  });

  it('the capture ends when the agent is killed, and the hub client is told', async () => {
    const n = spare;
    const c = await start({ interfaces: [await podEth0(n, 'pod1')] });
    const live = watch(c.id);
    await live.opened;
    expect(await tcpdumpsIn(n)).toBe(1);
    await stopAgent(n);
    await pollUntil(() => live.ended() !== undefined, 'ended on the hub client', 30_000);
    expect(live.ended()!.capture.endReason).toContain(n.name);
    await pollUntil(async () => (await tcpdumpsIn(n)) === 0, 'tcpdump gone with the agent', 30_000);
    const gone = await viaHub('GET', `/api/captures/${c.id}/pcapng`);
    expect(gone.status).toBe(502);
  });
});
