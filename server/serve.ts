/**
 * The composition root: builds every stage of the live server and wires them in the order data
 * flows. discovery (read the kernel) -> refresh (what to re-read, diff, publish) -> hub (the
 * model as published, its clients); events (what tells us something changed) -> refresh; http
 * (Express app, auth, WebSocket upgrade) in front of the hub and the API routers; actions,
 * inspect and crash recovery get one model-access object. Everything from outside comes in
 * through `LiveDeps`, so tests start it with fakes or with the real discovery.
 */
import { createServer } from 'node:http';
import { statSync } from 'node:fs';
import type { Router } from 'express';
import { WebSocketServer } from 'ws';
import type { Namespace } from '../common/model.js';
import { emptyTopology, normalizeTopology } from '../common/model.js';
import { recoverCrashedOps } from './startup/recoverCrashed.js';
import { actionsRouter } from './actions/router.js';
import { inspectRouter } from './inspect/router.js';
import { traceRouter } from './trace/router.js';
import { createModelAccess } from './modelAccess.js';
import type { ModelAccess } from './modelAccess.js';
import { createApp } from './http/app.js';
import type { AppContext } from './http/app.js';
import { Hub } from './hub/hub.js';
import type { HubOptions } from './hub/hub.js';
import type { ServeOptions } from './serveOptions.js';
import { serialized } from './refresh/discoveryQueue.js';
import { RefreshScheduler } from './refresh/scheduler.js';
import type { LiveDiscovery, LiveDiscoveryResult } from './refresh/schedulerTypes.js';
import { firstRead } from './startup/firstRead.js';
import type { StartupProgress } from './startup/firstRead.js';
import { FailureLimiter, hostPort, Secrets } from './http/security.js';
import { createUpgradeHandler } from './http/upgrade.js';
import { listenChecked } from './http/listen.js';
import { EventWatcher } from './events/watcher.js';
import { captureWiring } from './capture/wiring.js';
import type { SpawnMonitor } from './events/monitor.js';
import { LiveConnectionRegistry } from './http/liveConnections.js';
import type { LiveConnections } from './actions/checkpoint.js';
import type { HistoryRecorder } from './history/recorder.js';
import type { EventSources } from './discovery/runtimes/events.js';
import { connectRuntimeEvents } from './discovery/runtimes/liveEvents.js';

export interface LiveDeps {
  discovery: LiveDiscovery;
  namespacePath(ns: Namespace): string;
  /** The API routers (apiRouters(): inspect, actions), mounted at /api after auth and the mutation checks. */
  routers?(model: ModelAccess, live: LiveConnections, beforeClose: BeforeClose): Router[];
  /** Remove what a crashed server left half made (actions/recovery.ts), once at start. */
  recoverCrashedOps?: boolean;
  /** False: no kernel event sources (unit tests). */
  watch?: boolean;
  spawnMonitor?: SpawnMonitor;
  /** Container runtimes' sockets whose event streams refresh the namespaces of containers that start or stop. */
  runtimeEvents?: EventSources;
  hub?: Partial<HubOptions>;
  limiter?: FailureLimiter;
  resyncMs?: number;
  coalesceMs?: number;
  maxConnections?: number;
  /** Records every published delta and reset (issue 16); null or absent: no history. */
  history?: HistoryRecorder | null;
  log?(line: string): void;
}

/** Registers work that must finish before the server closes (e.g. rolling back unconfirmed host changes). */
export type BeforeClose = (fn: () => Promise<void>) => void;

export interface RunningServer {
  host: string;
  port: number;
  /** `http://HOST:PORT` (IPv6 in brackets). */
  origin: string;
  hub: Hub;
  scheduler: RefreshScheduler;
  watcher: EventWatcher | null;
  model: ModelAccess;
  close(): Promise<void>;
}

export interface ListeningServer extends RunningServer {
  /** Settles when the first full read is published (rejects if it failed every attempt). */
  ready: Promise<void>;
}

