/**
 * A cheap, frequent look at /proc that says when a full namespace scan is worth doing. The kernel
 * sends no event when a process makes a network namespace (`unshare -n`), when the last process
 * of one exits, or when a namespace is bind-mounted outside /run/netns, and a full scan (every
 * pid's ns link plus mountinfo) costs several ms at a few hundred processes: too much to run 10
 * times a second. This probe costs ~30 µs when nothing happened: /proc/loadavg names the last
 * pid created and the number of tasks, so /proc is listed only when processes came or went.
 *
 * - new pids are "young" for a while: their ns link is checked on every tick (a process unshares
 *   after it was forked: `unshare -n cmd` forks, then calls unshare(2), then execs);
 * - a holder (the oldest process of a namespace, from the last full scan) that exits may have
 *   taken its namespace with it.
 * Mounts are watched by findmnt (monitor.ts): reading the mount table 20 times a second costs
 * ~1% of a core at a few hundred namespace mounts.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';

export interface ProcSource {
  loadavg(): string;
  pids(): number[];
  /** Inode of the pid's network namespace, or null when it cannot be read (gone, no access). */
  netInode(pid: number): number | null;
}

/**
 * /proc/loadavg read 10 times a second: through one descriptor kept open and re-read from offset
 * 0 (the kernel makes the text anew on each read at 0) into one buffer, one syscall a tick
 * instead of open, stat, read and close plus a buffer each time; at 1,000 namespaces the idle
 * server's CPU is mostly these ticks and the garbage they leave. The descriptor is of the proc
 * mount, not of any network namespace, so it keeps none alive.
 */
let loadavgFd: number | null = null;
const loadavgBuf = Buffer.alloc(128);
function readLoadavg(): string {
  loadavgFd ??= openSync('/proc/loadavg', 'r');
  try {
    return loadavgBuf.toString('latin1', 0, readSync(loadavgFd, loadavgBuf, 0, loadavgBuf.length, 0));
  } catch (e) {
    closeSync(loadavgFd);
    loadavgFd = null;
    throw e;
  }
}

export const realProc: ProcSource = {
  loadavg: readLoadavg,
  pids: () => readdirSync('/proc').flatMap((d) => (/^\d+$/.test(d) ? [Number(d)] : [])),
  netInode: (pid) => statSync(`/proc/${pid}/ns/net`, { throwIfNoEntry: false })?.ino ?? null,
};

/**
 * How long a new pid is watched for an unshare(2) after its fork (which comes within
 * milliseconds; longer would cost a stat per new process per tick on a busy machine).
 */
const YOUNG_MS = 1000;
/** Bound on young pids checked per tick (a fork storm falls back to the periodic full scan). */
const MAX_YOUNG = 512;

/**
 * The parts of /proc/loadavg that change when a task is created or exits: the number of tasks
 * (after the slash of `RUNNING/TASKS`; the running count changes all the time) and the last pid.
 */
export function taskStamp(loadavg: string): string {
  const f = loadavg.trim().split(/\s+/);
  return `${(f[3] ?? '').split('/')[1] ?? ''} ${f[4] ?? ''}`;
}

export class ProcProbe {
  private stamp = '';
  /** Counts the changes of the task stamp seen so far: equal counts, no task came or went. */
  generation = 0;
  private pids = new Set<number>();
  private young = new Map<number, number>();
  private known = new Set<number>();
  private holders = new Set<number>();

  constructor(private readonly proc: ProcSource = realProc) {}

  /** After a full scan: the namespaces that exist and the pid holding each (its oldest). */
  reset(known: Iterable<number>, holders: Iterable<number>): void {
    this.known = new Set(known);
    this.holders = new Set(holders);
    for (const pid of this.holders) this.young.delete(pid);
  }

  /** Why a full scan is needed now, or null. Never throws (a failed read asks for a scan). */
  check(now: number): string | null {
    try {
      return this.look(now);
    } catch (e) {
      return `reading /proc failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private look(now: number): string | null {
    let why: string | null = null;
    const stamp = taskStamp(this.proc.loadavg());
    if (stamp !== this.stamp) {
      const first = this.stamp === '';
      this.stamp = stamp;
      this.generation++;
      const pids = new Set(this.proc.pids());
      for (const pid of pids)
        if (!first && !this.pids.has(pid) && this.young.size < MAX_YOUNG) this.young.set(pid, now);
      for (const pid of this.pids) {
        if (pids.has(pid)) continue;
        this.young.delete(pid);
        if (this.holders.has(pid)) why ??= `namespace holder ${pid} exited`;
      }
      this.pids = pids;
    }
    for (const [pid, born] of this.young) {
      if (now - born > YOUNG_MS) {
        this.young.delete(pid);
        continue;
      }
      const ino = this.proc.netInode(pid);
      if (ino !== null && !this.known.has(ino)) {
        why ??= `pid ${pid} is in a namespace not seen yet`;
        // Known from now on: one scan per new namespace, not one per tick until the scan lands.
        this.known.add(ino);
      }
    }
    return why;
  }
}
