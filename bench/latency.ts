/**
 * Part 2 and 4: change-to-client latency and delta sizes. One change at a time; t0 is when the
 * command that made the change has returned (the change is then in the kernel), t1 the arrival
 * of the first delta carrying it. The time from spawning is recorded too.
 */
import { stat } from 'node:fs/promises';
import { isNsId, namespaceOfId, nsId } from '../common/ids.js';
import type { DeltaOp } from '../common/protocol.js';
import type { Fixture } from './fixture.js';
import type { Change, ChangeKind } from './changes.js';
import { changePair } from './changes.js';
import type { LiveClient } from './live.js';
import type { Summary } from './stats.js';
import { median, round, summarize } from './stats.js';

export interface ChangeRecord {
  kind: ChangeKind;
  nsKind: string;
  target: string;
  /** ms from the command's return to the delta (negative when the delta won the race). */
  fromReturnMs: number | null;
  fromSpawnMs: number | null;
  /** Bytes of the delta message that carried the change, and of all deltas until quiet. */
  matchBytes: number | null;
  windowBytes: number;
  windowMessages: number;
  windowOps: number;
  /**
   * Bytes of the operations in the window that concern the changed namespace (plus a message
   * envelope): the change's own delta, without what concurrent activity elsewhere added.
   */
  ownBytes: number;
  /** Puts of the host namespace in the window (its process list changes with every process). */
  hostPuts: number;
  /** For a change no delta carried: what the deltas of its window did touch (diagnosis). */
  windowSummary?: string[];
}

export interface LatencyFigures {
  changes: number;
  missed: number;
  fromReturnMs: Summary;
  fromSpawnMs: Summary;
  byKind: Record<
    string,
    {
      n: number;
      p50Ms: number;
      maxMs: number;
      medianOwnBytes: number;
      maxOwnBytes: number;
      medianWindowBytes: number;
    }
  >;
  deltaBytes: { match: Summary; window: Summary; own: Summary };
  records: ChangeRecord[];
}

const MATCH_TIMEOUT_MS = 10_000;

const r2 = (s: Summary): Summary => ({
  n: s.n,
  min: round(s.min),
  p50: round(s.p50),
  p95: round(s.p95),
  max: round(s.max),
});

export async function latencyBench(
  fx: Fixture,
  client: LiveClient,
  changes: number,
  log: (s: string) => void,
): Promise<LatencyFigures> {
  const hostInode = (await stat('/proc/self/ns/net')).ino;
  // Warm-up (not counted): one change and its undo, so start-up work is over before timing.
  for (const change of changePair(fx, 0)) {
    const w = await measureOne(change, client, hostInode, 30_000);
    if (w.fromReturnMs === null) log(`  warm-up ${w.kind}: no delta within 30 s`);
  }
  const records: ChangeRecord[] = [];
  for (let j = 0; records.length < changes; j++) {
    const pair = changePair(fx, j);
    for (const change of pair) {
      if (records.length >= changes && change === pair[0]) break;
      records.push(await measureOne(change, client, hostInode));
      const r = records[records.length - 1] as ChangeRecord;
      if (r.fromReturnMs === null) {
        log(`  ${r.kind} in ${r.target} (${r.nsKind}): no delta within ${MATCH_TIMEOUT_MS} ms`);
        log(`    deltas meanwhile: ${r.windowSummary?.join(' ') || 'none'}`);
      }
    }
  }
  const ok = records.filter((r) => r.fromReturnMs !== null);
  const byKind: LatencyFigures['byKind'] = {};
  for (const kind of new Set(records.map((r) => r.kind))) {
    const rs = records.filter((r) => r.kind === kind);
    const lat = rs.flatMap((r) => (r.fromReturnMs === null ? [] : [Math.max(0, r.fromReturnMs)]));
    byKind[kind] = {
      n: rs.length,
      p50Ms: round(median(lat)),
      maxMs: round(lat.length ? Math.max(...lat) : Number.NaN),
      medianOwnBytes: median(rs.map((r) => r.ownBytes)),
      maxOwnBytes: Math.max(...rs.map((r) => r.ownBytes)),
      medianWindowBytes: median(rs.map((r) => r.windowBytes)),
    };
  }
  return {
    changes: records.length,
    missed: records.length - ok.length,
    // A delta that arrives before node has seen the command exit counts as 0 ms.
    fromReturnMs: r2(summarize(ok.map((r) => Math.max(0, r.fromReturnMs as number)))),
    fromSpawnMs: r2(summarize(ok.map((r) => r.fromSpawnMs as number))),
    byKind,
    deltaBytes: {
      match: summarize(ok.map((r) => r.matchBytes as number)),
      window: summarize(records.map((r) => r.windowBytes)),
      own: summarize(ok.map((r) => r.ownBytes)),
    },
    records,
  };
}

/** The namespace id an operation concerns (ids embed the namespace inode), or null. */
export function opNamespace(op: DeltaOp): string | null {
  const id = op.op === 'remove' ? op.id : op.value.id;
  if (op.entity === 'namespace') return id;
  if (op.op === 'put' && (op.entity === 'interface' || op.entity === 'route')) return op.value.namespace;
  return namespaceOfId(id);
}

export async function measureOne(
  change: Change,
  client: LiveClient,
  hostInode: number,
  timeoutMs = MATCH_TIMEOUT_MS,
): Promise<ChangeRecord> {
  const from = client.received.length;
  const applied = await change.apply();
  const hit = await client.waitFor(
    (r) => r.msg.type === 'delta' && r.msg.ops.some(applied.match),
    from,
    timeoutMs,
  );
  // Let the burst this change caused settle, so its bytes are counted here and not in the next one.
  await client.quiet(150, 2000);
  const window = client.deltasSince(from);
  const matched = hit?.msg.type === 'delta' ? hit.msg.ops.find(applied.match) : undefined;
  const target = isNsId(change.target) ? change.target : matched ? opNamespace(matched) : null;
  const ops = window.flatMap((r) => r.msg.ops);
  const own = ops.filter((op) => target !== null && opNamespace(op) === target);
  const host = nsId(hostInode);
  const rec: ChangeRecord = {
    kind: change.kind,
    nsKind: change.nsKind,
    target: change.target,
    fromReturnMs: hit ? round(hit.t - applied.tReturn) : null,
    fromSpawnMs: hit ? round(hit.t - applied.tSpawn) : null,
    matchBytes: hit?.bytes ?? null,
    windowBytes: window.reduce((a, r) => a + r.bytes, 0),
    windowMessages: window.length,
    windowOps: ops.length,
    ownBytes: own.length
      ? JSON.stringify({ type: 'delta', epoch: 'x'.repeat(16), seq: 1e6, ops: own }).length
      : 0,
    hostPuts: ops.filter((op) => op.op === 'put' && op.entity === 'namespace' && op.value.id === host).length,
  };
  if (!hit) {
    rec.windowSummary = window
      .flatMap((r) => r.msg.ops)
      .slice(0, 12)
      .map((op) => (op.op === 'remove' ? `remove ${op.id}` : `put ${op.value.id}`));
  }
  if (change.after) {
    const before = client.received.length;
    await change.after();
    if (client.received.length >= before) await client.quiet(150, 2000);
  }
  return rec;
}
