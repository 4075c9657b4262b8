/**
 * Reading history: the model at a moment (the last full model at or before it, plus the deltas
 * after it), the changes between two moments with one line each, and change density for the
 * timeline. Only the headers are scanned to find a moment; JSON is parsed only for what is replayed.
 */
import { diffTopology } from '../../common/delta.js';
import { describeOps, summarize } from '../../common/describeChange.js';
import type { ChangeEntry, HistoryBucket, Moment } from '../../common/history.js';
import { emptyTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import type { DecodedLine, ScannedRecord } from './format.js';
import type { DeltaPayload, ModelPayload } from './recorder.js';
import { Replay } from './replay.js';
import type { HistoryStore, Segment } from './store.js';

export interface Position {
  segment: number;
  index: number;
}

export interface MomentModel {
  topology: Topology;
  seq: number;
  time: number;
}

function key(r: ScannedRecord, m: Moment): number {
  return 'seq' in m ? r.seq : r.time;
}
function target(m: Moment): number {
  return 'seq' in m ? m.seq : m.time;
}

/** Index of the last record whose key is <= the target, or -1. */
function lastAtOrBefore(records: readonly ScannedRecord[], m: Moment): number {
  let lo = 0;
  let hi = records.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(records[mid]!, m) <= target(m)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export class HistoryQuery {
  constructor(private readonly store: HistoryStore) {}

  private get segments(): readonly Segment[] {
    return this.store.segments;
  }

  bounds(): { first: ScannedRecord; last: ScannedRecord } | null {
    const segs = this.segments;
    if (segs.length === 0) return null;
    const lastSeg = segs[segs.length - 1]!;
    return { first: segs[0]!.records[0]!, last: lastSeg.records[lastSeg.records.length - 1]! };
  }

  /** The last record at or before the moment; null when the moment is before history begins. */
  locate(m: Moment): Position | null {
    const segs = this.segments;
    for (let s = segs.length - 1; s >= 0; s--) {
      const index = lastAtOrBefore(segs[s]!.records, m);
      if (index >= 0) return { segment: s, index };
    }
    return null;
  }

  modelAt(m: Moment): MomentModel | null {
    const pos = this.locate(m);
    if (!pos) return null;
    const seg = this.segments[pos.segment]!;
    let start = pos.index;
    while (seg.records[start]!.kind === 'd') start--;
    const lines = this.store.read(seg, start, pos.index);
    const replay = new Replay((JSON.parse(lines[0]!.payload) as ModelPayload).topology);
    for (const line of lines.slice(1)) replay.apply((JSON.parse(line.payload) as DeltaPayload).ops);
    const rec = seg.records[pos.index]!;
    return { topology: replay.topology(), seq: rec.seq, time: rec.time };
  }

  /** Changes after `from` up to and including `to`, oldest first, at most `limit`. */
  changes(from: Moment, to: Moment, limit: number): { changes: ChangeEntry[]; truncated: boolean } {
    const start = this.locate(from);
    const end = this.locate(to);
    const out: ChangeEntry[] = [];
    if (!end) return { changes: out, truncated: false };
    // Before history began: start from its first model (it is the first event listed).
    const base = start ?? { segment: 0, index: 0 };
    let replay: Replay;
    if (start)
      replay = new Replay(
        this.modelAt({ seq: this.segments[start.segment]!.records[start.index]!.seq })!.topology,
      );
    else replay = new Replay(emptyTopology());
    let first = start ? base.index + 1 : 0;
    for (let s = base.segment; s <= end.segment; s++) {
      const seg = this.segments[s]!;
      const last = s === end.segment ? end.index : seg.records.length - 1;
      if (first <= last) {
        for (const line of this.store.read(seg, first, last)) {
          const entry = this.step(replay, line);
          if (entry.replay) replay = entry.replay;
          if (entry.change) out.push(entry.change);
          if (out.length >= limit) return { changes: out, truncated: true };
        }
      }
      first = 0;
    }
    return { changes: out, truncated: false };
  }

  private step(replay: Replay, line: DecodedLine): { change?: ChangeEntry; replay?: Replay } {
    const time = new Date(line.time).toISOString();
    if (line.kind === 'd') {
      const { ops } = JSON.parse(line.payload) as DeltaPayload;
      const text = summarize(describeOps(ops, replay));
      replay.apply(ops);
      return { change: { seq: line.seq, time, kind: 'change', ops, line: text } };
    }
    if (line.kind === 'c') return {};
    const model = JSON.parse(line.payload) as ModelPayload;
    const ops = diffTopology(replay.topology(), model.topology) ?? [];
    const what =
      line.kind === 's' ? 'netns-explorer started' : `continuity reset (${model.reason ?? 'unknown'})`;
    const text = ops.length > 0 ? `${what}: ${summarize(describeOps(ops, replay))}` : what;
    return {
      change: { seq: line.seq, time, kind: line.kind === 's' ? 'start' : 'reset', ops, line: text },
      replay: new Replay(model.topology),
    };
  }

  /** Change counts in `count` equal slices of [from, to) (headers only: cheap). */
  buckets(from: number, to: number, count: number): HistoryBucket[] {
    const width = Math.max(1, (to - from) / count);
    const out: HistoryBucket[] = Array.from({ length: count }, (_, i) => ({
      time: Math.round(from + i * width),
      changes: 0,
      starts: 0,
    }));
    for (const seg of this.segments) {
      for (const r of seg.records) {
        if (r.time < from || r.time > to || r.kind === 'c') continue;
        const b = out[Math.min(count - 1, Math.floor((r.time - from) / width))]!;
        if (r.kind === 'd') b.changes++;
        else b.starts++;
      }
    }
    return out;
  }
}
