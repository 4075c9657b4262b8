/**
 * `netns-explorer view A.json [B.json]`: serves the page for a saved snapshot, or for the
 * difference of two, without root and without reading or touching the kernel: the live server
 * runs over a discovery that only returns the file's model, with a throwaway history holding
 * the snapshots at their times, so the timeline and the difference view work as they do live.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffTopology } from '../../common/delta.js';
import type { Topology } from '../../common/model.js';
import { parseServeArgs, USAGE as SERVE_USAGE } from '../serveOptions.js';
import type { LiveDiscovery } from '../refresh/schedulerTypes.js';
import { hostPort } from '../http/security.js';
import { startServer } from '../serve.js';
import { HistoryQuery } from './query.js';
import { HistoryRecorder } from './recorder.js';
import { historyRouter } from './router.js';
import { readSnapshotFile } from './snapshotFiles.js';
import { HistoryStore } from './store.js';

export const VIEW_USAGE =
  'usage: netns-explorer view A.json [B.json] [--host IP] [--port N]\n' +
  'Serves the page for snapshot A, or for the difference from A to B; needs no root.\n';

/** A discovery that never reads the kernel: the snapshot is the whole world. */
function fileDiscovery(topology: Topology): LiveDiscovery {
  const result = () => Promise.resolve({ topology, errors: [], hostNsids: new Map<number, number>() });
  return {
    full: result,
    refresh: result,
    listInodes: () => Promise.resolve(new Set(topology.namespaces.map((n) => n.inode))),
    ensureHostNsids: () => Promise.resolve(null),
  };
}

function staticDir(): string | null {
  const candidates = [
    fileURLToPath(new URL('../../client', import.meta.url)),
    fileURLToPath(new URL('../../dist/client', import.meta.url)),
  ];
  return candidates.find((d) => existsSync(`${d}/index.html`)) ?? null;
}

function log(line: string): void {
  process.stderr.write(`netns-explorer: ${new Date().toISOString()} ${line}\n`);
}

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(VIEW_USAGE);
    return 0;
  }
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--host' || a === '--port') rest.push(a, args[++i] ?? '');
    else if (a.startsWith('-')) rest.push(a);
    else files.push(a);
  }
  if (files.length < 1 || files.length > 2) {
    process.stderr.write(`netns-explorer: view needs one or two snapshot files\n${VIEW_USAGE}`);
    return 2;
  }
  // Never writable: there is no kernel behind the page.
  const parsed = parseServeArgs(rest, process.env, false);
  if (parsed.ok !== true) {
    process.stderr.write(
      `netns-explorer: ${parsed.ok === 'help' ? '' : parsed.error}\n${VIEW_USAGE}${SERVE_USAGE}`,
    );
    return 2;
  }
  let snaps;
  try {
    snaps = await Promise.all(files.map((f) => readSnapshotFile(f)));
  } catch (e) {
    process.stderr.write(`netns-explorer: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const times = snaps.map((s, i) => (s.takenAt ? Date.parse(s.takenAt) : statSync(files[i]!).mtimeMs));
  // A then B on the timeline, whatever their clocks said.
  if (times.length === 2 && times[1]! <= times[0]!) times[1] = times[0]! + 1000;

  const dir = mkdtempSync(join(tmpdir(), 'netns-explorer-view-'));
  const store = HistoryStore.open({ dir, maxBytes: 1024 ** 3 });
  let clock = times[0]!;
  const recorder = new HistoryRecorder(store, { now: () => clock });
  recorder.start(snaps[0]!.topology, 'view');
  if (snaps[1]) {
    clock = times[1]!;
    const ops = diffTopology(snaps[0]!.topology, snaps[1].topology);
    if (ops) recorder.delta(ops, snaps[1].topology, 'view', 1);
  }
  const last = snaps[snaps.length - 1]!;
  const compare =
    snaps.length === 2
      ? { from: new Date(times[0]!).toISOString(), to: new Date(times[1]!).toISOString() }
      : null;

  const options = { ...parsed.options, staticDir: staticDir() };
  const server = await startServer(options, {
    discovery: fileDiscovery(last.topology),
    namespacePath: () => '/nonexistent',
    watch: false,
    routers: () => [
      historyRouter({
        query: new HistoryQuery(store),
        compare,
        now: () => times[times.length - 1]! + 1000,
        ...(last.host ? { host: last.host } : {}),
      }),
    ],
    log,
  });
  log(`viewing ${files.map((f) => basename(f)).join(' -> ')} (read-only; the kernel is not read)`);
  const url = `http://${hostPort(options.host, server.port)}/?token=${encodeURIComponent(options.token)}`;
  process.stdout.write(`netns-explorer: open ${url}\n`);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      void server.close().finally(() => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
        resolve(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
