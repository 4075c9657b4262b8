/**
 * Where a running podman container's storage is, learned from its conmon: podman starts conmon
 * with the exact global options it ran with (`--exit-command-arg --root --exit-command-arg DIR`
 * ..., for the `podman container cleanup` conmon runs at exit). Asking podman with those options
 * reads that storage; asking it with none makes podman create its default storage
 * (/var/lib/containers, /run/containers, /run/libpod) on a host that never had it, which a
 * read-only explorer must not do.
 */
import { existsSync, readFileSync } from 'node:fs';

/** podman's default graph root: where a podman run with default options keeps its containers. */
export const PODMAN_DEFAULT_ROOT = '/var/lib/containers/storage';

/** Names podman's graph root when it is not the default one (`--root` of podman). */
export const PODMAN_ROOT_ENV = 'NETNS_EXPLORER_PODMAN_ROOT';

/**
 * The storage podman uses when nothing names another: its root, and the global options that ask
 * podman for it (none for the default). NETNS_EXPLORER_PODMAN_ROOT names another root; the test
 * configs point it at a path that never exists, so that nothing under test opens the host's own
 * storage (podman mounts its overlay home when it does).
 */
export function podmanDefaultStore(env: Readonly<Record<string, string | undefined>> = process.env): {
  root: string;
  args: string[];
} {
  const root = env[PODMAN_ROOT_ENV];
  return root ? { root, args: ['--root', root] } : { root: PODMAN_DEFAULT_ROOT, args: [] };
}

/** The global options that say which storage and events log a podman command uses. */
const STORE_OPTIONS = new Set(['--root', '--runroot', '--tmpdir', '--storage-driver', '--events-backend']);

/**
 * Pure: podman's global storage options from conmon's argv (its `--exit-command-arg` values up to
 * the subcommand), or null when conmon was not started by podman or names no root.
 */
export function storeArgsFromConmon(argv: readonly string[]): string[] | null {
  const exitArgs: string[] = [];
  for (let i = 0; i < argv.length - 1; i++) if (argv[i] === '--exit-command-arg') exitArgs.push(argv[++i]!);
  const out: string[] = [];
  for (let i = 0; i < exitArgs.length; i++) {
    const a = exitArgs[i]!;
    if (!a.startsWith('--')) break; // the subcommand (`container cleanup ID`)
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = eq > 0 ? a.slice(eq + 1) : exitArgs[i + 1];
    if (eq < 0) i++;
    if (STORE_OPTIONS.has(name) && value !== undefined && value !== '') out.push(name, value);
  }
  return out.includes('--root') ? out : null;
}

function argvOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

/** The storage options of the podman container `pid` runs in: its nearest conmon ancestor's. */
export function storeArgsOfPid(pid: number): string[] | null {
  let p: number | null = pid;
  for (let depth = 0; p !== null && p > 1 && depth < 8; depth++) {
    const argv = argvOf(p);
    if (argv && /(^|\/)conmon$/.test(argv[0] ?? '')) return storeArgsFromConmon(argv);
    p = parentOf(p);
  }
  return null;
}

/**
 * The distinct storages of these podman containers' processes (one pid each is enough), and
 * whether any process's conmon could not be found. The default storage is added for those only
 * when it exists: podman must not be what creates it.
 */
export function podmanStores(pids: Iterable<number>): { stores: string[][]; unplaced: number } {
  const seen = new Map<string, string[]>();
  const fallback = podmanDefaultStore();
  let unplaced = 0;
  for (const pid of pids) {
    const args = storeArgsOfPid(pid);
    if (args) seen.set(args.join('\0'), args);
    else if (existsSync(fallback.root)) seen.set(fallback.args.join('\0'), fallback.args);
    else unplaced++;
  }
  return { stores: [...seen.values()], unplaced };
}
