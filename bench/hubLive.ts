/**
 * The live server on the hub scene (issue 12's live targets at N = 1000): how soon `/api/health`
 * answers after the server is started, when the first snapshot reaches a WebSocket client,
 * change-to-client latency over address changes in member namespaces, idle CPU and RSS of the
 * server with its children. Reuses the live bench's server and client (live.ts), its per-change
 * measurement (latency.ts) and its /proc readings (procfs.ts).
 */
import { stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { nsId } from '../common/ids.js';
import type { DeltaOp } from '../common/protocol.js';
import type { Change } from './changes.js';
import type { HubScene } from './hubScene.js';
import type { ChangeRecord } from './latency.js';
import { measureOne } from './latency.js';
import type { ServerHandle } from './live.js';
import { LiveClient, idleFigure, startServer } from './live.js';
import { IP, cmd, pollFor } from './proc.js';
import { treeRss } from './procfs.js';
import type { Summary } from './stats.js';
import { round, summarize } from './stats.js';

export interface HubLiveOptions {
  /** Address changes timed (adds and deletes alternate, each undoing the one before). */
  changes: number;
  idleSeconds: number;
}

export interface HubLiveFigures {
  size: number;
  namespacesInSnapshot: number;
  /** Load averages (1, 5, 15 min) when the server was started and when the idle reading ended. */
  loadavg: { atStart: number[]; afterLatency: number[]; afterIdle: number[] };
  /** ms from spawning the server to its first 200 from /api/health. */
  healthMs: number | null;
  /** ms from spawning the server to the first snapshot message on a client connected at once. */
  firstSnapshotMs: number | null;
  /** Progress messages the client got before its snapshot. */
  progressMessages: number;
  latency: { changes: number; missed: number; fromReturnMs: Summary; records: ChangeRecord[] } | null;
  idle: { seconds: number; cpuSeconds: number; percentOfOneCore: number; messages: number } | null;
  /** Server plus children (ip monitor, helpers), in MB: after the snapshot, and the largest seen. */
  rssMb: { afterSnapshot: number; max: number; children: number };
  error: string | null;
}

const mb = (b: number): number => round(b / (1024 * 1024));
const load = (): number[] => loadavg().map(round);

/** Polls /api/health (no auth) until it answers 200; returns when that happened. */
async function healthAt(server: ServerHandle, deadlineMs: number): Promise<number | null> {
  const ok = await pollFor(
    async () => {
      const r = await fetch(`${server.origin}/api/health`).catch(() => null);
      return r?.status === 200 ? performance.now() : null;
    },
    deadlineMs,
    10,
  );
  return ok ?? null;
}

/** An address added to (then removed from) eth0 of a member namespace, matched by its interface put. */
function addressChange(leaf: string, inode: number, cidr: string, add: boolean): Change {
  const match = (op: DeltaOp): boolean =>
    op.op === 'put' &&
    op.entity === 'interface' &&
    op.value.namespace === nsId(inode) &&
    op.value.name === 'eth0' &&
    op.value.addresses.some((a) => a.cidr === cidr) === add;
  return {
    kind: add ? 'addr-add' : 'addr-del',
    nsKind: 'named',
    target: nsId(inode),
    apply: async () => {
      const r = await cmd([IP, '-n', leaf, 'addr', add ? 'add' : 'del', cidr, 'dev', 'eth0']);
      if (r.code !== 0) throw new Error(`ip -n ${leaf} addr: ${r.stderr.trim()}`);
      return { tSpawn: r.t0, tReturn: r.t1, match };
    },
  };
}

/** Change number j: an add (even j) or the delete of the address added just before. */
async function changeNumber(scene: HubScene, j: number): Promise<Change> {
  const pair = Math.floor(j / 2);
  // A stride coprime with the member count spreads the changes over the scene.
  const leaf = scene.leaves[(pair * 97) % scene.leaves.length]!;
  const inode = (await stat(`/run/netns/${leaf}`)).ino;
  return addressChange(leaf, inode, `10.${scene.octet + 3}.0.${1 + (pair % 250)}/32`, j % 2 === 0);
}

export async function hubLiveBench(
  scene: HubScene,
  opts: HubLiveOptions,
  log: (s: string) => void,
  onStop: (fn: () => Promise<void>) => () => void,
): Promise<HubLiveFigures> {
  const f: HubLiveFigures = {
    size: scene.leaves.length,
    namespacesInSnapshot: 0,
    loadavg: { atStart: load(), afterLatency: [], afterIdle: [] },
    healthMs: null,
    firstSnapshotMs: null,
    progressMessages: 0,
    latency: null,
    idle: null,
    rssMb: { afterSnapshot: 0, max: 0, children: 0 },
    error: null,
  };
  const t0 = performance.now();
  const server = await startServer();
  const unregister = onStop(server.stop);
  let client: LiveClient | null = null;
  const rssSample = async (): Promise<number> => {
    const r = await treeRss(server.pid);
    f.rssMb.max = Math.max(f.rssMb.max, mb(r.total));
    f.rssMb.children = Math.max(f.rssMb.children, mb(r.children));
    return mb(r.total);
  };
  try {
    // The server prints its URL once it listens; the client connects at once and is sent
    // progress until the first read is done.
    const [health, c] = await Promise.all([healthAt(server, 60_000), LiveClient.connect(server)]);
    client = c;
    f.healthMs = health === null ? null : round(health - t0);
    const snap = await client.waitFor((r) => r.msg.type === 'snapshot', 0, 300_000);
    if (!snap || snap.msg.type !== 'snapshot') throw new Error('no snapshot within 300 s');
    f.firstSnapshotMs = round(snap.t - t0);
    f.namespacesInSnapshot = snap.msg.topology.namespaces.length;
    f.progressMessages = client.received.filter((r) => r.msg.type === 'progress').length;
    log(
      `  live ${f.size}: health after ${f.healthMs} ms, snapshot of ${f.namespacesInSnapshot} namespaces after ${f.firstSnapshotMs} ms (${f.progressMessages} progress messages), load ${f.loadavg.atStart.join(' ')}`,
    );
    await client.quiet(1000, 30_000);
    f.rssMb.afterSnapshot = await rssSample();
    // Warm-up (not counted): one add and its delete.
    for (const j of [0, 1]) await measureOne(await changeNumber(scene, j), client, 0);
    const records: ChangeRecord[] = [];
    for (let j = 2; records.length < opts.changes; j++) {
      records.push(await measureOne(await changeNumber(scene, j), client, 0));
    }
    const ok = records.flatMap((r) => (r.fromReturnMs === null ? [] : [Math.max(0, r.fromReturnMs)]));
    const s = summarize(ok);
    f.latency = {
      changes: records.length,
      missed: records.length - ok.length,
      fromReturnMs: { n: s.n, min: round(s.min), p50: round(s.p50), p95: round(s.p95), max: round(s.max) },
      records,
    };
    f.loadavg.afterLatency = load();
    log(
      `  live ${f.size}: ${f.latency.changes} address changes, p50 ${round(s.p50)} ms, p95 ${round(s.p95)} ms, max ${round(s.max)} ms, missed ${f.latency.missed}, load ${f.loadavg.afterLatency.join(' ')}`,
    );
    await rssSample();
    await client.quiet(1000, 30_000);
    f.idle = await idleFigure(server.pid, client, opts.idleSeconds);
    f.loadavg.afterIdle = load();
    await rssSample();
    log(
      `  live ${f.size}: idle ${f.idle.percentOfOneCore}% of one core over ${f.idle.seconds} s (${f.idle.messages} messages), RSS ${f.rssMb.max} MB with children (${f.rssMb.children} MB children), load ${f.loadavg.afterIdle.join(' ')}`,
    );
  } catch (e) {
    f.error = e instanceof Error ? e.message : String(e);
    log(`  live bench failed: ${f.error}\n${server.stderrTail().slice(-800)}`);
  } finally {
    client?.close();
    unregister();
    await server.stop();
  }
  return f;
}

/** The live figures as a markdown table (one row per size). */
export function hubLiveMarkdown(figs: HubLiveFigures[]): string {
  const v = (x: number | null | undefined, unit: string): string =>
    x === null || x === undefined || Number.isNaN(x) ? '-' : `${x}${unit}`;
  return [
    '## Live server on the hub scene',
    '',
    'Started 20 s after the last port joined the bridge (each port sends one more link event ~15 s',
    'after joining, and each makes the server re-read the hub namespace).',
    '',
    '| N | health answers | first snapshot | change -> client p50 / p95 (n) | idle CPU, children incl. | RSS with children | load at start / after idle |',
    '|---|---|---|---|---|---|---|',
    ...figs.map(
      (f) =>
        `| ${f.size} | ${v(f.healthMs, ' ms')} | ${v(f.firstSnapshotMs, ' ms')} | ${v(f.latency?.fromReturnMs.p50, ' ms')} / ${v(f.latency?.fromReturnMs.p95, ' ms')} (${f.latency?.changes ?? 0}, ${f.latency?.missed ?? 0} missed) | ${v(f.idle?.percentOfOneCore, ' %')} over ${v(f.idle?.seconds, ' s')} | ${v(f.rssMb.max, ' MB')} | ${f.loadavg.atStart.join(' ')} / ${f.loadavg.afterIdle.join(' ')} |${f.error ? ` error: ${f.error}` : ''}`,
    ),
    '',
  ].join('\n');
}
