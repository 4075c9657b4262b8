/**
 * Playwright fixtures for netns-explorer's end-to-end tests. Import `test` and `expect` from here,
 * never from '@playwright/test':
 *
 *   import { test, expect, hostNsId, runShell, uniquePrefix, cleanupPrefix } from './fixtures.js';
 *
 *   test('shows a new namespace', async ({ page, explorer, lab }) => { ... });
 *
 * Worker-scoped (started once per worker; playwright.config.ts runs one worker, so once per run,
 * and again after a failed test restarts the worker):
 * - `explorer: { baseURL, token, origin, logs() }` — `node dist/server/cli.js --port 0` with a
 *   random NETNS_EXPLORER_TOKEN; `baseURL` is `http://127.0.0.1:PORT` (no trailing slash), `origin`
 *   the same as the server's own origin, `logs()` its stderr so far (attach it when debugging).
 *   Requires `npm run build` first (scripts/test-all.sh does it); fails with a clear message if
 *   dist/server/cli.js is missing. Stopped with SIGTERM after the worker.
 * - `lab: LabInfo` — `netns-explorer lab up` before, `lab down` after. Only started when a test asks
 *   for it. `lab.ns['netshoot-a'|'netshoot-b'|'nginx']` give `{ pid, path, inode, id }` where `id` is
 *   the model id `ns-<inode>` (the React Flow node's data-id); `lab.hostNsId` is the host's;
 *   `lab.state` is the raw state file (server/lab/state.ts). Names and addresses: server/lab/plan.ts
 *   (re-exported here as `labPlan`).
 *
 * Test-scoped:
 * - `baseURL` is set to the server's, so `page.goto('/')` works.
 * - `page` is already authenticated: it has opened `/?token=...`, which sets the session cookie and
 *   redirects to `/`. Tests may `page.goto('/')` or `page.reload()` freely.
 * - `api` — an APIRequestContext with `Authorization: Bearer <token>` and the server's baseURL, for
 *   `GET /api/topology` etc. (no Origin header, so mutations pass the CSRF check as a script).
 *
 * Kernel helpers (from test/kernel.ts): `runShell(script)` (sh -ec, returns stdout), `ipJson(args,
 * {path}|{name})`, `uniquePrefix(tag)` (use one per spec and `cleanupPrefix(prefix)` in afterAll or
 * finally), `spawnNetnsHolder()`, `nsInode(path)`, `pollUntil(fn, what)`. Model ids:
 * `hostNsId()`, `nsIdOf(path)`, `ifId(nsInode, ifindex)`. Wait with `expect.poll` / locators, never
 * with fixed sleeps; use addresses in 10.0.0.0/8 and never touch lo/eth0/ifb0/ifb1.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test as base, expect, request as playwrightRequest } from '@playwright/test';
import type { APIRequestContext } from '@playwright/test';
import {
  sh,
  ipJson,
  uniquePrefix,
  cleanupPrefix,
  spawnNetnsHolder,
  nsInode,
  pollUntil,
} from '../test/kernel.js';
import type { LabState } from '../server/lab/state.js';
import * as labPlan from '../server/lab/plan.js';
import { ifId, isNsId, nsId, parseNsId, vethLinkId } from '../common/ids.js';

export { expect, ipJson, uniquePrefix, cleanupPrefix, spawnNetnsHolder, nsInode, pollUntil, labPlan };
export type { LabState };

/** `sh -ec SCRIPT` as root; resolves with stdout, rejects when the script fails. */
export const runShell = sh;

const execFileP = promisify(execFile);
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO_ROOT, 'dist/server/cli.js');

export interface ExplorerServer {
  /** `http://HOST:PORT` as printed by the server. */
  baseURL: string;
  token: string;
  /** The page's own origin (same as baseURL). */
  origin: string;
  /** The server's stderr so far. */
  logs(): string;
}

export interface LabNamespace {
  pid: number;
  /** `/proc/PID/ns/net` */
  path: string;
  inode: number;
  /** Model id `ns-<inode>`: the namespace box's data-id. */
  id: string;
}

export interface LabInfo {
  state: LabState;
  ns: Record<'netshoot-a' | 'netshoot-b' | 'nginx', LabNamespace>;
  hostNsId: string;
}

/**
 * A unique prefix for one spec's namespaces and devices, removed after the spec's tests (an
 * afterAll registered here, so it runs even when a test fails).
 */
export function specPrefix(tag: string): string {
  const prefix = uniquePrefix(tag);
  test.afterAll(async () => {
    await cleanupPrefix(prefix);
  });
  return prefix;
}

