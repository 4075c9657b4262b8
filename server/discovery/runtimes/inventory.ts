/**
 * The merger: asks every runtime present on the host at once (each bounded by its timeout), and
 * indexes the answers by container id (cgroups name containers) and by task pid (/proc/PID/ns/net
 * places them). Missing runtimes are skipped silently; a refusing or hanging one becomes one line.
 */
import { listContainerd, CONTAINERD_SOCKET } from './containerd.js';
import { CRIO_SOCKET, listCrio } from './crio.js';
import type { PodmanOptions } from './podman.js';
import { existsSync } from 'node:fs';
import type { RuntimeAnswer, RuntimeContainer } from './types.js';

export interface RuntimeOptions {
  containerdSocket?: string;
  crioSocket?: string;
  podman?: PodmanOptions;
  /** Per runtime; the bound for a hanging runtime is 1 s. */
  timeoutMs?: number;
}

export interface Inventory {
  byId: Map<string, RuntimeContainer>;
  byPid: Map<number, RuntimeContainer>;
  /** One line per runtime that refused or did not answer in time. */
  errors: string[];
}

export function emptyInventory(): Inventory {
  return { byId: new Map(), byPid: new Map(), errors: [] };
}

/** Pure: earlier answers win for the same id (callers put the runtime with the best names first). */
export function indexAnswers(answers: RuntimeAnswer[]): Inventory {
  const inv = emptyInventory();
  for (const a of answers) {
    if (a === null) continue;
    if ('error' in a) {
      inv.errors.push(a.error);
      continue;
    }
    for (const c of a.containers) {
      if (inv.byId.has(c.id)) continue;
      inv.byId.set(c.id, c);
      for (const pid of c.pids) inv.byPid.set(pid, c);
    }
  }
  return inv;
}

/** Settles within `ms` whatever `p` does: a runtime client that ignores its deadline cannot stall a read. */
function bounded(p: Promise<RuntimeAnswer>, ms: number, what: string): Promise<RuntimeAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<RuntimeAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ error: `${what}: did not answer within ${ms} ms` }), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export interface Wanted {
  /** podman has no daemon to ask cheaply: its CLI runs only when some cgroup says podman. */
  podman: boolean;
}

export async function collectRuntimes(opts: RuntimeOptions, wanted: Wanted): Promise<Inventory> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const margin = 100;
  await loadClients(opts, wanted);
  const answers = await Promise.all([
    bounded(listPodmanIf(wanted.podman, opts.podman, timeoutMs), timeoutMs + margin, 'podman'),
    bounded(
      listContainerd(opts.containerdSocket ?? CONTAINERD_SOCKET, timeoutMs),
      timeoutMs + margin,
      `containerd (${opts.containerdSocket ?? CONTAINERD_SOCKET})`,
    ),
    bounded(
      listCrio(opts.crioSocket ?? CRIO_SOCKET, timeoutMs),
      timeoutMs + margin,
      `CRI-O (${opts.crioSocket ?? CRIO_SOCKET})`,
    ),
  ]);
  return indexAnswers(answers);
}

/**
 * The clients are imported only for runtimes present (a `snapshot` command on a host without
 * them skips @grpc/grpc-js and execa: ~1.3 s of its start here), and before the deadlines start:
 * a cold import is not the runtime's slowness.
 */
async function loadClients(opts: RuntimeOptions, wanted: Wanted): Promise<void> {
  const grpc = [opts.containerdSocket ?? CONTAINERD_SOCKET, opts.crioSocket ?? CRIO_SOCKET].some((p) =>
    existsSync(p),
  );
  await Promise.all([
    grpc ? import('./grpc.js') : null,
    // podman.js brings zod; execa runs its CLI. Neither is loaded where no cgroup says podman.
    wanted.podman
      ? import('./podman.js').then((p) => (existsSync(p.PODMAN) ? import('../../exec/run.js') : null))
      : null,
  ]);
}

function listPodmanIf(
  wanted: boolean,
  opts: PodmanOptions | undefined,
  timeoutMs: number,
): Promise<RuntimeAnswer> {
  return wanted
    ? import('./podman.js').then((p) => p.listPodman({ timeoutMs, ...opts }))
    : Promise.resolve(null);
}
