/**
 * Two host changes pending at once, the second made on top of the first: undoing the first
 * (declined, timed out or its connection lost) undoes the second too, newest first, so the
 * stand-in host is exactly as before the first (`ip -j`), and both are reported rolled back.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nsId } from '../../common/ids.js';
import { cleanupPrefix, uniquePrefix } from '../../test/kernel.js';
import { LiveConnectionRegistry } from '../http/liveConnections.js';
import type { Kit } from './testing/kit.js';
import { buildStandIn, standInNames } from './testing/standIn.js';
import { kernelState, startKit } from './testing/kit.js';

vi.setConfig({ testTimeout: 120_000 });

const P = uniquePrefix('ck');
const { host: HOST, other: OTHER, dev: DEV } = standInNames(P);
const live = new LiveConnectionRegistry();
let kit: Kit;
let hostId: string;
let devId: string;

const state = () => kernelState([HOST, OTHER], P);

beforeAll(async () => {
  const inode = await buildStandIn(P);
  hostId = nsId(inode);
  // A window far longer than the test: only the answers below settle anything.
  kit = await startKit({ confirmWindowMs: 600_000, liveConnections: live, hostStandInInode: inode });
  devId = kit.topology().interfaces.find((i) => i.namespace === hostId && i.name === DEV)!.id;
});

afterAll(async () => {
  await kit?.close();
  await cleanupPrefix(P);
});

describe('stacked host changes', () => {
  it('undoing the first undoes the second, made on top of it: ip -j exactly as before both', async () => {
    const before = await state();
    const conn = live.add();
    const headers = { 'X-Live-Connection': conn };
    const first = await kit.call('POST', `/interfaces/${devId}/addresses`, { cidr: '10.96.1.1/24' }, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await kit.call(
      'POST',
      '/routes',
      { namespace: hostId, dst: '10.96.5.0/24', dev: DEV },
      headers,
    );
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const id = (r: typeof first) => (r.body.checkpoint as { id: string }).id;

    const undo = await kit.call('POST', `/checkpoints/${id(first)}`, { keep: false }, headers);
    expect(undo).toMatchObject({ status: 200, body: { state: 'rolledBack', residue: [] } });
    expect(await state()).toBe(before);
    // The second is settled as well: nothing left to keep.
    expect((await kit.call('POST', `/checkpoints/${id(second)}`, { keep: true }, headers)).status).toBe(404);
    const rollbacks = readFileSync(kit.deps.auditLogPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; ok: boolean; params: { reason?: string } | null })
      .filter((l) => l.action.endsWith('.rollback'));
    expect(rollbacks).toEqual([
      expect.objectContaining({
        action: 'route.add.rollback',
        ok: true,
        params: { reason: `undone with ${id(first)}, made before it` },
      }),
      expect.objectContaining({ action: 'address.add.rollback', ok: true, params: { reason: 'declined' } }),
    ]);
    live.closed(conn);
  });
});
