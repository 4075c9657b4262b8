/**
 * Captures against the real kernel, in namespaces this test builds (traffic only between them,
 * in 10.0.0.0/8): both ends of a veth while pinging across it, the pcapng read back by
 * tcpdump, filters, stop, a namespace deleted mid-capture, a bad filter, the limit of four.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureInfo, PacketSummary } from '../../common/capture.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import {
  CaptureClient,
  ifIdOf,
  makePair,
  postJson,
  startCaptureApp,
  tcpdumpsOf,
  topologyOf,
} from './testing/captureTestKit.js';
import type { CaptureApp, Pair } from './testing/captureTestKit.js';

const prefix = uniquePrefix('cp');
let app: CaptureApp;
let one: Pair;
let two: Pair;
const dir = mkdtempSync(join(tmpdir(), 'capture-test-'));

async function refreshTopology(): Promise<void> {
  app.setTopology(await topologyOf([one.a, one.b, two.a, two.b]));
}

async function start(body: Record<string, unknown>): Promise<string> {
  const r = await postJson(`${app.url}/api/captures`, body);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json.id as string;
}

function ping(p: Pair, count: number): Promise<string> {
  return sh(`nsenter --net=/run/netns/${p.a} /bin/busybox ping -c ${count} -i 0.2 -W 2 ${p.ipB}`);
}

/** `tcpdump -r` of the downloaded pcapng, one line per packet. */
async function download(id: string): Promise<string[]> {
  const r = await fetch(`${app.url}/api/captures/${id}/pcapng`);
  expect(r.status).toBe(200);
  const file = join(dir, `${id}.pcapng`);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  const out = execFileSync('/usr/bin/tcpdump', ['-r', file, '-n', '-tt'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.toString().split('\n').filter(Boolean);
}

async function info(id: string): Promise<CaptureInfo> {
  return (await (await fetch(`${app.url}/api/captures/${id}`)).json()) as CaptureInfo;
}

beforeAll(async () => {
  app = await startCaptureApp();
  one = await makePair(prefix, 'p', 71);
  two = await makePair(prefix, 'q', 72);
  await refreshTopology();
}, 30_000);

// A failed test must not leave its captures running into the next (the limit is four).
afterEach(async () => {
  for (const c of app.manager.list()) if (c.running) await app.manager.delete(c.id);
});

afterAll(async () => {
  await app?.close();
  await cleanupPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
  // Nothing of ours runs any more, whatever happened above.
  expect(await tcpdumpsOf(prefix)).toEqual([]);
}, 30_000);

describe('capture (real kernel)', () => {
  it('lists echo requests and replies on both ends of a veth in time order; the pcapng has them all', async () => {
    const x = ifIdOf(await topologyOf([one.a]), one.a, one.x);
    const y = ifIdOf(await topologyOf([one.b]), one.b, one.y);
    const id = await start({ interfaces: [x, y], filter: null });
    const client = await CaptureClient.open(`${app.url.replace('http', 'ws')}/api/captures/${id}/live`);
    await ping(one, 3);
    const echo = (p: PacketSummary): boolean => p.protocol === 'ICMP' && p.summary.startsWith('echo');
    await pollUntil(() => client.packets().filter(echo).length >= 12, 'twelve echo summaries').catch((e) => {
      throw new Error(`${String(e)}: ${JSON.stringify(client.messages).slice(0, 3000)}`);
    });
    const listed = client.packets();
    for (let i = 1; i < listed.length; i++)
      expect(listed[i]!.tsUs).toBeGreaterThanOrEqual(listed[i - 1]!.tsUs);
    // Each echo crosses the veth: request out of x, into y; reply out of y, into x. The list is
    // in time order (above); timestamps are microseconds, so the two ends of one crossing may
    // share one, and then either may come first: compare times, not list positions, for those.
    const echoes = listed.filter(echo);
    expect(echoes).toHaveLength(12);
    for (let seq = 0; seq < 3; seq++) {
      const at = (iface: string, kind: string): number => {
        const p = echoes.find(
          (e) =>
            e.iface === iface && e.summary.startsWith(`echo ${kind} `) && e.summary.includes(` seq ${seq},`),
        );
        if (!p) throw new Error(`no echo ${kind} seq ${seq} on ${iface}`);
        return echoes.indexOf(p);
      };
      const [xReq, yReq, yRep, xRep] = [at(x, 'request'), at(y, 'request'), at(y, 'reply'), at(x, 'reply')];
      const ts = (i: number): number => echoes[i]!.tsUs;
      expect(ts(xReq)).toBeLessThanOrEqual(ts(yReq));
      expect(ts(yReq)).toBeLessThanOrEqual(ts(yRep));
      expect(ts(yRep)).toBeLessThanOrEqual(ts(xRep));
      // Whole pings do not overlap (200 ms apart): this ping's four are together in the list.
      expect([xReq, yReq, yRep, xRep].sort((m, n) => m - n)).toEqual([0, 1, 2, 3].map((k) => 4 * seq + k));
      // Where the times differ, the list order is the order on the wire.
      if (ts(xReq) < ts(yReq)) expect(xReq).toBeLessThan(yReq);
      if (ts(yRep) < ts(xRep)) expect(yRep).toBeLessThan(xRep);
      if (ts(yReq) < ts(yRep)) expect(yReq).toBeLessThan(yRep);
    }
    const first = listed.find(echo)!;
    expect([first.src, first.dst, first.length]).toEqual([one.ipA, one.ipB, 98]);
    const hello = client.messages[0]!;
    expect(hello.type === 'hello' && hello.capture.interfaces.map((i) => i.label)).toEqual([
      `${one.a}/${one.x}`,
      `${one.b}/${one.y}`,
    ]);

    const stopped = (await (
      await fetch(`${app.url}/api/captures/${id}`, { method: 'DELETE' })
    ).json()) as CaptureInfo;
    expect(stopped.running).toBe(false);
    expect(stopped.endReason).toBe('stopped');
    const lines = await download(id);
    expect(lines).toHaveLength(stopped.counters.packets);
    expect(lines.filter((l) => / ICMP echo (request|reply)/.test(l))).toHaveLength(12);
    // The page's client heard the end too.
    await pollUntil(() => client.ended(), 'ended message');
    expect(app.audit.filter((e) => e.id === id).map((e) => e.action)).toEqual([
      'capture.start',
      'capture.end',
    ]);
    expect(app.audit.find((e) => e.action === 'capture.end' && e.id === id)).toMatchObject({
      packets: stopped.counters.packets,
      fileBytes: stopped.counters.fileBytes,
      interfaces: [`${one.a}/${one.x}`, `${one.b}/${one.y}`],
    });
  }, 30_000);

  it('a filter keeps other traffic out; stop leaves no tcpdump', async () => {
    const x = ifIdOf(await topologyOf([two.a]), two.a, two.x);
    const y = ifIdOf(await topologyOf([two.b]), two.b, two.y);
    const filtered = await start({ interfaces: [x], filter: 'icmp' });
    const all = await start({ interfaces: [y], filter: null });
    const pids = [...app.manager.get(filtered)!.pids, ...app.manager.get(all)!.pids];
    expect(pids).toHaveLength(2);
    // A DNS query (UDP) to a port nobody listens on: other traffic for the filter to keep out.
    await sh(`nsenter --net=/run/netns/${two.a} /bin/busybox nslookup -timeout=1 x.test ${two.ipB} || true`);
    await ping(two, 2);
    await pollUntil(
      async () => (await info(all)).counters.packets >= 5,
      'UDP and ICMP on the unfiltered end',
    );
    await pollUntil(async () => (await info(filtered)).counters.packets >= 4, 'ICMP on the filtered end');
    for (const id of [filtered, all])
      expect((await fetch(`${app.url}/api/captures/${id}`, { method: 'DELETE' })).status).toBe(200);
    const unfilteredLines = await download(all);
    const filteredLines = await download(filtered);
    expect(unfilteredLines.join('\n')).toContain(`> ${two.ipB}.53: `);
    expect(filteredLines.length).toBeGreaterThanOrEqual(4);
    expect(filteredLines.every((l) => l.includes('ICMP'))).toBe(true);
    // Stop waited for tcpdump to exit: none of them is left.
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(await tcpdumpsOf(`${prefix}q`)).toEqual([]);
  }, 30_000);

  it('a bad filter is a 400 with tcpdump’s own message, and nothing keeps running', async () => {
    const x = ifIdOf(await topologyOf([one.a]), one.a, one.x);
    const r = await postJson(`${app.url}/api/captures`, { interfaces: [x], filter: 'icmp and and' });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: 'bad_filter', message: expect.stringContaining('syntax error') });
    const field = await postJson(`${app.url}/api/captures`, { interfaces: [x], filter: null, maxSeconds: 0 });
    expect(field.status).toBe(400);
    expect((field.json.error as { message: string }).message).toMatch(/^maxSeconds: /);
    expect(await tcpdumpsOf(prefix)).toEqual([]);
  }, 30_000);

  it('at most four captures run at once: the fifth is refused with a clear message', async () => {
    const t = await topologyOf([one.a, one.b, two.a, two.b]);
    const ifs = [
      ifIdOf(t, one.a, one.x),
      ifIdOf(t, one.b, one.y),
      ifIdOf(t, two.a, two.x),
      ifIdOf(t, two.b, two.y),
      ifIdOf(t, one.a, 'lo'),
    ];
    const ids: string[] = [];
    try {
      for (const i of ifs.slice(0, 4)) ids.push(await start({ interfaces: [i], filter: null }));
      const fifth = await postJson(`${app.url}/api/captures`, { interfaces: [ifs[4]], filter: null });
      expect(fifth.status).toBe(429);
      expect(fifth.json.error).toEqual({
        code: 'too_many_captures',
        message: expect.stringMatching(/at most 4 captures/),
      });
      const listed = ((await (await fetch(`${app.url}/api/captures`)).json()) as { captures: CaptureInfo[] })
        .captures;
      expect(
        listed
          .filter((c) => c.running)
          .map((c) => c.id)
          .sort(),
      ).toEqual([...ids].sort());
    } finally {
      for (const id of ids) await fetch(`${app.url}/api/captures/${id}`, { method: 'DELETE' });
    }
    expect(await tcpdumpsOf(prefix)).toEqual([]);
  }, 30_000);

  it('deleting a namespace mid-capture ends the capture with a message', async () => {
    const p = await makePair(prefix, 'r', 73);
    const t = await topologyOf([p.a, p.b]);
    app.setTopology(t);
    const id = await start({ interfaces: [ifIdOf(t, p.a, p.x), ifIdOf(t, p.b, p.y)], filter: null });
    const client = await CaptureClient.open(`${app.url.replace('http', 'ws')}/api/captures/${id}/live`);
    const pids = app.manager.get(id)!.pids;
    await sh(`ip netns del ${p.b}`);
    const ended = await pollUntil(() => client.ended(), 'the capture to end');
    expect(ended?.endReason).toBe(`namespace of ${p.b}/${p.y} went away`);
    expect((await info(id)).running).toBe(false);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    // With our tcpdump gone, the kernel frees the namespace and the veth with it.
    await pollUntil(async () => !(await sh(`ip -n ${p.a} -br link`)).includes(p.x), 'the veth to go');
    await refreshTopology();
  }, 30_000);

  it('an interface deleted mid-capture ends the capture with tcpdump’s message', async () => {
    const p = await makePair(prefix, 's', 74);
    const t = await topologyOf([p.a, p.b]);
    app.setTopology(t);
    const id = await start({ interfaces: [ifIdOf(t, p.a, p.x)], filter: null });
    await sh(`ip -n ${p.a} link del dev ${p.x}`);
    const ended = await pollUntil(async () => {
      const i = await info(id);
      return i.running ? null : i;
    }, 'the capture to end');
    expect(ended?.endReason).toMatch(new RegExp(`^capture on ${p.a}/${p.x} ended: .+`));
    expect(await tcpdumpsOf(`${prefix}s`)).toEqual([]);
  }, 30_000);
});
