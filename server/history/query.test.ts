import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { HistoryQuery } from './query.js';
import { HistoryRecorder } from './recorder.js';
import { HistoryStore } from './store.js';
import { baseModel, prng, randomStep } from './testing/testModels.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(dir: string, clock: { t: number }, segmentBytes?: number) {
  const store = HistoryStore.open({ dir, maxBytes: 1e9, ...(segmentBytes ? { segmentBytes } : {}) });
  const recorder = new HistoryRecorder(store, {
    now: () => clock.t,
    minCheckpointBytes: 2000,
    checkpointFactor: 2,
  });
  return { store, recorder, query: new HistoryQuery(store) };
}

describe('recording and reading back', () => {
  it('gives the model as it was at every recorded moment, across segments and a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-history-'));
    dirs.push(dir);
    const clock = { t: Date.UTC(2026, 11, 4, 3, 0, 0) };
    const rand = prng(16);
    const seen: Array<{ time: number; model: Topology }> = [];
    let model = baseModel();
    let h = open(dir, clock, 20_000);
    h.recorder.start(model, 'e1');
    seen.push({ time: clock.t, model });
    for (let i = 0; i < 400; i++) {
      clock.t += 1 + Math.floor(rand() * 3000);
      const step = randomStep(model, rand);
      model = step.next;
      h.recorder.delta(step.ops, model, 'e1', i + 1);
      seen.push({ time: clock.t, model });
      if (i === 250) {
        h.recorder.close();
        clock.t += 10_000;
        // While the server was down the network changed: the start record catches it up.
        model = randomStep(model, rand).next;
        h = open(dir, clock, 20_000);
        h.recorder.start(model, 'e2');
        seen.push({ time: clock.t, model });
      }
    }
    expect(h.store.segments.length).toBeGreaterThan(3);
    for (const s of seen) expect(h.query.modelAt({ time: s.time })!.topology).toEqual(s.model);
    expect(h.query.modelAt({ time: seen[0]!.time - 1 })).toBeNull();

    const changes = h.query.changes({ time: seen[0]!.time }, { time: clock.t }, 10_000);
    expect(changes.truncated).toBe(false);
    expect(changes.changes.filter((c) => c.kind === 'change')).toHaveLength(400);
    const restart = changes.changes.find((c) => c.kind === 'start')!;
    expect(restart.line).toMatch(/^netns-explorer started: /);
    expect(restart.ops.length).toBeGreaterThan(0);
    expect(h.query.changes({ time: seen[0]!.time }, { time: clock.t }, 10).truncated).toBe(true);

    const buckets = h.query.buckets(seen[0]!.time, clock.t + 1, 10);
    expect(buckets.reduce((n, b) => n + b.changes, 0)).toBe(400);
    expect(buckets.reduce((n, b) => n + b.starts, 0)).toBe(2);
    h.recorder.close();
  });

  it('after a failed write the next record is a full model, so replays stay right', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-history-'));
    dirs.push(dir);
    const clock = { t: 1_000_000 };
    const h = open(dir, clock);
    const rand = prng(3);
    let model = baseModel();
    h.recorder.start(model, 'e');
    const realAppend = h.store.append.bind(h.store);
    h.store.append = () => {
      throw new Error('ENOSPC');
    };
    const lost = randomStep(model, rand);
    model = lost.next;
    h.recorder.delta(lost.ops, model, 'e', 1);
    h.store.append = realAppend;
    const step = randomStep(model, rand);
    model = step.next;
    clock.t += 10;
    h.recorder.delta(step.ops, model, 'e', 2);
    expect(h.query.modelAt({ time: clock.t })!.topology).toEqual(model);
    h.recorder.close();
  });
});
