/**
 * Host changes under a checkpoint, against the real kernel, in a namespace that stands in for the
 * host (hostStandInInode): confirmed, declined, timed out, connection lost mid-window, and the
 * proofs (another connection, a script's token). After a rollback, `ip -j` link/addr/route of the
 * stand-in is exactly as before.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nsId } from '../../common/ids.js';
import { cleanupPrefix, ipJson, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import { onSpawn } from '../exec/run.js';
import { LiveConnectionRegistry } from '../http/liveConnections.js';
import type { Kit } from './testing/kit.js';
import { buildStandIn, standInNames } from './testing/standIn.js';
import { kernelState, startKit } from './testing/kit.js';

vi.setConfig({ testTimeout: 120_000 });

const P = uniquePrefix('cp');
const { host: HOST, other: OTHER, dev: DEV } = standInNames(P);
// Long enough for a request and its answer on a loaded 2-core machine (4 s was missed at load 30).
const WINDOW_MS = 10_000;
const live = new LiveConnectionRegistry();
let kit: Kit;
let hostId: string;
let devId: string;
let auditPath: string;

const state = () => kernelState([HOST, OTHER], P);
const addresses = async () =>
  (
    await ipJson<Array<{ addr_info: Array<{ local: string }> }>>(['addr', 'show', 'dev', DEV], { name: HOST })
  ).flatMap((l) => l.addr_info.map((a) => a.local));

beforeAll(async () => {
  const inode = await buildStandIn(P);
  hostId = nsId(inode);
  kit = await startKit({ confirmWindowMs: WINDOW_MS, liveConnections: live, hostStandInInode: inode });
  auditPath = kit.deps.auditLogPath;
  devId = kit.topology().interfaces.find((i) => i.namespace === hostId && i.name === DEV)!.id;
});

afterAll(async () => {
  await kit?.close();
  await cleanupPrefix(P);
});

interface Checkpoint {
  id: string;
  token?: string;
  windowMs: number;
  expiresAt: string;
}
const checkpointOf = (body: Record<string, unknown>) => body.checkpoint as Checkpoint;

describe('host changes under a checkpoint (stand-in host namespace)', () => {
  it('confirmed from the same connection: the change stays after the window', async () => {
    const conn = live.add();
    const r = await kit.call(
      'POST',
      `/interfaces/${devId}/addresses`,
      { cidr: '10.99.1.1/24' },
      {
        'X-Live-Connection': conn,
      },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const cp = checkpointOf(r.body);
    expect(cp.windowMs).toBe(WINDOW_MS);
    expect(cp.token).toBeUndefined();
    const keep = await kit.call(
      'POST',
      `/checkpoints/${cp.id}`,
      { keep: true },
      { 'X-Live-Connection': conn },
    );
    expect(keep).toMatchObject({ status: 200, body: { state: 'kept' } });
    // Nothing is pending any more: closing the connection and the window passing change nothing.
    live.closed(conn);
    await pollUntil(
      () => Date.now() > Date.parse(cp.expiresAt) + 1000,
      'the window to pass',
      WINDOW_MS + 5000,
    );
    expect(await addresses()).toContain('10.99.1.1');
    expect(
      (await kit.call('POST', `/checkpoints/${cp.id}`, { keep: false }, { 'X-Live-Connection': conn }))
        .status,
    ).toBe(404);
    await sh(`ip -n ${HOST} addr del 10.99.1.1/24 dev ${DEV}`);
  });

  it('declined: rolled back at once, ip -j exactly as before', async () => {
    const before = await state();
    const conn = live.add();
    const r = await kit.call(
      'POST',
      '/routes',
      { namespace: hostId, dst: '10.99.5.0/24', dev: DEV },
      {
        'X-Live-Connection': conn,
      },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await state()).not.toBe(before);
    const undo = await kit.call(
      'POST',
      `/checkpoints/${checkpointOf(r.body).id}`,
      { keep: false },
      {
        'X-Live-Connection': conn,
      },
    );
    expect(undo).toMatchObject({ status: 200, body: { state: 'rolledBack', residue: [] } });
    expect(await state()).toBe(before);
    live.closed(conn);
  });

  it('timed out (no answer): rolled back after the window, audited', async () => {
    const before = await state();
    const conn = live.add();
    const r = await kit.call(
      'POST',
      '/veth',
      {
        a: { namespace: hostId, name: `${P}x`, address: '10.99.2.1/24' },
        b: { namespace: nsId(statSync(`/run/netns/${OTHER}`).ino), name: `${P}y` },
      },
      { 'X-Live-Connection': conn },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await state()).not.toBe(before);
    await pollUntil(async () => (await state()) === before, 'rollback after the window', WINDOW_MS + 20_000);
    await pollUntil(() => readFileSync(auditPath, 'utf8').includes('not confirmed in time'), 'audit line');
    live.closed(conn);
  });

  it('connection lost mid-window: rolled back without waiting for the window', async () => {
    const before = await state();
    const conn = live.add();
    const r = await kit.call(
      'POST',
      '/routes',
      { namespace: hostId, dst: '10.99.7.0/24', dev: DEV },
      { 'X-Live-Connection': conn },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await state()).not.toBe(before);
    const lostAt = Date.now();
    live.closed(conn);
    await pollUntil(
      async () => (await state()) === before,
      'rollback on connection loss',
      WINDOW_MS + 20_000,
    );
    // It did not wait for the timer: the audit says why.
    expect(readFileSync(auditPath, 'utf8')).toContain('connection lost');
    expect(Date.parse(checkpointOf(r.body).expiresAt)).toBeGreaterThan(lostAt);
  });

  it('only the bound connection (or the script holding the token) may confirm', async () => {
    const before = await state();
    const conn = live.add();
    const stranger = live.add();
    const r = await kit.call(
      'POST',
      `/interfaces/${devId}/addresses`,
      { cidr: '10.99.3.1/24' },
      {
        'X-Live-Connection': conn,
      },
    );
    const id = checkpointOf(r.body).id;
    for (const headers of [{ 'X-Live-Connection': stranger }, {}, { 'X-Checkpoint-Token': 'guess' }] as Array<
      Record<string, string>
    >)
      expect((await kit.call('POST', `/checkpoints/${id}`, { keep: true }, headers)).status).toBe(403);
    expect(
      (await kit.call('POST', `/checkpoints/${id}`, { keep: false }, { 'X-Live-Connection': conn })).body,
    ).toMatchObject({ state: 'rolledBack' });
    expect(await state()).toBe(before);

    // A script (no live connection) gets a token bound to its change.
    const s = await kit.call('POST', `/interfaces/${devId}/addresses`, { cidr: '10.99.4.1/24' });
    const cp = checkpointOf(s.body);
    expect(cp.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(
      (await kit.call('POST', `/checkpoints/${cp.id}`, { keep: true }, { 'X-Live-Connection': conn })).status,
    ).toBe(403);
    expect(
      (await kit.call('POST', `/checkpoints/${cp.id}`, { keep: true }, { 'X-Checkpoint-Token': cp.token! }))
        .body,
    ).toMatchObject({ state: 'kept' });
    expect(await addresses()).toContain('10.99.4.1');
    await sh(`ip -n ${HOST} addr del 10.99.4.1/24 dev ${DEV}`);
    live.closed(conn);
    live.closed(stranger);
  });

  it('a connection that is not open cannot make a host change: 409, nothing spawned', async () => {
    const before = await state();
    const spawned: string[][] = [];
    const stop = onSpawn((argv) => spawned.push([...argv]));
    let r: Awaited<ReturnType<Kit['call']>>;
    try {
      r = await kit.call(
        'POST',
        `/interfaces/${devId}/addresses`,
        { cidr: '10.99.6.1/24' },
        {
          'X-Live-Connection': 'closed-or-never-opened',
        },
      );
    } finally {
      stop();
    }
    expect(r.status).toBe(409);
    expect(spawned).toEqual([]);
    expect(await state()).toBe(before);
  });
});
