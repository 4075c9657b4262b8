/**
 * Feeds the store from the live hub: every published delta, a full model at start-up and on
 * every reset, and checkpoints so that reading any moment replays a bounded number of deltas.
 * It never throws into the hub: a failed write is logged and the next record is a full model,
 * so what is on disk stays consistent.
 */
import type { Topology } from '../../common/model.js';
import type { DeltaOp } from '../../common/protocol.js';
import type { HistoryStore } from './store.js';
import type { RecordKind } from './format.js';

export interface RecorderOptions {
  now?: () => number;
  /** A checkpoint follows once the deltas since the last full model are this many times its size. */
  checkpointFactor?: number;
  /** ...but never before this many bytes of deltas (small models would checkpoint constantly). */
  minCheckpointBytes?: number;
  log?: (line: string) => void;
}

export interface ModelPayload {
  epoch: string;
  hubSeq: number;
  reason: string | null;
  topology: Topology;
}

export interface DeltaPayload {
  epoch: string;
  hubSeq: number;
  ops: DeltaOp[];
}

export class HistoryRecorder {
  private sinceModel = 0;
  private modelBytes = 0;
  private broken = false;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(
    readonly store: HistoryStore,
    private readonly opts: RecorderOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  /** The server started: itself an event on the timeline (what changed while it was down shows). */
  start(topology: Topology, epoch: string): void {
    this.model('s', { epoch, hubSeq: 0, reason: 'server started', topology });
  }

  reset(topology: Topology, epoch: string, reason: string): void {
    this.model('r', { epoch, hubSeq: 0, reason, topology });
  }

  delta(ops: readonly DeltaOp[], next: Topology, epoch: string, hubSeq: number): void {
    if (ops.length === 0) return;
    if (this.broken) {
      this.model('r', { epoch, hubSeq, reason: 'history write failed earlier', topology: next });
      return;
    }
    const payload: DeltaPayload = { epoch, hubSeq, ops: [...ops] };
    const text = JSON.stringify(payload);
    if (!this.write('d', text)) return;
    this.sinceModel += text.length;
    const threshold = Math.max(
      this.opts.minCheckpointBytes ?? 256 * 1024,
      (this.opts.checkpointFactor ?? 1) * this.modelBytes,
    );
    // Only a checkpoint starts a new segment (model() asks the store whether it wants one), and a
    // checkpoint waits for its threshold even when the segment is full: a model bigger than a
    // segment (some MB at 1,000 namespaces) filled it alone, and every delta then wrote a whole
    // model and compressed the segment before it (seconds per change at 1,000 namespaces).
    if (this.sinceModel >= threshold) {
      this.model('c', { epoch, hubSeq, reason: null, topology: next });
    }
  }

  close(): void {
    this.store.close();
  }

  private model(kind: RecordKind, payload: ModelPayload): void {
    const text = JSON.stringify(payload);
    if (!this.write(kind, text, this.store.wantsRotation)) return;
    this.broken = false;
    this.sinceModel = 0;
    this.modelBytes = text.length;
  }

  private write(kind: RecordKind, text: string, newSegment = false): boolean {
    try {
      this.store.append(kind, this.now(), text, newSegment);
      return true;
    } catch (e) {
      if (!this.broken) this.log(`history: write failed: ${e instanceof Error ? e.message : String(e)}`);
      this.broken = true;
      return false;
    }
  }
}
