/**
 * The ways to get a full snapshot without netns-explorer: the shell loop people write by hand
 * (over `ip netns list`, so named namespaces only), the same loop over every namespace through
 * nsenter (same coverage as netns-explorer), and Debian's plotnetcfg (C, netlink, one process).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { cmd } from './proc.js';

export interface Timed {
  ms: number;
  /** How many namespaces the tool covered. */
  namespaces: number;
  bytes: number;
  error: string | null;
}

const LOOP = `for ns in $(ip netns list | cut -d' ' -f1); do
  ip -j -n "$ns" link; ip -j -n "$ns" addr; ip -j -n "$ns" route
done`;

const NSENTER_LOOP = `for p in "$@"; do
  nsenter --net="$p" ip -j link; nsenter --net="$p" ip -j addr; nsenter --net="$p" ip -j route
done`;

/** The naive loop: `ip -j -n NS link/addr/route` for every name `ip netns list` prints. */
export async function naiveLoop(): Promise<Timed> {
  const r = await cmd(['/bin/sh', '-c', LOOP]);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('['));
  return {
    ms: r.ms,
    namespaces: Math.floor(lines.length / 3),
    bytes: r.stdout.length,
    error: r.code === 0 ? null : r.stderr.slice(0, 200),
  };
}

/**
 * One path per network namespace reachable from this mount namespace: the host's, /run/netns,
 * other nsfs bind mounts, and /proc/PID/ns/net, deduplicated by inode (what a careful user does).
 */
export async function allNamespacePaths(): Promise<string[]> {
  const seen = new Map<string, string>();
  async function add(path: string): Promise<void> {
    try {
      const s = await stat(path);
      const key = `${s.dev}:${s.ino}`;
      if (!seen.has(key)) seen.set(key, path);
    } catch {
      // vanished or not a namespace we may open: a shell loop would skip it too
    }
  }
  await add('/proc/self/ns/net');
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  for (const l of mountinfo.split('\n')) {
    if (!l.includes(' - nsfs ')) continue;
    const point = l.split(' ')[4];
    if (point && !point.startsWith('/proc/')) await add(point.replace(/\\040/g, ' '));
  }
  for (const d of await readdir('/proc')) if (/^\d+$/.test(d)) await add(`/proc/${d}/ns/net`);
  return [...seen.values()];
}

/** The loop over every namespace via nsenter; the timing includes finding the namespaces. */
export async function nsenterLoop(): Promise<Timed> {
  const t0 = performance.now();
  const paths = await allNamespacePaths();
  const listMs = performance.now() - t0;
  const r = await cmd(['/bin/sh', '-c', NSENTER_LOOP, 'sh', ...paths]);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('['));
  return {
    ms: listMs + r.ms,
    namespaces: Math.floor(lines.length / 3),
    bytes: r.stdout.length,
    error: r.code === 0 ? null : r.stderr.slice(0, 200),
  };
}

export const PLOTNETCFG = '/usr/sbin/plotnetcfg';

/** plotnetcfg in its own PID namespace (PID 1's network namespace cannot be opened here). */
export async function plotnetcfg(): Promise<Timed> {
  const r = await cmd(['/usr/bin/unshare', '-pf', '--mount-proc', PLOTNETCFG, '-f', 'json']);
  let namespaces = 0;
  let error = r.code === 0 ? null : r.stderr.slice(0, 200);
  try {
    const parsed = JSON.parse(r.stdout) as { namespaces?: unknown[] };
    namespaces = parsed.namespaces?.length ?? 0;
  } catch {
    error ??= 'output is not JSON';
  }
  return { ms: r.ms, namespaces, bytes: r.stdout.length, error };
}

export async function hasPlotnetcfg(): Promise<boolean> {
  try {
    await stat(PLOTNETCFG);
    return true;
  } catch {
    return false;
  }
}
