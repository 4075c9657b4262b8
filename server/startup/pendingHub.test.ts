/** A hub without a model yet (the first read runs): progress to clients, then their snapshot. */
import { describe, expect, it } from 'vitest';
import { emptyTopology, normalizeTopology } from '../../common/model.js';
import type { ServerMessage } from '../../common/protocol.js';
import { nsId } from '../../common/ids.js';
import { Hub } from '../hub/hub.js';
import type { MinimalSocket } from '../hub/hub.js';
import { progressText } from './firstRead.js';

class Sock implements MinimalSocket {
  sent: ServerMessage[] = [];
  bufferedAmount = 0;
  readyState = 1;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ServerMessage);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  ping(): void {}
}

const model = normalizeTopology({
  ...emptyTopology(),
  namespaces: [
    {
      id: nsId(7),
      inode: 7,
      kind: 'named',
      name: 'a',
      netnsNames: ['a'],
      pids: [],
      processes: [],
      containers: [],
      mounts: [],
      error: null,
    },
  ],
});

describe('pending hub', () => {
  it('sends progress, ignores resync and deltas, then one snapshot of the first model', () => {
    const hub = new Hub(emptyTopology(), { readOnly: true, pending: true });
    const early = new Sock();
    const h = hub.add(early);
    hub.progress({ type: 'progress', done: 64, total: 1002, attempt: 1 });
    const late = new Sock();
    hub.add(late, { epoch: 'x', lastSeq: 3 });
    h.message(JSON.stringify({ type: 'resync' }));
    hub.publish([{ op: 'remove', entity: 'namespace', id: nsId(1) }], emptyTopology());
    expect(early.sent.map((m) => m.type)).toEqual(['progress']);
    expect(late.sent).toEqual([{ type: 'progress', done: 64, total: 1002, attempt: 1 }]);
    expect(hub.isReady).toBe(false);

    hub.ready(model);
    hub.progress({ type: 'progress', done: 1002, total: 1002, attempt: 1 });
    for (const s of [early, late]) {
      expect(s.sent.map((m) => m.type)).toEqual(['progress', 'snapshot']);
      const snap = s.sent[1]!;
      expect(snap.type === 'snapshot' && snap.topology).toEqual(model);
    }
    expect(hub.isReady).toBe(true);
  });

  it('says how far the read is', () => {
    expect(progressText(null)).toBe('finding namespaces');
    expect(progressText({ type: 'progress', done: 412, total: 1002, attempt: 1 })).toBe(
      'reading namespaces 412 of 1002',
    );
    expect(progressText({ type: 'progress', done: 0, total: 1002, attempt: 2 })).toBe(
      'reading namespaces 0 of 1002 (attempt 2)',
    );
  });
});