export async function hostNsId(): Promise<string> {
  return nsId((await stat('/proc/self/ns/net')).ino);
}

export async function nsIdOf(path: string): Promise<string> {
  return nsId((await stat(path)).ino);
}

export { ifId, isNsId, nsId, parseNsId, vethLinkId };

function requireBuild(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` before the end-to-end tests (npm test does).`);
  }
}

/** `node dist/server/cli.js ARGS`; rejects with its output when it fails. */
export async function cli(...args: string[]): Promise<string> {
  requireBuild();
  try {
    const { stdout } = await execFileP(process.execPath, [CLI, ...args], {
      timeout: 120_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `netns-explorer ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`,
    );
  }
}

/**
 * The server prints its URL as soon as it listens, then discovers every namespace (seconds on a
 * quiet machine, up to a minute with hundreds of namespaces on a loaded one): the fixture waits for
 * the first model too (the API answers 503 `starting` until then).
 */
const URL_TIMEOUT_MS = 120_000;
const URL_LINE = /^netns-explorer: open (http:\/\/[^/\s]+)\/\?token=(\S+)/m;

/** A server of the test's own (extra command-line arguments); stop it with stopServer. */
export async function startServer(
  extraArgs: string[] = [],
): Promise<{ server: ExplorerServer; child: ChildProcess }> {
  requireBuild();
  const token = randomBytes(24).toString('hex');
  // Its own history, never the system's (/var/lib/netns-explorer/history); removed when it exits.
  const historyDir = mkdtempSync(join(tmpdir(), 'nx-e2e-history-'));
  const child = spawn(process.execPath, [CLI, '--port', '0', '--history', historyDir, ...extraArgs], {
    cwd: REPO_ROOT,
    env: { ...process.env, NETNS_EXPLORER_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', () => rmSync(historyDir, { recursive: true, force: true }));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const baseURL = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server printed no URL within ${URL_TIMEOUT_MS / 1000} s:\n${stderr}`)),
      URL_TIMEOUT_MS,
    );
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const m = URL_LINE.exec(stdout);
      if (m) {
        clearTimeout(timer);
        // stdout is a pipe here: the server must name where the token is, never print it.
        if (m[2] !== '<token>') reject(new Error('server printed its token on a non-terminal stdout'));
        else resolve(m[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before printing its URL:\n${stderr}`));
    });
  });
  const deadline = Date.now() + URL_TIMEOUT_MS;
  for (;;) {
    const r = await fetch(`${baseURL}/api/topology`, { headers: { Authorization: `Bearer ${token}` } });
    if (r.status !== 503) break;
    if (Date.now() > deadline) throw new Error(`no model within ${URL_TIMEOUT_MS / 1000} s:\n${stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return { server: { baseURL, token, origin: baseURL, logs: () => stderr }, child };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function labInfo(): Promise<LabInfo> {
  const state = JSON.parse(await readFile(labPlan.STATE_FILE, 'utf8')) as LabState;
  const ns = {} as LabInfo['ns'];
  for (const role of ['netshoot-a', 'netshoot-b', 'nginx'] as const) {
    const p = state.processes.find((x) => x.role === role);
    if (!p) throw new Error(`lab state has no ${role}`);
    const path = `/proc/${p.pid}/ns/net`;
    const inode = await nsInode(path);
    ns[role] = { pid: p.pid, path, inode, id: nsId(inode) };
  }
  return { state, ns, hostNsId: await hostNsId() };
}

interface WorkerFixtures {
  explorer: ExplorerServer;
  lab: LabInfo;
}
interface TestFixtures {
  api: APIRequestContext;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  explorer: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { server, child } = await startServer();
      try {
        await use(server);
      } finally {
        await stopServer(child);
      }
    },
    { scope: 'worker', timeout: URL_TIMEOUT_MS + 30_000 },
  ],
  lab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await cli('lab', 'up');
      try {
        await use(await labInfo());
      } finally {
        await cli('lab', 'down');
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ explorer }, use) => {
    await use(explorer.baseURL);
  },
  page: async ({ page, explorer }, use) => {
    await page.goto(`/?token=${encodeURIComponent(explorer.token)}`);
    await page.waitForURL((u) => u.pathname === '/' && !u.searchParams.has('token'));
    await use(page);
  },
  api: async ({ explorer }, use) => {
    const ctx = await playwrightRequest.newContext({
      baseURL: explorer.baseURL,
      extraHTTPHeaders: { Authorization: `Bearer ${explorer.token}` },
    });
    try {
      await use(ctx);
    } finally {
      await ctx.dispose();
    }
  },
});
