/**
 * The command as users run it, from the sources (`node --import tsx server/cli.ts ARGS`), for the
 * kernel tests that need a whole server process: stdout and stderr collected line by line, the URL
 * line awaited, every child killed at the end of the file. Not imported by production code.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { childEnv, pollUntil, waitForFirstModel } from '../../test/kernel.js';

/** The checkout's root: the CLI runs from there (tsx resolves server/cli.ts against it). */
export const CHECKOUT = new URL('../..', import.meta.url).pathname;

export interface CliProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
}

export interface CliServer extends CliProcess {
  /** `http://HOST:PORT` from the URL line. */
  base: string;
}

export interface CliOptions {
  /** The environment besides PATH (which is the test's own unless given here). */
  env?: Record<string, string>;
  /** A command the CLI runs under, e.g. `['/usr/bin/setpriv', '--reuid=65534', ...]`. */
  wrapper?: string[];
}

const started: ChildProcess[] = [];

/** Starts `netns-explorer ARGS`; its output lines collect in `stdout` and `stderr`. */
export function startCli(args: string[], opts: CliOptions = {}): CliProcess {
  const argv = [...(opts.wrapper ?? []), process.execPath, '--import', 'tsx', 'server/cli.ts', ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: CHECKOUT,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  return { child, stdout, stderr };
}

/** The base URL of the first stdout line (`... open http://HOST:PORT/...`); throws with stderr's tail. */
export async function urlLine(p: CliProcess, timeoutMs = 240_000): Promise<string> {
  await pollUntil(() => p.stdout.length > 0 || p.child.exitCode !== null, 'the URL line', timeoutMs);
  const m = /open (http:\/\/[^/]+)\//.exec(p.stdout[0] ?? '');
  if (!m) throw new Error(`no URL line:\n${p.stderr.join('\n').slice(-3000)}`);
  return m[1]!;
}

/**
 * Starts a server (`serve` or `view` ARGS) with `token` in NETNS_EXPLORER_TOKEN and waits for its
 * URL line and first model.
 */
export async function startServer(args: string[], token: string, opts: CliOptions = {}): Promise<CliServer> {
  const p = startCli(args, { ...opts, env: { NETNS_EXPLORER_TOKEN: token, ...opts.env } });
  const base = await urlLine(p);
  await waitForFirstModel(base, token);
  return { ...p, base };
}

/** Its exit code (null when a signal ended it), once it has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/** Sends `signal` and waits for the exit; the exit code. */
export function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const done = exited(child);
  child.kill(signal);
  return done;
}

/** Kills what this file started and is still running (call it in afterAll). */
export function killStarted(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
