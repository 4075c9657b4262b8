/**
 * The merger: asks every runtime present on the host at once (each bounded by its timeout), and
 * indexes the answers by container id (cgroups name containers) and by task pid (/proc/PID/ns/net
 * places them). Missing runtimes are skipped silently; a refusing or hanging one becomes one line.
 */
import { listContainerd, CONTAINERD_SOCKET } from './containerd.js';
import { CRIO_SOCKET, listCrio } from './crio.js';
import type { PodmanOptions } from './podman.js';
import { podmanStores } from './podmanStore.js';
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
  /** One process of each podman container: their conmons say which storage to ask. */
  podmanPids?: number[];
}

export async function collectRuntimes(opts: RuntimeOptions, wanted: Wanted): Promise<Inventory> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const margin = 100;
  await loadClients(opts, wanted);
  const answers = await Promise.all([
    bounded(listPodmanIf(wanted, opts.podman, timeoutMs), timeoutMs + margin, 'podman'),
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

async function listPodmanIf(
  wanted: Wanted,
  opts: PodmanOptions | undefined,
  timeoutMs: number,
): Promise<RuntimeAnswer> {
  if (!wanted.podman) return null;
  // Loaded only here (it brings zod): no cgroup says podman, no podman code.
  const { PODMAN, PODMAN_SOCKET, listPodman } = await import('./podman.js');
  // Told where (tests), or the service's socket: no storage to find.
  if (opts?.cliArgs || existsSync(opts?.socketPath ?? PODMAN_SOCKET))
    return listPodman({ timeoutMs, ...opts });
  if (!existsSync(PODMAN)) return null;
  return listPodmanStores(wanted.podmanPids ?? [], opts, timeoutMs);
}

/**
 * podman's CLI, once per storage its running containers use (learned from their conmons), and
 * never with a storage that does not exist: podman would create it.
 */
async function listPodmanStores(
  pids: number[],
  opts: PodmanOptions | undefined,
  timeoutMs: number,
): Promise<RuntimeAnswer> {
  const { stores, unplaced } = podmanStores(pids);
  if (stores.length === 0) {
    return unplaced > 0
      ? { error: `podman: no conmon names the storage of ${unplaced} container process(es); not asked` }
      : null;
  }
  const { listPodman } = await import('./podman.js');
  const answers = await Promise.all(stores.map((cliArgs) => listPodman({ timeoutMs, ...opts, cliArgs })));
  const containers = answers.flatMap((a) => (a && 'containers' in a ? a.containers : []));
  const failed = answers.find((a) => a !== null && 'error' in a);
  return failed && containers.length === 0 ? failed : { containers };
}
