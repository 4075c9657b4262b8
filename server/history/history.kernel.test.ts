/**
 * History against the real kernel and the real server: 500 random changes (namespaces, veths,
 * link state, addresses, routes) under a unique prefix; at 20 moments the server's model and a
 * `netns-explorer snapshot` (a separate read of the kernel) are taken; afterwards
 * `GET /api/topology?at=` for each moment equals the model taken then, and the test's part of it
 * (namespaces, interfaces, routes, links; not the passing processes) equals the snapshot's, across a clean restart and a `kill -9` in the middle of a burst of changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangesResponse, HistoryInfo } from '../../common/history.js';
import type { Topology } from '../../common/model.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import type { CliServer } from '../testing/cliProcess.js';
import { killStarted, startServer as startCliServer, stopWith } from '../testing/cliProcess.js';
import { prng } from './testing/testModels.js';

const TOKEN = 'history-kernel-test-token-0123456789';
const prefix = uniquePrefix('hk');
const historyDir = mkdtempSync(join(tmpdir(), 'nx-history-kernel-'));

afterAll(async () => {
  killStarted();
  await cleanupPrefix(prefix);
  rmSync(historyDir, { recursive: true, force: true });
});

type Server = CliServer;

function startServer(): Promise<Server> {
  return startCliServer(['serve', '--port', '0', '--history', historyDir], TOKEN);
}

async function stop(s: Server, signal: NodeJS.Signals): Promise<void> {
  await stopWith(s.child, signal);
}

async function api<T>(s: Server, path: string): Promise<T> {
  const res = await fetch(`${s.base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function modelOf(t: Topology): Topology {
  return {
    version: t.version,
    namespaces: t.namespaces,
    interfaces: t.interfaces,
    routes: t.routes,
    links: t.links,
  };
}

/** What the test made, to pick the next change from and to know when the server has seen it. */
interface KernelState {
  namespaces: string[];
  veths: Array<{
    a: string;
    b: string;
    nsA: string;
    nsB: string;
    up: boolean;
    addr: string | null;
    route: string | null;
  }>;
  counter: number;
}

async function randomChange(st: KernelState, rand: () => number): Promise<void> {
  const pick = Math.floor(rand() * 8);
  const anyNs = () => st.namespaces[Math.floor(rand() * st.namespaces.length)]!;
  const n = ++st.counter;
  const veth = st.veths[Math.floor(rand() * st.veths.length)];
  if (pick === 0 && st.namespaces.length < 6) {
    const name = `${prefix}n${n}`;
    await sh(`ip netns add ${name}`);
    st.namespaces.push(name);
  } else if (pick === 1 && st.namespaces.length > 2) {
    const name = st.namespaces.splice(2 + Math.floor(rand() * (st.namespaces.length - 2)), 1)[0]!;
    await sh(`ip netns del ${name}`);
    st.veths = st.veths.filter((v) => v.nsA !== name && v.nsB !== name);
  } else if ((pick === 2 || !veth) && st.veths.length < 8) {
    const v = {
      a: `${prefix}v${n}a`,
      b: `${prefix}v${n}b`,
      nsA: anyNs(),
      nsB: anyNs(),
      up: false,
      addr: null,
      route: null,
    };
    await sh(`ip link add ${v.a} netns ${v.nsA} type veth peer name ${v.b} netns ${v.nsB}`);
    st.veths.push(v);
  } else if (!veth) {
    return;
  } else if (pick === 3) {
    await sh(`ip -n ${veth.nsA} link del ${veth.a}`);
    st.veths = st.veths.filter((v) => v !== veth);
  } else if (pick === 4 || pick === 5) {
    veth.up = !veth.up;
    await sh(
      `ip -n ${veth.nsA} link set ${veth.a} ${veth.up ? 'up' : 'down'}; ip -n ${veth.nsB} link set ${veth.b} up`,
    );
    if (!veth.up) veth.route = null;
  } else if (pick === 6) {
    if (veth.addr) await sh(`ip -n ${veth.nsA} addr del ${veth.addr} dev ${veth.a}`);
    veth.addr = veth.addr ? null : `10.${77 + (n % 3)}.${n % 250}.1/24`;
    if (veth.addr) await sh(`ip -n ${veth.nsA} addr add ${veth.addr} dev ${veth.a}`);
  } else if (veth.up) {
    // The kernel may have dropped the route already (its link went down with a peer's change).
    if (veth.route) await sh(`ip -n ${veth.nsA} route del ${veth.route} dev ${veth.a} 2>/dev/null || true`);
    veth.route = veth.route ? null : `10.${90 + (n % 5)}.${n % 250}.0/24`;
    if (veth.route) await sh(`ip -n ${veth.nsA} route add ${veth.route} dev ${veth.a}`);
  }
}

