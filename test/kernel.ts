/**
 * Test helpers that build real kernel fixtures (namespaces, veths, processes) under a unique
 * prefix and remove exactly what they made. Shell commands are fine here: tests build the input.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const execFileP = promisify(execFile);

/** A short unique prefix (`nx` + tag + 3 random chars) so names stay within 15 bytes. */
export function uniquePrefix(tag: string): string {
  return `nx${tag}${randomBytes(2).toString('hex').slice(0, 3)}`;
}

export async function sh(script: string): Promise<string> {
  const { stdout } = await execFileP('/bin/sh', ['-ec', script], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** `ip -j ARGS` in the host namespace, or in a namespace given by path (nsenter) or by name (-n). */
export async function ipJson<T = unknown>(args: string[], ns?: { path?: string; name?: string }): Promise<T> {
  let argv: string[];
  if (ns?.name) argv = ['/usr/sbin/ip', '-j', '-n', ns.name, ...args];
  else if (ns?.path) argv = ['/usr/bin/nsenter', `--net=${ns.path}`, '/usr/sbin/ip', '-j', ...args];
  else argv = ['/usr/sbin/ip', '-j', ...args];
  const { stdout } = await execFileP(argv[0]!, argv.slice(1), { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim() || '[]') as T;
}

export async function nsInode(path: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  return (await stat(path)).ino;
}

/** Polls `fn` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function pollUntil<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A process alone in a new network namespace (like a container), killed by `stop()`. */
export interface Holder {
  pid: number;
  path: string;
  stop(): Promise<void>;
}

export async function spawnNetnsHolder(extraArgs: string[] = []): Promise<Holder> {
  // pdeathsig: if the test process dies without cleaning up, the holder (and its namespace) goes too.
  const child: ChildProcess = spawn(
    '/usr/bin/unshare',
    ['-n', ...extraArgs, '/usr/bin/setpriv', '--pdeathsig', 'KILL', '/bin/sleep', '86400'],
    { stdio: 'ignore' },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare did not start');
  const path = `/proc/${pid}/ns/net`;
  // unshare switches namespace before exec; wait until sleep runs in a namespace unlike ours.
  const { readlink } = await import('node:fs/promises');
  const mine = await readlink('/proc/self/ns/net');
  await pollUntil(async () => {
    const comm = (await sh(`cat /proc/${pid}/comm`)).trim();
    return comm === 'sleep' && (await readlink(path)) !== mine;
  }, `unshare holder ${pid}`);
  return {
    pid,
    path,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Removes every named namespace and host link whose name starts with `prefix`. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  if (!/^[a-z0-9]+$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  await sh(`
    for n in $(ip netns list | cut -d' ' -f1 | grep '^${prefix}' || true); do ip netns del "$n" || true; done
    for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^${prefix}' || true); do ip link del dev "$l" 2>/dev/null || true; done
  `);
}

/**
 * Waits until a server that printed its URL has its first model: it listens at once and answers
 * 503 `starting` until the first full read is done.
 */
export async function waitForFirstModel(base: string, token: string, timeoutMs = 240_000): Promise<void> {
  await pollUntil(
    async () => {
      const res = await fetch(`${base}/api/topology`, { headers: { Authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200 && res.status !== 503) throw new Error(`GET /api/topology: ${res.status}`);
      return res.status === 200;
    },
    'the first model',
    timeoutMs,
  );
}

/** Lazily unmounts whatever is mounted under `dir` (a runtime's netns bind mounts, shm, overlays), deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await sh(`umount -l '${m}'`).catch(() => '');
}

/**
 * The environment of a netns-explorer a test starts: PATH, the podman root the test configs set
 * (so that it never opens the host's own podman storage; vitest.config.ts), then `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const root = process.env.NETNS_EXPLORER_PODMAN_ROOT;
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    ...(root ? { NETNS_EXPLORER_PODMAN_ROOT: root } : {}),
    ...extra,
  };
}
