/** The firewall panel's endpoint says plainly when neither nft nor iptables-save is installed. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { onSpawn } from '../exec/run.js';
import { inspectRouter } from '../inspect/router.js';

let server: Server;
let base = '';
beforeAll(async () => {
  const app = express();
  const missing = { nft: '/nonexistent/nft', iptablesSave: '/nonexistent/iptables-save' };
  app.use('/api', inspectRouter({ namespacePath: () => '/proc/self/ns/net', firewallTools: missing }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => {
  server?.close();
});

it('answers tool "none" with a sentence, starting nothing', async () => {
  const spawned: string[][] = [];
  const off = onSpawn((argv) => spawned.push([...argv]));
  const r = await fetch(`${base}/namespaces/ns-1/firewall`);
  off();
  expect(r.status).toBe(200);
  const body = (await r.json()) as { tool: string; text: string; rules: number };
  expect(body).toMatchObject({ tool: 'none', rules: 0 });
  expect(body.text).toMatch(/^neither nft nor iptables-save is installed/);
  expect(spawned).toEqual([]);
});