/** The server's model shows what the test made (its namespaces and veth ends, by name). */
async function settled(s: Server, st: KernelState): Promise<void> {
  const want = [...st.namespaces, ...st.veths.flatMap((v) => [v.a, v.b])].sort();
  await pollUntil(
    async () => {
      const t = await api<Topology>(s, '/api/topology');
      const ours = new Set(t.namespaces.filter((n) => n.name.startsWith(prefix)).map((n) => n.id));
      const got = [
        ...t.namespaces.filter((n) => ours.has(n.id)).map((n) => n.name),
        ...t.interfaces.filter((i) => ours.has(i.namespace) && i.name.startsWith(prefix)).map((i) => i.name),
      ].sort();
      if (JSON.stringify(got) === JSON.stringify(want)) return true;
      const missing = want.filter((x) => !got.includes(x));
      const extra = got.filter((x) => !want.includes(x));
      // Thrown so that a timeout says what the server still lacked or still had.
      throw new Error(`missing ${missing.join(' ')}; extra ${extra.join(' ')}`);
    },
    'the server to show the test namespaces',
    30_000,
  );
}

interface Moment {
  before: number;
  after: number;
  model: Topology;
  /** The test's namespaces and what is in them, from `netns-explorer snapshot` at this moment. */
  snapshot: Topology;
}

/**
 * The part of a model that is the test's own: its namespaces and their interfaces, routes and
 * links. Other tests change the rest of the machine at the same time, so only this part of an
 * independent read can be compared exactly.
 */
function ownPart(t: Topology): Topology {
  const ours = new Set(t.namespaces.filter((n) => n.name.startsWith(prefix)).map((n) => n.id));
  const ifs = new Set(t.interfaces.filter((i) => ours.has(i.namespace)).map((i) => i.id));
  return {
    version: t.version,
    // Without their processes: the test's own short `ip -n` runs pass through its namespaces, and
    // the live model learns of their exit from the /proc probe a moment after a separate read does.
    namespaces: t.namespaces.filter((n) => ours.has(n.id)).map((n) => ({ ...n, pids: [], processes: [] })),
    interfaces: t.interfaces.filter((i) => ifs.has(i.id)),
    routes: t.routes.filter((r) => ours.has(r.namespace)),
    links: t.links.filter((l) => ifs.has(l.a) && ifs.has(l.b)),
  };
}

async function snapshotCommand(): Promise<Topology> {
  const out = await sh('node --import tsx server/cli.ts snapshot');
  return JSON.parse(out) as Topology;
}

async function takeMoment(s: Server, st: KernelState): Promise<Moment> {
  await settled(s, st);
  const before = Date.now() - 1;
  const model = modelOf(await api<Topology>(s, '/api/topology'));
  const snapshot = ownPart(await snapshotCommand());
  return { before, after: Date.now(), model, snapshot };
}

/**
 * The model recorded for a moment: other processes on the machine may change the host while the
 * model is being fetched, so it must equal the recorded model at one of the records in that window.
 */
