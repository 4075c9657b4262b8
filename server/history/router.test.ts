import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesResponse, HistoryInfo, TopologyAtResponse } from '../../common/history.js';
import type { Topology } from '../../common/model.js';
import { HistoryQuery } from './query.js';
import { HistoryRecorder } from './recorder.js';
import { historyRouter } from './router.js';
import { diffText } from './snapshotFiles.js';
import { HistoryStore } from './store.js';
import { baseModel, prng, randomStep } from './testing/testModels.js';

const T0 = Date.UTC(2026, 11, 4, 3, 0, 0);
let dir: string;
let server: Server;
let base: string;
let store: HistoryStore;
const models: Topology[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nx-history-router-'));
  const clock = { t: T0 };
  store = HistoryStore.open({ dir, maxBytes: 1e8 });
  const recorder = new HistoryRecorder(store, { now: () => clock.t });
  let model = baseModel();
  recorder.start(model, 'e');
  models.push(model);
  const rand = prng(7);
  for (let i = 1; i <= 10; i++) {
    clock.t = T0 + i * 1000;
    const s = randomStep(model, rand);
    model = s.next;
    recorder.delta(s.ops, model, 'e', i);
    models.push(model);
  }
  const app = express();
  app.use('/api', historyRouter({ query: new HistoryQuery(store), now: () => T0 + 60_000 }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('history API', () => {
  it('GET /topology?at= gives the model as it was, by time and by seq', async () => {
    const r = await get(`/topology?at=${new Date(T0 + 3500).toISOString()}`);
    expect(r.status).toBe(200);
    const { at, seq, recordedAt, ...model } = r.body as TopologyAtResponse;
    expect(model).toEqual(models[3]);
    expect([at, seq, recordedAt]).toEqual([
      new Date(T0 + 3500).toISOString(),
      4,
      new Date(T0 + 3000).toISOString(),
    ]);
    const bySeq = (await get('/topology?at=6')).body as TopologyAtResponse;
    expect(bySeq.seq).toBe(6);
    expect(bySeq.namespaces).toEqual(models[5]!.namespaces);
  });

  it('a moment before history: 404 saying where it begins; bad input: 400 naming the field', async () => {
    const early = await get('/topology?at=2026-12-04T02:00:00Z');
    expect(early.status).toBe(404);
    expect(JSON.stringify(early.body)).toContain('before history begins (2026-12-04T03:00:00.000Z, seq 1)');
    for (const [q, field] of [
      ['/topology?at=yesterday', 'at:'],
      ['/topology?at=1&x=2', 'unknown parameter x'],
      ['/topology?at=1&at=2', 'at: give it once'],
      ['/changes?from=soon', 'from:'],
      ['/changes', 'from: required'],
      ['/changes?from=1&to=2026-13-99T00:00Z', 'to:'],
      ['/history?buckets=many', 'buckets:'],
    ] as const) {
      const r = await get(q);
      expect(r.status, q).toBe(400);
      expect((r.body as { error: { message: string } }).error.message, q).toContain(field);
    }
  });

  it('GET /changes lists each change with its time, ops and a line', async () => {
    const r = (
      await get(`/changes?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 5000).toISOString()}`)
    ).body as ChangesResponse;
    expect(r.changes.map((c) => c.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(r.changes[0]!.time).toBe(new Date(T0 + 1000).toISOString());
    for (const c of r.changes) {
      expect(c.ops.length).toBeGreaterThan(0);
      expect(c.line).toMatch(/ (added|removed|went|changed|mtu|address)/);
    }
  });

  it('GET /history gives bounds and change density', async () => {
    const info = (await get('/history?buckets=6')).body as HistoryInfo;
    expect(info.enabled).toBe(true);
    expect(info.first).toEqual({ seq: 1, time: new Date(T0).toISOString() });
    expect(info.last!.seq).toBe(11);
    expect(info.buckets).toHaveLength(6);
    expect(info.buckets.reduce((n, b) => n + b.changes, 0)).toBe(10);
    expect(info.buckets[0]!.starts).toBe(1);
  });

  it('diff text names both files and each change', () => {
    const a = { topology: models[0]!, takenAt: '2026-12-04T03:00:00.000Z', host: 'h1' };
    const b = { topology: models[10]!, takenAt: null, host: null };
    const text = diffText('a.json', a, 'b.json', b);
    expect(text.split('\n')[0]).toMatch(
      /^a\.json \(2026-12-04T03:00:00\.000Z, host h1\) -> b\.json \(time unknown\): \d+ changes?$/,
    );
    expect(diffText('a.json', a, 'a.json', a)).toContain('no changes');
  });
});

describe('history API without history', () => {
  it('says history is off', async () => {
    const app = express();
    app.use('/api', historyRouter({ query: null }));
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/api`;
    const r = await fetch(`${url}/topology?at=1`);
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('--no-history');
    const info = (await (await fetch(`${url}/history`)).json()) as HistoryInfo;
    expect(info.enabled).toBe(false);
    await new Promise((r2) => s.close(r2));
  });
});
