/** CPU time and memory of a process tree, read from /proc (what top and ps read). */
import { readFile, readdir } from 'node:fs/promises';

/** Clock ticks per second of /proc/PID/stat times; 100 on every Linux architecture we target. */
export const CLK_TCK = 100;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks: own CPU plus that of reaped children. */
  ticks: number;
}

async function readStat(pid: number): Promise<Stat | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const n = (i: number): number => Number(f[i - 3]);
    return { pid, ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return null;
  }
}

/** The process and all its living descendants. */
export async function processTree(root: number): Promise<Stat[]> {
  const all: Stat[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = await readStat(Number(d));
    if (s) all.push(s);
  }
  const byParent = new Map<number, Stat[]>();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const out: Stat[] = [];
  const rootStat = all.find((s) => s.pid === root);
  if (!rootStat) return out;
  const queue = [rootStat];
  while (queue.length) {
    const s = queue.shift() as Stat;
    out.push(s);
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return out;
}

/**
 * CPU seconds used so far by the tree. Children reaped in between move into their parent's
 * cutime/cstime, so the sum only grows and a difference of two readings is the tree's usage.
 */
export async function treeCpuSeconds(root: number): Promise<number> {
  return (await processTree(root)).reduce((a, s) => a + s.ticks, 0) / CLK_TCK;
}

/** VmRSS of the process and of each descendant, in bytes. */
export async function treeRss(root: number): Promise<{ total: number; root: number; children: number }> {
  let rootRss = 0;
  let children = 0;
  for (const s of await processTree(root)) {
    const status = await readFile(`/proc/${s.pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    if (s.pid === root) rootRss = kb * 1024;
    else children += kb * 1024;
  }
  return { total: rootRss + children, root: rootRss, children };
}

/** PIDs of the living descendants of `root` (a clean bench leaves none). */
export async function descendants(root: number): Promise<number[]> {
  return (await processTree(root)).filter((s) => s.pid !== root).map((s) => s.pid);
}