async function recordedMatches(s: Server, m: Moment): Promise<boolean> {
  const iso = (t: number) => new Date(t).toISOString();
  const window = await api<ChangesResponse>(s, `/api/changes?from=${iso(m.before)}&to=${iso(m.after)}`);
  const candidates = [`at=${iso(m.before)}`, ...window.changes.map((c) => `at=${c.seq}`)];
  let model = false;
  let snapshot = false;
  for (const q of candidates) {
    const recorded = modelOf(await api<Topology>(s, `/api/topology?${q}`));
    model ||= JSON.stringify(recorded) === JSON.stringify(m.model);
    snapshot ||= JSON.stringify(ownPart(recorded)) === JSON.stringify(m.snapshot);
  }
  if (!(model && snapshot)) {
    const recorded = ownPart(modelOf(await api<Topology>(s, `/api/topology?at=${iso(m.after)}`)));
    const want = model ? m.snapshot : ownPart(m.model);
    const diff = (['namespaces', 'interfaces', 'routes', 'links'] as const).map((k) => {
      const a = new Set(recorded[k].map((x) => JSON.stringify(x)));
      const b = new Set(want[k].map((x) => JSON.stringify(x)));
      return `${k}: recorded only ${[...a].filter((x) => !b.has(x)).join(' ')}; taken only ${[...b].filter((x) => !a.has(x)).join(' ')}`;
    });
    console.log(`moment differs (${model ? 'snapshot' : 'server model'}):\n${diff.join('\n')}`);
  }
  return model && snapshot;
}

async function run(
  s: Server,
  st: KernelState,
  rand: () => number,
  changes: number,
  moments: Moment[],
  every: number,
) {
  for (let i = 1; i <= changes; i++) {
    await randomChange(st, rand);
    if (i % every === 0) moments.push(await takeMoment(s, st));
  }
}

describe('history with the real kernel', () => {
  it(
    'gives back the model of every moment, across a restart and a kill -9 mid-burst',
    { timeout: 900_000 },
    async () => {
      const rand = prng(Date.now() % 100_000);
      const st: KernelState = { namespaces: [`${prefix}n0`, `${prefix}n1`], veths: [], counter: 1 };
      await sh(`ip netns add ${st.namespaces[0]}; ip netns add ${st.namespaces[1]}`);
      const moments: Moment[] = [];

      let s = await startServer();
      await run(s, st, rand, 250, moments, 25);
      for (const m of moments) expect(await recordedMatches(s, m)).toBe(true);

      await stop(s, 'SIGTERM');
      await randomChange(st, rand); // while the server is down
      s = await startServer();
      await run(s, st, rand, 250, moments, 25);
      expect(moments).toHaveLength(20);
      for (const [i, m] of moments.entries()) expect(await recordedMatches(s, m), `moment ${i}`).toBe(true);
      const all = await api<ChangesResponse>(
        s,
        `/api/changes?from=${new Date(moments[0]!.before).toISOString()}`,
      );
      expect(all.changes.filter((c) => c.kind === 'start')).toHaveLength(1);
      expect(all.changes.some((c) => c.line.includes(prefix))).toBe(true);

      // kill -9 while changes are being recorded.
      const seqBefore = (await api<HistoryInfo>(s, '/api/history')).last!.seq;
      let stopBurst = false;
      const burst = (async () => {
        for (let i = 0; i < 40 && !stopBurst; i++) await randomChange(st, rand);
      })();
      await pollUntil(
        async () => (await api<HistoryInfo>(s, '/api/history')).last!.seq >= seqBefore + 5,
        'changes recorded during the burst',
        30_000,
      );
      s.child.kill('SIGKILL');
      await new Promise((r) => s.child.once('exit', r));
      stopBurst = true;
      await burst;

      s = await startServer();
      const info = await api<HistoryInfo>(s, '/api/history');
      expect(info.last!.seq).toBeGreaterThan(seqBefore + 5);
      for (const [i, m] of moments.entries())
        expect(await recordedMatches(s, m), `moment ${i} after kill -9`).toBe(true);
      const last = await takeMoment(s, st);
      expect(await recordedMatches(s, last)).toBe(true);
      await stop(s, 'SIGTERM');
    },
  );
});
