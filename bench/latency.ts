/**
 * Part 2 and 4: change-to-client latency and delta sizes. One change at a time; t0 is when the
 * command that made the change has returned (the change is then in the kernel), t1 the arrival
 * of the first delta carrying it. The time from spawning is recorded too.
 */
import type { Fixture } from './fixture.js';
import type { Change, ChangeKind } from './changes.js';
import { changePair } from './changes.js';
import type { LiveClient } from './live.js';
import type { Summary } from './stats.js';
import { median, round, summarize } from './stats.js';

export interface ChangeRecord {
  kind: ChangeKind;
  nsKind: string;
  /** ms from the command's return to the delta (negative when the delta won the race). */
  fromReturnMs: number | null;
  fromSpawnMs: number | null;
  /** Bytes of the delta message that carried the change, and of all deltas until quiet. */
  matchBytes: number | null;
  windowBytes: number;
  windowMessages: number;
  windowOps: number;
}

export interface LatencyFigures {
  changes: number;
  missed: number;
  fromReturnMs: Summary;
  fromSpawnMs: Summary;
  byKind: Record<
    string,
    { n: number; p50Ms: number; maxMs: number; medianWindowBytes: number; maxWindowBytes: number }
  >;
  deltaBytes: { match: Summary; window: Summary };
  records: ChangeRecord[];
}

const MATCH_TIMEOUT_MS = 5000;

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
  const records: ChangeRecord[] = [];
  for (let j = 0; records.length < changes; j++) {
    const pair = changePair(fx, j);
    for (const change of pair) {
      if (records.length >= changes && change === pair[0]) break;
      records.push(await measureOne(change, client));
      const r = records[records.length - 1] as ChangeRecord;
      if (r.fromReturnMs === null)
        log(`  ${r.kind} in a ${r.nsKind} namespace: no delta within ${MATCH_TIMEOUT_MS} ms`);
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
      medianWindowBytes: median(rs.map((r) => r.windowBytes)),
      maxWindowBytes: Math.max(...rs.map((r) => r.windowBytes)),
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
    },
    records,
  };
}

async function measureOne(change: Change, client: LiveClient): Promise<ChangeRecord> {
  const from = client.received.length;
  const applied = await change.apply();
  const hit = await client.waitFor(
    (r) => r.msg.type === 'delta' && r.msg.ops.some(applied.match),
    from,
    MATCH_TIMEOUT_MS,
  );
  // Let the burst this change caused settle, so its bytes are counted here and not in the next one.
  await client.quiet(150, 2000);
  const window = client.deltasSince(from);
  const rec: ChangeRecord = {
    kind: change.kind,
    nsKind: change.nsKind,
    fromReturnMs: hit ? round(hit.t - applied.tReturn) : null,
    fromSpawnMs: hit ? round(hit.t - applied.tSpawn) : null,
    matchBytes: hit?.bytes ?? null,
    windowBytes: window.reduce((a, r) => a + r.bytes, 0),
    windowMessages: window.length,
    windowOps: window.reduce((a, r) => a + r.msg.ops.length, 0),
  };
  if (change.after) {
    const before = client.received.length;
    await change.after();
    if (client.received.length >= before) await client.quiet(150, 2000);
  }
  return rec;
}
