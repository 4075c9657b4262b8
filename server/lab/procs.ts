/**
 * Long-lived lab processes: started detached (they must outlive the CLI), identified by
 * (pid, start time) so `lab down` never signals a recycled PID, and stopped with a deadline.
 */
import { spawn } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';

/** Same fixed environment as server/exec/run.ts: nothing of ours leaks into the lab's processes. */
const CHILD_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

export interface ProcInfo {
  comm: string;
  /** One-letter state from /proc/PID/stat (`Z` = zombie, already released its namespaces). */
  state: string;
  /** Field 22 of /proc/PID/stat, in clock ticks since boot. */
  startTime: number;
}

/** Parses /proc/PID/stat; comm may contain spaces and parentheses, so split after the last `)`. */
export function parseStat(text: string): ProcInfo | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const startTime = Number(rest[19]);
  if (!rest[0] || !Number.isFinite(startTime)) return null;
  return { comm: text.slice(open + 1, close), state: rest[0], startTime };
}

export async function procInfo(pid: number): Promise<ProcInfo | null> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export async function procCmdline(pid: number): Promise<string[]> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((s) => s !== '');
  } catch {
    return [];
  }
}

export async function netnsOf(pid: number | 'self'): Promise<string | null> {
  try {
    return await readlink(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/**
 * Starts `file args` in its own session with stdio closed and without waiting for it: the lab's
 * holders must survive the CLI. (server/exec/run.ts waits for its children, so it cannot do this.)
 */
export function spawnDetached(file: string, args: readonly string[]): Promise<number> {
  if (!file.startsWith('/')) throw new Error(`not an absolute path: ${file}`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      detached: true,
      stdio: 'ignore',
      shell: false,
      env: CHILD_ENV,
      cwd: '/',
    });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      if (child.pid === undefined) reject(new Error(`${file} did not start`));
      else resolve(child.pid);
    });
  });
}

/** A process is ours while its start time matches what we recorded and it is not a zombie. */
export async function isAlive(pid: number, startTime: number): Promise<boolean> {
  const info = await procInfo(pid);
  return info !== null && info.startTime === startTime && info.state !== 'Z';
}

export async function pollUntil<T>(
  fn: () => Promise<T>,
  what: string,
  timeoutMs: number,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone (or a zombie). */
export async function stopProcess(pid: number, startTime: number): Promise<void> {
  if (!(await isAlive(pid, startTime))) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  try {
    await pollUntil(async () => !(await isAlive(pid, startTime)), `pid ${pid} to exit`, 3000);
  } catch {
    if (await isAlive(pid, startTime)) process.kill(pid, 'SIGKILL');
    await pollUntil(async () => !(await isAlive(pid, startTime)), `pid ${pid} to die`, 3000);
  }
}
