/**
 * POST /api/trace over HTTP: bad input is a 400 naming the field with nothing started; a probe
 * on a read-only server needs --allow-probe; a trace over a recorded two-namespace world.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../common/model.js';
import { iface, ns } from '../../common/testing/builders.js';
import { onSpawn } from '../exec/run.js';
import type { NamespaceRead, RouteQuery, TraceReader } from './reader.js';
import { NO_LEGACY } from './legacy.js';
import { traceRouter } from './router.js';
import type { TraceDeps } from './router.js';

const topology: Topology = {
  version: 1,
  namespaces: [ns(1, 'named', 'a'), ns(2, 'named', 'b')],
  interfaces: [
    iface(1, 2, 'e0', {
      peer: 'if-2-2',
      mac: '02:00:00:00:00:01',
      addresses: [{ family: 'inet', cidr: '10.0.0.1/24', scope: 'global', broadcast: null }],
    }),
    iface(2, 2, 'e0', {
      peer: 'if-1-2',
      mac: '02:00:00:00:00:02',
      addresses: [{ family: 'inet', cidr: '10.0.0.2/24', scope: 'global', broadcast: null }],
    }),
  ],
  routes: [],
  links: [],
};

/** Answers as ip would in a (10.0.0.1) and b (10.0.0.2), joined by one veth. */
const recorded: TraceReader = {
  async read(path: string, q: RouteQuery | null): Promise<NamespaceRead> {
    const mine = path === '/a' ? '10.0.0.1' : '10.0.0.2';
    const links = [
      {
        name: 'e0',
        ifindex: 2,
        up: true,
        lowerUp: true,
        operstate: 'UP',
        master: null,
        mac: null,
        addrs: [mine],
        cidrs: [`${mine}/24`],
        kind: 'veth',
        portState: null,
        vlanFiltering: false,
      },
    ];
    if (!q) return { links, neigh: [], route: { ok: false, error: 'not asked' }, routeCommand: '' };
    const local = q.to === mine;
    const text = local ? `local ${q.to} dev lo table local` : `${q.to} dev e0 src ${mine}`;
    return {
      links,
      neigh: [],
      route: /^10\.0\.0\.\d+$/.test(q.to)
        ? {
            ok: true,
            route: {
              type: local ? 'local' : 'unicast',
              dst: q.to,
              dev: local ? 'lo' : 'e0',
              gateway: null,
              prefsrc: mine,
              table: null,
              text,
            },
          }
        : { ok: false, error: 'Network is unreachable' },
      routeCommand: `ip route get ${q.to}`,
    };
  },
  sysctls: async () => ({ values: new Map() }),
  firewall: async () => ({ tool: 'none' }),
  legacy: async () => NO_LEGACY,
  fdb: async () => [],
  listeners: async () => [],
};

let server: Server;
let base = '';
let deps: TraceDeps;

beforeAll(async () => {
  deps = {
    readOnly: true,
    allowProbe: false,
    getTopology: () => topology,
    namespacePath: (id) => (id === 'ns-1' ? '/a' : id === 'ns-2' ? '/b' : null),
    reader: recorded,
  };
  const app = express();
  app.use(express.json());
  app.use('/api', traceRouter(deps));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trace`;
});
afterAll(() => {
  server?.close();
});

const post = async (body: unknown) => {
  const r = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: r.status,
    body: (await r.json()) as Record<string, unknown> & { error?: { field?: string; message: string } },
  };
};

describe('POST /api/trace', () => {
  it.each([
    [{ from: 'ns-9', to: '10.0.0.2' }, 'from'],
    [{ from: 'bogus', to: '10.0.0.2' }, 'from'],
    [{ from: 'ns-1', to: '10.0.0.300' }, 'to'],
    [{ from: 'ns-1', to: '10.0.0.2%eth0' }, 'to'],
    [{ from: 'ns-1', to: '10.0.0.2', protocol: 'tcp', port: 70000 }, 'port'],
    [{ from: 'ns-1', to: '10.0.0.2', protocol: 'tcp' }, 'port'],
    [{ from: 'ns-1', to: '10.0.0.2', protocol: 'sctp' }, 'protocol'],
    [{ from: 'ns-1', to: '10.0.0.2', probe: 'yes' }, 'probe'],
    [{ from: 'ns-1', to: '10.0.0.2', mark: -1 }, 'mark'],
    [{ from: 'ns-1', to: '10.0.0.2', mark: 2 ** 32 }, 'mark'],
    [{ from: 'ns-1', to: '10.0.0.2', mark: '7' }, 'mark'],
    [{ from: 'ns-1', to: '10.0.0.2', mark: 7, probe: true }, 'mark'],
    [{ from: 'ns-1', to: '10.0.0.2', extra: 1 }, ''],
  ])('refuses %j naming the field, nothing started', async (body, field) => {
    const spawned: string[][] = [];
    const off = onSpawn((argv) => spawned.push([...argv]));
    const r = await post(body);
    off();
    expect(r.status).toBe(400);
    if (field) expect(r.body.error?.field).toBe(field);
    expect(spawned).toEqual([]);
  });

  it('refuses a probe on a read-only server without --allow-probe, but traces', async () => {
    const r = await post({ from: 'ns-1', to: '10.0.0.2', probe: true });
    expect(r.status).toBe(403);
    expect(r.body.error?.field).toBe('probe');
    const t = await post({ from: 'ns-1', to: '10.0.0.2' });
    expect(t.status).toBe(200);
  });

  it('walks the recorded world: route, veth, deliver, and the reply back', async () => {
    const r = await post({ from: 'ns-1', to: '10.0.0.2' });
    expect(r.body).toMatchObject({ verdict: 'reachable', failedAt: null, source: '10.0.0.1', probe: null });
    const hops = r.body.hops as Array<{
      action: string;
      namespace: string;
      in: string | null;
      out: string | null;
    }>;
    expect(hops.map((h) => `${h.action}@${h.namespace}`)).toEqual([
      'route@ns-1',
      'veth@ns-2',
      'deliver@ns-2',
    ]);
    expect(hops[0]!.out).toBe('if-1-2');
    expect(hops[1]!.in).toBe('if-2-2');
    const back = r.body.returnPath as { hops: Array<{ action: string }> };
    expect(back.hops.map((h) => h.action)).toEqual(['route', 'veth', 'deliver']);
  });

  it('reports no route as the failing first hop', async () => {
    const r = await post({ from: 'ns-1', to: '192.0.2.1' });
    expect(r.body).toMatchObject({ verdict: 'unreachable', failedAt: 0, returnPath: null });
  });
});
