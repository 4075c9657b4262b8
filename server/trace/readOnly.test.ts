/**
 * The real server, read-only, with a fake discovery and a recorded reader: a trace is answered
 * (it only reads), its probe is refused without --allow-probe, other POSTs stay refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { ns } from '../../common/testing/builders.js';
import { startServer } from '../serve.js';
import type { RunningServer } from '../serve.js';
import { FailureLimiter } from '../http/security.js';
import { fakeDiscovery, testServeOptions } from '../testing/liveServer.js';
import type { TraceReader } from './reader.js';
import { NO_LEGACY } from './legacy.js';
import { traceRouter } from './router.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnop';
const topology: Topology = {
  version: 1,
  namespaces: [ns(7, 'named', 'a')],
  interfaces: [],
  routes: [],
  links: [],
};
const noRoute: TraceReader = {
  read: async () => ({
    links: [],
    neigh: [],
    route: { ok: false, error: 'Network is unreachable' },
    routeCommand: 'ip route get 10.9.9.9',
  }),
  sysctls: async () => ({ values: new Map() }),
  firewall: async () => ({ tool: 'none' }),
  legacy: async () => NO_LEGACY,
  fdb: async () => [],
  listeners: async () => [],
};
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer(
    testServeOptions(TOKEN, { readOnly: true, readOnlyReason: '--read-only was given' }),
    {
      discovery: fakeDiscovery(topology),
      namespacePath: () => '/proc/self/ns/net',
      routers: (model) => [traceRouter({ readOnly: true, allowProbe: false, ...model, reader: noRoute })],
      watch: false,
      limiter: new FailureLimiter({ freeFailures: 1e9, windowMs: 1, baseBackoffMs: 1, maxBackoffMs: 1 }),
    },
  );
});
afterAll(async () => {
  await srv?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${srv.origin}/api${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('trace on a read-only server', () => {
  it('answers a trace', async () => {
    const r = await post('/trace', { from: 'ns-7', to: '10.9.9.9' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ verdict: 'unreachable', failedAt: 0 });
  });
  it('refuses its probe without --allow-probe, naming the field', async () => {
    const r = await post('/trace', { from: 'ns-7', to: '10.9.9.9', probe: true });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { field: string } }).error.field).toBe('probe');
  });
  it('still refuses other POSTs', async () => {
    const r = await post('/veth', {});
    expect(r.status).toBe(403);
  });
});
