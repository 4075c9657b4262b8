/**
 * The one place netns-explorer starts short-lived child processes: by absolute path, with a fixed
 * environment, a timeout, and a bound on how many run at once. Nothing here goes through a shell;
 * the one script that does (discovery's chunk reader, /bin/sh with a constant script) receives
 * paths only as arguments, never in its text.
 */
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';

export const IP = '/usr/sbin/ip';
export const NSENTER = '/usr/bin/nsenter';
export const SETPRIV = '/usr/bin/setpriv';

/**
 * The argv that runs `file args` with a parent-death signal (setpriv sets it, then execs the
 * command): a server killed with SIGKILL has no chance to stop its long-lived children (event
 * monitors), and they must not outlive it. Without setpriv, the command as it is.
 */
export function diesWithUs(file: string, args: readonly string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', file, ...args]] : [file, [...args]];
}

/** Fixed environment: nothing of ours (in particular no token) leaks into children. */
const CHILD_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly result: RunResult,
    readonly argv: readonly string[],
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Observers of every spawn (tests use this to prove that nothing was started). */
type SpawnListener = (argv: readonly string[]) => void;
const listeners = new Set<SpawnListener>();
export function onSpawn(listener: SpawnListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let maxConcurrent = 8;
let running = 0;
const waiting: Array<() => void> = [];

export function setMaxConcurrentChildren(n: number): void {
  maxConcurrent = Math.max(1, n);
}

async function acquire(): Promise<void> {
  if (running < maxConcurrent) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

/** Runs `file args`, resolving with its output whatever its exit code; rejects only if it could not start. */
export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const argv = [file, ...args];
  await acquire();
  try {
    for (const l of listeners) l(argv);
    const r = await execa(file, args, {
      input: opts.input ?? '',
      timeout: opts.timeoutMs ?? 10_000,
      forceKillAfterDelay: 2000,
      killSignal: 'SIGTERM',
      maxBuffer: 256 * 1024 * 1024,
      reject: false,
      shell: false,
      extendEnv: false,
      env: CHILD_ENV,
      stripFinalNewline: false,
    });
    if (r.failed && r.exitCode === undefined && !r.timedOut && r.signal === undefined) {
      throw new CommandError(`could not start ${file}: ${r.shortMessage}`, toResult(r), argv);
    }
    return toResult(r);
  } finally {
    release();
  }
}

function toResult(r: { exitCode?: number; stdout: unknown; stderr: unknown; timedOut: boolean }): RunResult {
  return {
    exitCode: r.exitCode ?? -1,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    timedOut: r.timedOut,
  };
}

/**
 * Starts a long-lived child (discovery's read server): by absolute path, fixed environment, its
 * own process group (so a hung grandchild can be killed with it), stdin/stdout/stderr as pipes.
 */
export function startLongLived(file: string, args: readonly string[]): ChildProcess {
  for (const l of listeners) l([file, ...args]);
  return spawn(file, args, {
    env: CHILD_ENV,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    shell: false,
  });
}

/** Tells spawn observers about a command a long-lived child runs for us. */
export function announce(argv: readonly string[]): void {
  for (const l of listeners) l(argv);
}

/** Like run, but rejects with a CommandError naming the command when it fails or times out. */
export async function runOk(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(file, args, opts);
  if (r.timedOut) throw new CommandError(`${file} ${args.join(' ')} timed out`, r, [file, ...args]);
  if (r.exitCode !== 0) {
    throw new CommandError(
      `${file} ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
      r,
      [file, ...args],
    );
  }
  return r.stdout;
}
