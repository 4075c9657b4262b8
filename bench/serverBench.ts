/**
 * Parts 2-6 against one running server per size: snapshot message size and server RSS, the change
 * latency and delta sizes, idle CPU, then the page in Chromium.
 */
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { nsId } from '../common/ids.js';
import type { Fixture } from './fixture.js';
import type { LatencyFigures } from './latency.js';
import { latencyBench } from './latency.js';
import { LiveClient, idleFigure, startServer } from './live.js';
import type { Options } from './options.js';
import type { PageFigures } from './page.js';
import { pageBench } from './page.js';
import { treeRss } from './procfs.js';
import { round } from './stats.js';

export interface ServerFigures {
  startMs: number;
  snapshotBytes: number;
  snapshotNamespaces: number;
  /** RSS of the server process and its children (ip monitor, ...), in MB. */
  rssMb: {
    afterSnapshot: number;
    afterLatency: number | null;
    afterIdle: number | null;
    max: number;
    children: number;
  };
  latency?: LatencyFigures;
  idle?: {
    seconds: number;
    cpuSeconds: number;
    percentOfOneCore: number;
    messages: number;
    gotQuietFirst: boolean;
  };
  page?: PageFigures;
  error: string | null;
}

const mb = (b: number): number => round(b / (1024 * 1024));

export async function serverBench(
  opts: Options,
  fx: Fixture,
  log: (s: string) => void,
  onStop: (fn: () => Promise<void>) => () => void,
): Promise<ServerFigures> {
  const t0 = performance.now();
  const server = await startServer();
  const unregister = onStop(server.stop);
  let client: LiveClient | null = null;
  try {
    client = await LiveClient.connect(server);
    const snap = await client.waitFor((r) => r.msg.type === 'snapshot', 0, 120_000);
    if (!snap || snap.msg.type !== 'snapshot') throw new Error('no snapshot message within 120 s');
    const startMs = performance.now() - t0;
    log(
      `  server up, snapshot of ${snap.msg.topology.namespaces.length} namespaces (${snap.bytes} bytes) after ${round(startMs)} ms`,
    );
    // Let start-up work (nsid assignment, first resync) finish before measuring.
    await client.quiet(500, 15_000);
    const rss0 = await treeRss(server.pid);
    const figures: ServerFigures = {
      startMs: round(startMs),
      snapshotBytes: snap.bytes,
      snapshotNamespaces: snap.msg.topology.namespaces.length,
      rssMb: {
        afterSnapshot: mb(rss0.total),
        afterLatency: null,
        afterIdle: null,
        max: mb(rss0.total),
        children: mb(rss0.children),
      },
      error: null,
    };
    const rssSample = async (): Promise<number> => {
      const r = await treeRss(server.pid);
      figures.rssMb.max = Math.max(figures.rssMb.max, mb(r.total));
      figures.rssMb.children = Math.max(figures.rssMb.children, mb(r.children));
      return mb(r.total);
    };
    if (opts.only.has('latency')) {
      figures.latency = await latencyBench(fx, client, opts.changes, log);
      const l = figures.latency;
      log(
        `  latency over ${l.changes} changes: p50 ${l.fromReturnMs.p50} ms, p95 ${l.fromReturnMs.p95} ms, max ${l.fromReturnMs.max} ms, missed ${l.missed}`,
      );
      figures.rssMb.afterLatency = await rssSample();
    }
    if (opts.only.has('idle')) {
      const gotQuietFirst = await client.quiet(1000, 15_000);
      figures.idle = { ...(await idleFigure(server.pid, client, opts.idleSeconds)), gotQuietFirst };
      log(
        `  idle: ${figures.idle.percentOfOneCore}% of one core over ${figures.idle.seconds} s, ${figures.idle.messages} messages`,
      );
      figures.rssMb.afterIdle = await rssSample();
    }
    if (opts.only.has('page')) {
      const ids = [nsId(await hostInode()), ...fx.namespaces.map((n) => nsId(n.inode))];
      figures.page = await pageBench(server, ids, onStop);
      const p = figures.page;
      log(
        `  page: ${p.drawnNamespaces}/${p.expectedNamespaces} drawn in ${p.drawnMs ?? '-'} ms (first box after ${p.firstDrawnMs ?? '-'} ms, ${p.drawnTotal} boxes in all), median frame ${p.frameMs.p50} ms${p.error ? ` (${p.error})` : ''}`,
      );
      await rssSample();
    }
    return figures;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log(`  server bench failed: ${msg}\n${server.stderrTail().slice(-800)}`);
    return {
      startMs: round(performance.now() - t0),
      snapshotBytes: 0,
      snapshotNamespaces: 0,
      rssMb: { afterSnapshot: 0, afterLatency: null, afterIdle: null, max: 0, children: 0 },
      error: msg,
    };
  } finally {
    client?.close();
    unregister();
    await server.stop();
  }
}

async function hostInode(): Promise<number> {
  return (await stat('/proc/self/ns/net')).ino;
}
