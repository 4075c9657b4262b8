/**
 * A model bigger than a segment (a few MB at 1,000 namespaces against 4 MB segments) fills its
 * segment alone: the deltas after it must go on into that segment until the checkpoint threshold,
 * not each write a whole model into a new segment (which cost seconds per change at 1,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryQuery } from './query.js';
import { HistoryRecorder } from './recorder.js';
import { HistoryStore } from './store.js';
import { baseModel, prng, randomStep } from './testing/testModels.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a model bigger than a segment', () => {
  it('is written once per checkpoint threshold, not once per delta, and every moment reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-history-big-'));
    dirs.push(dir);
    let model = baseModel();
    const modelBytes = JSON.stringify(model).length;
    const store = HistoryStore.open({ dir, maxBytes: 1e9, segmentBytes: Math.floor(modelBytes / 4) });
    let t = Date.UTC(2026, 11, 4, 3, 0, 0);
    const recorder = new HistoryRecorder(store, { now: () => t, minCheckpointBytes: 1, checkpointFactor: 1 });
    recorder.start(model, 'e1');
    const rand = prng(7);
    const seen = [{ time: t, model }];
    let deltaBytes = 0;
    for (let i = 0; i < 60; i++) {
      t += 1000;
      const step = randomStep(model, rand);
      model = step.next;
      deltaBytes += JSON.stringify(step.ops).length;
      recorder.delta(step.ops, model, 'e1', i + 1);
      seen.push({ time: t, model });
    }
    const records = store.segments.flatMap((s) => s.records);
    const models = records.filter((r) => r.kind !== 'd').length;
    // One model to start with, then one per model's worth of deltas (the threshold), not 60.
    expect(models).toBeLessThanOrEqual(1 + Math.ceil(deltaBytes / modelBytes) + 1);
    expect(records.filter((r) => r.kind === 'd')).toHaveLength(60);
    // Each segment still begins with a full model, and rotation still happens at checkpoints.
    for (const s of store.segments) expect(s.records[0]!.kind).not.toBe('d');
    expect(store.segments.length).toBe(models);
    const query = new HistoryQuery(store);
    for (const s of seen) expect(query.modelAt({ time: s.time })!.topology).toEqual(s.model);
    recorder.close();
  });
});
