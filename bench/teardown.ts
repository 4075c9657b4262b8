/**
 * Removal of everything a bench run created, and a check that nothing is left. Safe to call more
 * than once, from a finally block and from signal handlers alike.
 */
import { readFile, readdir, rm, rmdir } from 'node:fs/promises';
import type { Fixture } from './fixture.js';
import { IP, cmd, pollFor } from './proc.js';

/** What a user sees of the network state; compared before and after a run. */
export interface HostState {
  netns: string[];
  links: string[];
  nsfsMounts: string[];
  pids: number[];
}

export async function hostState(): Promise<HostState> {
  const netns = (await cmd([IP, 'netns', 'list'])).stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean)
    .sort();
  const links = (await cmd([IP, '-br', 'link'])).stdout
    .split('\n')
    .map((l) => (l.split(/\s+/)[0] ?? '').split('@')[0] ?? '')
    .filter(Boolean)
    .sort();
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const nsfsMounts = mountinfo
    .split('\n')
    .filter((l) => l.includes(' - nsfs '))
    .map((l) => l.split(' ')[4] ?? '')
    .sort();
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  return { netns, links, nsfsMounts, pids };
}

/** Names, links and mounts of `prefix` still present (an empty list means clean). */
export function leftovers(state: HostState, prefix: string): string[] {
  const mine = (s: string): boolean => s.startsWith(prefix) || s.includes(`/${prefix}`);
  return [
    ...state.netns.filter(mine).map((n) => `netns ${n}`),
    ...state.links.filter(mine).map((l) => `link ${l}`),
    ...state.nsfsMounts.filter(mine).map((m) => `mount ${m}`),
  ];
}

function isPrefixMount(point: string, prefix: string): boolean {
  return new RegExp(`^/run/${prefix}[a-z0-9]*-binds(/|$)`).test(point);
}

/** Removes every namespace, bind mount and host link whose name starts with `prefix`. */
export async function sweep(prefix: string): Promise<string[]> {
  if (!/^[a-z0-9]{3,8}$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  const problems: string[] = [];
  const before = await hostState();
  const named = before.netns.filter((n) => n.startsWith(prefix));
  // One ip process deletes them all; a failed line only loses that line (-force).
  if (named.length) {
    const r = await cmd([IP, '-force', '-b', '-'], {
      input: named.map((n) => `netns del ${n}`).join('\n') + '\n',
    });
    if (r.code !== 0) problems.push(`netns del: ${r.stderr.trim()}`);
  }
  // Innermost mounts first: the files, then the private bind of the directory itself.
  const points = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => isPrefixMount(p, prefix))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    // Another process (a concurrent discovery, say) may hold the nsfs file open for a moment.
    const ok = await pollFor(async () => (await cmd(['/usr/bin/umount', p])).code === 0, 2000, 50);
    if (!ok) {
      const r = await cmd(['/usr/bin/umount', '-l', p]);
      if (r.code !== 0) problems.push(`umount ${p}: ${r.stderr.trim()}`);
    }
  }
  for (const p of new Set(points.filter((p) => p.endsWith('-binds')))) await rmDirFiles(p, problems);
  await cmd([IP, 'link', 'del', `${prefix}br`]).catch(() => undefined);
  // Host veth ends vanish when the kernel finishes cleaning up their namespace (asynchronously).
  const gone = await pollFor(async () => leftovers(await hostState(), prefix).length === 0, 15_000, 50);
  if (!gone) {
    for (const l of (await hostState()).links.filter((x) => x.startsWith(prefix))) {
      await cmd([IP, 'link', 'del', l]);
    }
  }
  return problems;
}

async function rmDirFiles(dir: string, problems: string[]): Promise<void> {
  try {
    for (const f of await readdir(dir)) await rm(`${dir}/${f}`, { force: true });
    await rmdir(dir);
  } catch (e) {
    problems.push(`rm ${dir}: ${String(e)}`);
  }
}

/** Kills the fixture's holder processes, then sweeps its prefix. */
export async function teardownFixture(fx: Fixture): Promise<string[]> {
  await Promise.all(
    fx.holders.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
  const problems = await sweep(fx.prefix);
  // The bind dir is unmounted by sweep; remove it if it was never a mount point.
  await rmdir(fx.bindDir).catch(() => undefined);
  const left = leftovers(await hostState(), fx.prefix);
  const alive = fx.holders.filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null);
  return [...problems, ...left.map((l) => `left over: ${l}`), ...alive.map((c) => `holder ${c.pid} alive`)];
}
