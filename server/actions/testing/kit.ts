/**
 * Test kit for the actions API (used by *.test.ts only): the router on a small express app with
 * a real topology from discovery, plus kernel-state fingerprints for "nothing changed" checks.
 */
import { stripVolatile } from '../hostPicture.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import express from 'express';
import type { Topology } from '../../../common/model.js';
import { createDiscovery, namespacePath } from '../../discovery/index.js';
import type { ActionDeps } from '../router.js';
import { actionsRouter } from '../router.js';

const execFileP = promisify(execFile);

export interface Kit {
  deps: ActionDeps;
  topology(): Topology;
  refresh(): Promise<Topology>;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  changed: string[][];
  close(): Promise<void>;
}

export async function startKit(
  opts: Partial<
    Pick<
      ActionDeps,
      | 'readOnly'
      | 'allowHostChanges'
      | 'auditLogPath'
      | 'confirmWindowMs'
      | 'liveConnections'
      | 'hostStandInInode'
    >
  > = {},
): Promise<Kit> {
  const discovery = createDiscovery();
  let topo = (await discovery.full()).topology;
  const changed: string[][] = [];
  const auditDir = opts.auditLogPath ? null : mkdtempSync(join(tmpdir(), 'nx-audit-'));
  const deps: ActionDeps = {
    readOnly: false,
    allowHostChanges: false,
    auditLogPath: join(auditDir ?? tmpdir(), 'audit.log'),
    getTopology: () => topo,
    namespacePath: (id) => {
      const ns = topo.namespaces.find((n) => n.id === id);
      if (!ns) return null;
      // Our own namespace by /proc/self: bind mounts made by other tests may vanish any time.
      return ns.pids.includes(process.pid) ? '/proc/self/ns/net' : namespacePath(ns);
    },
    onKernelChanged: (ids) => void changed.push(ids),
    ...opts,
  };
  const app = express();
  app.use('/api', actionsRouter(deps));
  // What the live server does for paths no router knows (`/api/namespaces/..` normalises to `/api/`).
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'no_route', message: `no route for ${req.method} ${req.path}` } });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return {
    deps,
    changed,
    topology: () => topo,
    async refresh() {
      topo = (await discovery.full()).topology;
      return topo;
    },
    async call(method, path, body, headers = {}) {
      const res = await fetch(base + path, {
        method,
        headers: { 'Content-Type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { raw: text };
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      if (auditDir) rmSync(auditDir, { recursive: true, force: true });
    },
  };
}

async function ipj(nsName: string | null, args: string[]): Promise<unknown[]> {
  const argv = nsName ? ['-j', '-n', nsName, ...args] : ['-j', ...args];
  const { stdout } = await execFileP('/usr/sbin/ip', argv, { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim() || '[]') as unknown[];
}

/**
 * `ip -j link/addr/route` (all tables) of the named namespaces, and of the host restricted to its
 * own devices plus names starting with `prefix` (other people's tests run beside ours).
 */
export async function kernelState(
  nsNames: string[],
  prefix: string,
  hostDevs = ['lo', 'eth0', 'ifb0', 'ifb1'],
): Promise<string> {
  const keep = (dev: unknown) =>
    typeof dev === 'string' && (hostDevs.includes(dev) || dev.startsWith(prefix));
  const out: Record<string, unknown> = {};
  for (const ns of [null, ...nsNames]) {
    const host = ns === null;
    const filtRoutes = (rows: unknown[]) =>
      host ? rows.filter((r) => String((r as Record<string, unknown>).dev ?? '').startsWith(prefix)) : rows;
    const filt = (rows: unknown[], key: string) =>
      host ? rows.filter((r) => keep((r as Record<string, unknown>)[key])) : rows;
    out[ns ?? 'host'] = stripVolatile({
      link: filt(await ipj(ns, ['-d', 'link', 'show']), 'ifname'),
      addr: filt(await ipj(ns, ['addr', 'show']), 'ifname'),
      // Host routes: only ours (others' tests legitimately add routes on eth0 meanwhile).
      route4: filtRoutes(await ipj(ns, ['-4', 'route', 'show', 'table', 'all'])),
      route6: filtRoutes(await ipj(ns, ['-6', 'route', 'show', 'table', 'all'])),
    });
  }
  return JSON.stringify(out, null, 1);
}
