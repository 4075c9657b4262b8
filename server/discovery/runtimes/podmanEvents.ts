/**
 * podman's events without its API service: `podman events --format json` as one long-lived child
 * (podman has no daemon; the CLI follows its events log or journal). It runs only while podman is
 * in use (its storage exists) and its socket is absent (then the socket's /events stream serves);
 * a child that exits is restarted after a second, and reported once per outage.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { diesWithUs, startLongLived } from '../../exec/run.js';
import type { RuntimeEvent, RuntimeWatch } from './types.js';
import { PODMAN, PODMAN_SOCKET } from './podman.js';
import { PODMAN_DEFAULT_ROOT } from './podmanStore.js';

const RETRY_MS = 1000;
/** A child that exits sooner than this (no journal, a broken config) waits twice as long each time. */
const SHORT_LIFE_MS = 5000;
const MAX_RETRY_MS = 60_000;

export interface PodmanCliEvents {
  /** Global arguments (tests: their own --root/--runroot/--tmpdir and --events-backend). */
  cliArgs?: string[];
  /** podman's graph root: until it exists podman was never used here, and nothing is started. */
  storage?: string;
  /** While this socket exists the service's /events stream is used instead. */
  socketPath?: string;
}

const podmanEventSchema = z.object({
  ID: z.string().optional(),
  Status: z.string().optional(),
  Type: z.string().optional(),
});

/** What changes which containers run where (`cleanup` follows `died`, `remove` may come alone). */
const PODMAN_ACTIONS = new Set(['start', 'died', 'remove']);

/** Pure: one line of `podman events --format json`. */
export function parsePodmanEvent(line: string): RuntimeEvent | null {
  const e = podmanEventSchema.safeParse(JSON.parse(line));
  if (!e.success) return null;
  const { ID: id, Status: action, Type: type } = e.data;
  if (type !== 'container' || !id || !action || !PODMAN_ACTIONS.has(action)) return null;
  return { runtime: 'podman', action, id, pid: null };
}

/** The argv of the events child (podman's filters keep pod and image events out of the pipe). */
export function podmanEventsArgs(cliArgs: readonly string[]): string[] {
  return [...cliArgs, 'events', '--format', 'json', '--filter', 'type=container'];
}

export function watchPodmanCliEvents(
  opts: PodmanCliEvents,
  onEvent: (e: RuntimeEvent) => void,
  onLost: () => void,
  binary = PODMAN,
): RuntimeWatch {
  const storage = opts.storage ?? PODMAN_DEFAULT_ROOT;
  const socket = opts.socketPath ?? PODMAN_SOCKET;
  let stopped = false;
  let child: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let down = false;
  let delay = RETRY_MS;

  const retry = (ms = RETRY_MS) => {
    if (stopped) return;
    timer = setTimeout(start, ms);
    timer.unref();
  };
  function start(): void {
    timer = null;
    if (stopped) return;
    if (!existsSync(binary) || !existsSync(storage) || existsSync(socket)) return retry();
    // With a parent-death signal: even a server killed with SIGKILL (no chance to stop it)
    // takes its podman events process along.
    const c = startLongLived(...diesWithUs(binary, podmanEventsArgs(opts.cliArgs ?? [])));
    const startedAt = Date.now();
    child = c;
    c.stdin?.end();
    c.stderr?.resume();
    let buf = '';
    c.stdout?.setEncoding('utf8');
    c.stdout?.on('data', (chunk: string) => {
      down = false;
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          const e = parsePodmanEvent(line);
          if (e) onEvent(e);
        } catch {
          // Not JSON (a warning on stdout): skipped, the stream goes on.
        }
      }
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      child = null;
      if (stopped) return;
      if (!down) {
        down = true;
        onLost();
      }
      delay = Date.now() - startedAt < SHORT_LIFE_MS ? Math.min(delay * 2, MAX_RETRY_MS) : RETRY_MS;
      retry(delay);
    };
    c.on('exit', end);
    c.on('error', end);
  }
  start();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = child;
      child = null;
      // Its own process group (startLongLived): nothing podman started outlives us.
      if (c?.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(-c.pid, 'SIGTERM');
        } catch {
          c.kill('SIGTERM');
        }
      }
    },
  };
}
