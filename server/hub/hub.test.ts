import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { applyDelta, diffTopology } from '../../common/delta.js';
import { emptyTopology, normalizeTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import type { ServerMessage } from '../../common/protocol.js';
import { Hub } from './hub.js';
import type { ClientHandle, MinimalSocket } from './hub.js';
import { namedNs } from '../../common/testing/builders.js';

/** An in-memory socket: records what was sent; the test decides how much is "queued". */
class FakeSocket implements MinimalSocket {
  sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;
  terminated = false;
  pings = 0;
  bufferedAmount = 0;
  readyState = 1;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  ping(): void {
    this.pings++;
  }
  messages(): ServerMessage[] {
    return this.sent.map((s) => JSON.parse(s) as ServerMessage);
  }
}

function topo(...inodes: number[]): Topology {
  return normalizeTopology({ ...emptyTopology(), namespaces: inodes.map((i) => namedNs(i, `n${i}`)) });
}

/** What a client believes: snapshot + every delta after it, checking seq continuity. */
function clientState(sock: FakeSocket): { topology: Topology; seq: number; epoch: string } {
  let state: { topology: Topology; seq: number; epoch: string } | null = null;
  for (const m of sock.messages()) {
    if (m.type === 'snapshot') state = { topology: m.topology, seq: m.seq, epoch: m.epoch };
    else if (m.type === 'delta') {
      if (!state) throw new Error('delta before snapshot');
      expect(m.epoch).toBe(state.epoch);
      expect(m.seq).toBe(state.seq + 1);
      state = { topology: applyDelta(state.topology, m.ops), seq: m.seq, epoch: m.epoch };
    }
  }
  if (!state) throw new Error('no snapshot');
  return state;
}

function publish(hub: Hub, next: Topology): void {
  const ops = diffTopology(hub.state.topology, next);
  if (ops) hub.publish(ops, next);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Hub', () => {
  it('sends a snapshot first, then deltas numbered by one, stringified once per broadcast', () => {
    const hub = new Hub(topo(1), { readOnly: true });
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.add(a);
    hub.add(b);
    expect(a.messages()[0]).toMatchObject({ type: 'snapshot', protocol: 1, seq: 0, readOnly: true });
    publish(hub, topo(1, 2));
    publish(hub, topo(2));
    expect(a.sent[1]).toBe(b.sent[1]);
    expect(a.messages().map((m) => m.type)).toEqual(['snapshot', 'delta', 'delta']);
    expect(clientState(a).topology).toEqual(topo(2));
    expect(clientState(b).seq).toBe(2);
  });

  it('never sends an empty delta', () => {
    const hub = new Hub(topo(1), { readOnly: false });
    const a = new FakeSocket();
    hub.add(a);
    hub.publish([], topo(1));
    expect(a.sent).toHaveLength(1);
  });

  it('replays only the missing deltas on resume, and a snapshot for a stale seq or another epoch', () => {
    const hub = new Hub(topo(), { readOnly: false, ringSize: 3 });
    const first = new FakeSocket();
    hub.add(first);
    for (let i = 1; i <= 5; i++) publish(hub, topo(...Array.from({ length: i }, (_, k) => k + 1)));
    const { epoch } = hub.state;
    const resumed = new FakeSocket();
    hub.add(resumed, { epoch, lastSeq: 3 });
    expect(resumed.messages().map((m) => (m.type === 'delta' ? m.seq : m.type))).toEqual([4, 5]);
    const stale = new FakeSocket();
    hub.add(stale, { epoch, lastSeq: 1 });
    expect(stale.messages().map((m) => m.type)).toEqual(['snapshot']);
    const other = new FakeSocket();
    hub.add(other, { epoch: 'old', lastSeq: 5 });
    expect(other.messages()[0]).toMatchObject({ type: 'snapshot', seq: 5, epoch });
    const hello = new FakeSocket();
    const h = hub.add(hello);
    h.message(JSON.stringify({ type: 'hello', epoch, lastSeq: 4 }));
    expect(hello.messages().map((m) => (m.type === 'delta' ? m.seq : m.type))).toEqual(['snapshot', 5]);
    h.message(JSON.stringify({ type: 'resync' }));
    expect(hello.messages().at(-1)).toMatchObject({ type: 'snapshot', seq: 5 });
  });

  it('a reset starts a new epoch and sends everyone a snapshot', () => {
    const hub = new Hub(topo(1), { readOnly: false });
    const a = new FakeSocket();
    hub.add(a);
    publish(hub, topo(1, 2));
    const before = hub.state.epoch;
    hub.reset(topo(3), 'test');
    const last = a.messages().at(-1);
    expect(last).toMatchObject({ type: 'snapshot', seq: 0, topology: topo(3) });
    expect(last && 'epoch' in last && last.epoch).not.toBe(before);
  });

  it('closes on malformed client messages', () => {
    const hub = new Hub(topo(), { readOnly: false });
    const a = new FakeSocket();
    hub.add(a).message('{nope');
    expect(a.closed?.code).toBe(1007);
    const b = new FakeSocket();
    hub.add(b).message('{"type":"rm -rf"}');
    expect(b.closed?.code).toBe(1008);
  });

  it('closes, never throws, on any JSON value that is not a client message (null crashed the server)', () => {
    const hub = new Hub(topo(), { readOnly: false });
    const samples = ['null', '0', '"x"', '[]', 'true', '{}', '{"type":null}', '{"type":"hello"}'];
    for (const text of samples) {
      const s = new FakeSocket();
      expect(() => hub.add(s).message(text)).not.toThrow();
      expect(s.closed?.code, text).toBe(1008);
    }
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = new FakeSocket();
        hub.add(s).message(JSON.stringify(v));
        return s.closed?.code === 1008 || s.closed === null;
      }),
    );
  });

  it('drops deltas for a slow consumer and sends one snapshot once it drains; others are unaffected', () => {
    const hub = new Hub(topo(), { readOnly: false, highWaterBytes: 1000, lowWaterBytes: 100 });
    const slow = new FakeSocket();
    const healthy = new FakeSocket();
    hub.add(slow);
    hub.add(healthy);
    slow.bufferedAmount = 990;
    for (let i = 1; i <= 50; i++) publish(hub, topo(...Array.from({ length: i }, (_, k) => k + 1)));
    expect(slow.sent).toHaveLength(1);
    expect(clientState(healthy).seq).toBe(50);
    hub.recover();
    expect(slow.sent).toHaveLength(1);
    slow.bufferedAmount = 0;
    hub.recover();
    expect(clientState(slow)).toEqual(clientState(healthy));
  });

  it('pings every 30 s and terminates a client without pong by 60 s', () => {
    vi.useFakeTimers();
    const hub = new Hub(topo(), { readOnly: false });
    hub.start();
    const alive = new FakeSocket();
    const dead = new FakeSocket();
    const h: ClientHandle = hub.add(alive);
    hub.add(dead);
    vi.advanceTimersByTime(30_000);
    expect([alive.pings, dead.pings]).toEqual([1, 1]);
    h.pong();
    vi.advanceTimersByTime(30_000);
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(hub.size).toBe(1);
    hub.stop();
  });

  it('property: snapshot + deltas equals the latest topology, for clients joining at any time', () => {
    const step = fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), fc.nat(25), (steps, joinAt) => {
        const hub = new Hub(topo(), { readOnly: false, ringSize: 4 });
        const early = new FakeSocket();
        const late = new FakeSocket();
        hub.add(early);
        steps.forEach((inodes, i) => {
          if (i === joinAt) hub.add(late);
          publish(hub, topo(...inodes));
        });
        if (late.sent.length === 0) hub.add(late);
        const want = topo(...steps.at(-1)!);
        expect(clientState(early).topology).toEqual(want);
        expect(clientState(late).topology).toEqual(want);
      }),
    );
  });
});
