/**
 * Process helpers for the benchmark. The bench builds its own fixtures and runs the baselines the
 * way a user would, so it spawns `ip`, `nsenter` and `sh` directly (server code must use run.ts).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export const IP = '/usr/sbin/ip';
export const NSENTER = '/usr/bin/nsenter';
export const UNSHARE = '/usr/bin/unshare';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from just before spawn to the child's exit, in ms. */
  ms: number;
  /** performance.now() just before spawn and when the exit was seen. */
  t0: number;
  t1: number;
}

export interface CmdOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs argv without a shell and collects its output; never rejects for a non-zero exit. */
export function cmd(argv: readonly string[], opts: CmdOptions = {}): Promise<CmdResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty argv');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const t1 = performance.now();
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: t1 - t0,
        t0,
        t1,
      });
    });
    if (child.stdin) {
      // A child that exits without reading its input must not crash the bench (EPIPE).
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** Like cmd, but throws with the command and its stderr when it fails. */
export async function cmdOk(argv: readonly string[], opts: CmdOptions = {}): Promise<CmdResult> {
  const r = await cmd(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

export function sh(script: string, opts: CmdOptions = {}): Promise<CmdResult> {
  return cmdOk(['/bin/sh', '-ec', script], opts);
}

/** Runs async jobs with at most `limit` in flight, preserving result order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Polls until fn returns a truthy value or the deadline passes; returns undefined on timeout. */
export async function pollFor<T>(
  fn: () => Promise<T> | T,
  timeoutMs: number,
  everyMs = 20,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