/** Listens, then reads: resolves once the first model is published (tests, the fuzz target). */
export async function startServer(options: ServeOptions, deps: LiveDeps): Promise<RunningServer> {
  const s = await listenServer(options, deps);
  try {
    await s.ready;
  } catch (e) {
    await s.close();
    throw e;
  }
  return s;
}

/**
 * Listens at once: /api/health and the page answer while the first full read runs (seconds at
 * 1,000 namespaces); clients get its progress, then their snapshot when it is published.
 */
export async function listenServer(options: ServeOptions, deps: LiveDeps): Promise<ListeningServer> {
  const rawLog = deps.log ?? (() => {});
  // Readable logs: one line each, bounded (a namespace list can make an error message huge).
  const log = (line: string): void =>
    rawLog(line.length > 400 ? `${line.slice(0, 400)}... (${line.length} chars)` : line);
  const discovery = serialized(deps.discovery);
  const hub = new Hub(emptyTopology(), { readOnly: options.readOnly, log, ...deps.hub, pending: true });
  let watcher: EventWatcher | null = null;
  let runtimeWatch: { stop(): void } | null = null;
  let resync: NodeJS.Timeout | undefined;
  let startup: StartupProgress | null = null;
  let closed = false;
  const scheduler = new RefreshScheduler(
    discovery,
    {
      current: () => hub.state.topology,
      delta: (ops, next) => {
        hub.publish(ops, next);
        deps.history?.delta(ops, next, hub.state.epoch, hub.state.seq);
      },
      reset: (next, reason) => {
        hub.reset(next, reason);
        deps.history?.reset(next, hub.state.epoch, reason);
      },
      errors: (errors) => hub.setErrors(errors),
      hostNsids: (map) => watcher?.setHostNsids(map),
    },
    {
      coalesceMs: deps.coalesceMs ?? 5,
      hostInode: statSync('/proc/self/ns/net').ino,
      log,
      verbose: options.verbose,
    },
  );

  /** After the first model: event sources, the periodic safety net, history, crash recovery. */
  const goLive = (initial: LiveDiscoveryResult): void => {
    hub.ready(normalizeTopology(initial.topology));
    deps.history?.start(hub.state.topology, hub.state.epoch);
    if (deps.watch !== false) {
      watcher = new EventWatcher(
        {
          namespaces: (inodes) => scheduler.namespaces(inodes),
          added: (inodes) => scheduler.added(inodes),
          hostDevice: (device) => scheduler.hostDevice(device),
          list: () => scheduler.list(),
          nsidMap: () => scheduler.nsidMap(),
          lost: (reason) => scheduler.full(reason),
        },
        {
          listInodes: () => (discovery.listIdentities ? discovery.listIdentities() : discovery.listInodes()),
          hostInode: statSync('/proc/self/ns/net').ino,
          initialInodes: initial.topology.namespaces.map((n) => n.inode),
          ...(deps.spawnMonitor ? { spawnMonitor: deps.spawnMonitor } : {}),
          log,
        },
      );
      watcher.setHostNsids(initial.hostNsids);
      watcher.start();
    }
    // Containers started or stopped: named (or gone) through the runtimes' own event streams.
    runtimeWatch =
      deps.watch !== false && deps.runtimeEvents
        ? connectRuntimeEvents(
            deps.runtimeEvents,
            { invalidateRuntimes: () => discovery.invalidateRuntimes?.() },
            {
              get topology() {
                return hub.state.topology;
              },
              namespaces: (inodes) => scheduler.namespaces(inodes),
              urgent: (inodes) => scheduler.urgent(inodes),
              list: () => scheduler.list(),
            },
            log,
          )
        : null;
    // Safety net: a periodic full read catches whatever events missed (no epoch change: a plain
    // delta). Every 5 min: a full read costs seconds of CPU at 1,000 namespaces.
    resync = setInterval(() => scheduler.full(), deps.resyncMs ?? 300_000);
    resync.unref();
    if (deps.recoverCrashedOps && !options.readOnly) void recoverCrashedOps(options.auditLogPath, model, log);
  };

  const readFirst = async (): Promise<void> => {
    try {
      await discovery.ensureHostNsids();
    } catch (e) {
      log(`assigning nsids failed (events from some namespaces may be missed): ${String(e)}`);
    }
    const first = firstRead(discovery, { log, progress: (p) => hub.progress(p) });
    startup = first.status;
    const initial = await first.result;
    if (closed) return;
    log(
      `discovered ${initial.topology.namespaces.length} namespaces, ${initial.topology.interfaces.length} interfaces`,
    );
    for (const err of initial.errors.slice(0, 10)) log(`discovery: ${err}`);
    if (initial.errors.length > 10) log(`discovery: ... and ${initial.errors.length - 10} more problems`);
    goLive(initial);
  };

  const liveConnections = new LiveConnectionRegistry();
  const closing: Array<() => Promise<void>> = [];
  const beforeClose: BeforeClose = (fn) => closing.push(fn);
  const model = createModelAccess(scheduler, deps.namespacePath);
  const capture = captureWiring({ enabled: options.capture, auditLogPath: options.auditLogPath, log });

  const secrets = new Secrets(options.token);
  const limiter = deps.limiter ?? new FailureLimiter();
  const audit = (line: string): void => log(line);
  const ctx: AppContext = {
    secrets,
    limiter,
    audit,
    hosts: new Set(),
    origins: new Set(),
    readOnly: options.readOnly,
    readOnlyReason: options.readOnlyReason,
    ...(options.captureWhenReadOnly
      ? { readOnlyAllows: (path: string) => /^\/captures(\/|$)/.test(path) }
      : {}),
    staticDir: options.staticDir,
    state: () => hub.state,
    routers: [
      ...(deps.routers ? deps.routers(model, liveConnections, beforeClose) : []),
      capture.router(model),
    ],
    starting: () => (hub.isReady ? null : (startup?.text() ?? 'finding namespaces')),
    log,
  };
  const server = createServer(createApp(ctx));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const upgrade = createUpgradeHandler({
    secrets,
    limiter,
    audit,
    get hosts() {
      return ctx.hosts;
    },
    get origins() {
      return ctx.origins;
    },
    wss,
    hub,
    maxConnections: deps.maxConnections ?? 32,
    liveConnections,
    extraPaths: (pathname) => capture.upgrade(pathname),
    log,
  });
  server.on('upgrade', upgrade);

  const stopBackground = (): void => {
    closed = true;
    clearInterval(resync);
    watcher?.stop();
    runtimeWatch?.stop();
    scheduler.stop();
    hub.stop();
  };
  const port = await listenChecked(server, options.host, options.port, ctx, stopBackground);
  hub.start();
  const ready = readFirst();
  // The caller awaits `ready`; a server closed before it settles must not log an unhandled rejection.
  ready.catch(() => undefined);

  return {
    ready,
    host: options.host,
    port,
    origin: `http://${hostPort(options.host, port)}`,
    hub,
    scheduler,
    watcher,
    model,
    async close() {
      // First, while the sockets are still open: nobody is left to confirm a pending host change,
      // so it is rolled back now rather than left in the kernel for good.
      await Promise.allSettled(closing.map((fn) => fn()));
      // Every tcpdump is gone before the server reports itself closed.
      await capture.close();
      stopBackground();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Let a refresh in flight finish (it holds child processes), but never hang shutdown on it.
      await Promise.race([scheduler.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}

/** The real API routers: inspect (read-only views) and actions (changes), over the model. */
export function apiRouters(
  options: ServeOptions,
  model: ModelAccess,
  live?: LiveConnections,
  beforeClose?: BeforeClose,
): Router[] {
  return [
    inspectRouter(model),
    traceRouter({ readOnly: options.readOnly, allowProbe: options.allowProbe, ...model }),
    actionsRouter({
      readOnly: options.readOnly,
      allowHostChanges: options.allowHostChanges,
      auditLogPath: options.auditLogPath,
      confirmWindowMs: options.confirmWindowMs,
      ...(options.hostNetnsPath ? { hostStandInInode: statSync(options.hostNetnsPath).ino } : {}),
      ...(live ? { liveConnections: live } : {}),
      ...(beforeClose ? { beforeClose } : {}),
      ...model,
    }),
  ];
}
