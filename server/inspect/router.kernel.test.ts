/** The inspect endpoints against a real namespace with a real listener. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, sh, spawnNetnsHolder } from '../../test/kernel.js';
import type { Holder } from '../../test/kernel.js';
import { inspectRouter } from './router.js';

let holder: Holder;
let listener: ChildProcess | undefined;
let server: Server;
let base = '';
const ID = 'ns-1';

beforeAll(async () => {
  holder = await spawnNetnsHolder();
  listener = spawn(
    '/usr/bin/nsenter',
    [`--net=${holder.path}`, '/usr/bin/python3', '-m', 'http.server', '8081'],
    {
      stdio: 'ignore',
    },
  );
  await pollUntil(
    async () => (await sh(`nsenter --net=${holder.path} ss -Hltn`)).includes(':8081'),
    'listener in namespace',
  );
  const app = express();
  app.use('/api', inspectRouter({ namespacePath: (id) => (id === ID ? holder.path : null) }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  server?.close();
  if (listener && listener.exitCode === null) {
    const exited = new Promise((r) => listener?.once('exit', r));
    listener.kill('SIGKILL');
    await exited;
  }
  await holder?.stop();
});

describe('inspect router', () => {
  it('lists the listener inside the namespace, not the host ones', async () => {
    const r = await fetch(`${base}/namespaces/${ID}/sockets`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      sockets: Array<{ port: number; process: string | null; pid: number }>;
    };
    expect(body.sockets).toHaveLength(1);
    expect(body.sockets[0]).toMatchObject({ port: 8081, process: 'python3', pid: listener?.pid });
  });

  it('shows the firewall of the namespace, not the host one', async () => {
    const get = async () =>
      (await (await fetch(`${base}/namespaces/${ID}/firewall`)).json()) as {
        tool: string;
        rules: number;
        text: string;
      };
    const before = await get();
    expect(['nft', 'iptables']).toContain(before.tool);
    expect(before.rules).toBe(0);
    // The rule lives only inside the test namespace, which dies with its holder.
    await sh(`nsenter --net=${holder.path} nft add table inet nxtest`);
    await sh(
      `nsenter --net=${holder.path} nft add chain inet nxtest input '{ type filter hook input priority 0; }'`,
    );
    await sh(`nsenter --net=${holder.path} nft add rule inet nxtest input tcp dport 8081 accept`);
    const after = await get();
    expect(after.rules).toBe(1);
    expect(after.text).toContain('dport 8081');
  });

  it('answers 404 for an unknown namespace and 400 for a malformed id', async () => {
    const r = await fetch(`${base}/namespaces/ns-999/sockets`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await fetch(`${base}/namespaces/ns-1;rm/firewall`);
    expect(bad.status).toBe(400);
  });
});
