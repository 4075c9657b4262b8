import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyTopology } from '../../../common/model.js';
import type { ClientMessage, ServerMessage } from '../../../common/protocol.js';
import { figure1 } from '../testing/fixture.js';
import { createLiveModel } from './liveModel.js';
import { startLive } from './socket.js';
import type { LiveSocket } from './socket.js';

/** An in-memory WebSocket the test plays the server for. */
class FakeSocket implements LiveSocket {
  readyState = 0;
  onopen: LiveSocket['onopen'] = null;
  onmessage: LiveSocket['onmessage'] = null;
  onclose: LiveSocket['onclose'] = null;
  onerror: LiveSocket['onerror'] = null;
  readonly sent: ClientMessage[] = [];
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close(): void {
    this.drop();
  }
  accept(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  deliver(m: ServerMessage): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(m) }));
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.(new Event('close') as CloseEvent);
  }
}

const snapshot = (epoch: string, seq: number): ServerMessage => ({
  type: 'snapshot',
  protocol: 1,
  epoch,
  seq,
  topology: emptyTopology(),
  readOnly: false,
});
const host = figure1().namespaces[0]!;

describe('startLive', () => {
  let sockets: FakeSocket[];
  const open = (url: string) => {
    const s = new FakeSocket(url);
    sockets.push(s);
    return s;
  };
  const loc = { protocol: 'http:', host: 'example.test:8080' };
  beforeEach(() => {
    sockets = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('resumes after a reconnect with epoch and last seq, and goes live on the replayed deltas alone', () => {
    const model = createLiveModel();
    const stop = startLive(model, { open, location: loc });
    expect(sockets[0]!.url).toBe('ws://example.test:8080/api/live');
    sockets[0]!.accept();
    sockets[0]!.deliver(snapshot('e1', 5));
    expect(model.store.getState()).toMatchObject({ conn: 'live', live: { epoch: 'e1', seq: 5 } });

    sockets[0]!.drop();
    expect(model.store.getState().conn).toBe('reconnecting');
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(2);
    const url = new URL(sockets[1]!.url);
    expect(url.pathname).toBe('/api/live');
    expect(url.searchParams.get('epoch')).toBe('e1');
    expect(url.searchParams.get('lastSeq')).toBe('5');

    // The server replays what was missed: no snapshot, no resync asked for.
    sockets[1]!.accept();
    expect(model.store.getState().conn).toBe('live');
    sockets[1]!.deliver({
      type: 'delta',
      epoch: 'e1',
      seq: 6,
      ops: [{ op: 'put', entity: 'namespace', value: host }],
    });
    expect(sockets[1]!.sent).toEqual([]);
    expect(model.store.getState().live).toMatchObject({ epoch: 'e1', seq: 6 });
    expect(model.store.getState().live?.topology.namespaces).toEqual([host]);
    expect(model.store.getState().changed).toEqual([host.id]);
    stop();
  });

  it('asks for a snapshot when the resumed stream has a gap, and takes a new epoch whole', () => {
    const model = createLiveModel();
    const stop = startLive(model, { open, location: loc });
    sockets[0]!.accept();
    sockets[0]!.deliver(snapshot('e1', 5));
    sockets[0]!.drop();
    vi.advanceTimersByTime(1000);
    sockets[1]!.accept();
    sockets[1]!.deliver({ type: 'delta', epoch: 'e1', seq: 8, ops: [] });
    expect(sockets[1]!.sent).toEqual([{ type: 'resync' }]);
    expect(model.store.getState().live?.seq).toBe(5);
    sockets[1]!.deliver(snapshot('e2', 0));
    expect(model.store.getState().live).toMatchObject({ epoch: 'e2', seq: 0 });
    stop();
  });

  it('calls the picture stale after 10 s without a connection, and stops for good', () => {
    const model = createLiveModel();
    const stop = startLive(model, { open, location: { protocol: 'https:', host: 'h' } });
    expect(sockets[0]!.url).toBe('wss://h/api/live');
    sockets[0]!.drop();
    expect(model.store.getState().conn).toBe('reconnecting');
    for (let i = 1; i < 6; i++) {
      vi.advanceTimersByTime(30_000);
      sockets[i]?.drop();
    }
    expect(model.store.getState().conn).toBe('stale');
    const count = sockets.length;
    stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(count);
  });
});
