/**
 * Cluster bench (issue 18): three simulated nodes (test/clusterNodes.ts) with N pod namespaces
 * each, an agent in every node, a hub outside. Measures: the hub's snapshot to a new client
 * (WebSocket open to snapshot parsed), a change in a node to the hub client's delta (an `ip -b`
 * kept open in the node's own namespace, so no process start is timed), and the hub's idle CPU.
 * Targets: snapshot < 1 s, change p95 < 150 ms, idle < 1 % of a core.
 *   npm run build && npm run build:bench && node dist-bench/bench/cluster.js [--pods 100] [--out bench-results/cluster-latest.json]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { parseQualifiedId } from '../common/ids.js';
import type { ServerMessage } from '../common/protocol.js';
import { buildCluster, inNode, startAgent, startHubCli } from '../test/clusterNodes.js';
import type { SimCluster } from '../test/clusterNodes.js';
import { pollUntil, uniquePrefix } from '../test/kernel.js';
import { machine } from './machine.js';
import { summarize } from './stats.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const PODS = Number(arg('--pods', '100'));
const OUT = arg('--out', 'bench-results/cluster-latest.json');
const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');

/** `ip -b -` lines for N pods: a namespace, a veth into cbr0, the pod end up. */
function podBatch(n: number): string {
  const lines: string[] = [];
  for (let k = 1; k <= n; k++)
    lines.push(
      `netns add b${k}`,
      `link add q${k} type veth peer name eth0 netns b${k}`,
      `link set q${k} master cbr0 up`,
    );
  return lines.join('\n');
}

function connect(origin: string, bearer = token): WebSocket {
  return new WebSocket(`${origin.replace('http', 'ws')}/api/live`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
}

type Waiters = Map<string, (t: number) => void>;

/** Resolves a waiter `<host>/<ifname>/<up|down>` when a delta puts that interface in that state. */
function watch(ws: WebSocket, waiting: Waiters, hostOf: (id: string) => string | undefined): void {
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as ServerMessage;
    if (msg.type !== 'delta') return;
    const t = performance.now();
    for (const op of msg.ops) {
      if (op.op !== 'put' || op.entity !== 'interface') continue;
      const key = `${hostOf(op.value.id)}/${op.value.name}/${op.value.flags.includes('UP') ? 'up' : 'down'}`;
      waiting.get(key)?.(t);
      waiting.delete(key);
    }
  });
}

async function snapshotTimes(origin: string, n: number): Promise<{ ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const ws = connect(origin);
      ws.once('message', (data) => {
        const text = data.toString();
        const msg = JSON.parse(text) as ServerMessage;
        if (msg.type !== 'snapshot') reject(new Error(`first message ${msg.type}`));
        ms.push(performance.now() - t0);
        bytes = text.length;
        ws.close();
        resolve();
      });
      ws.once('error', reject);
    });
  }
  return { ms, bytes };
}

/**
 * Toggles q<k> in node i through a long-lived `ip -b -`, timing until the hub client sees it and,
 * on a second connection straight to that node's agent, until the agent's own client sees it
 * (the difference is what the hub adds).
 */
async function changeTimes(
  cluster: SimCluster,
  origin: string,
  samples: number,
): Promise<{ hub: number[]; agent: number[] }> {
  const ws = connect(origin);
  const hubWaiting: Waiters = new Map();
  watch(ws, hubWaiting, (id) => parseQualifiedId(id)?.host);
  const agentWaiting: Waiters = new Map();
  const agents = cluster.nodes.map((n) => {
    const a = connect(n.agentUrl, agentToken);
    watch(a, agentWaiting, () => n.name);
    return a;
  });
  await Promise.all([ws, ...agents].map((c) => new Promise((r) => c.once('message', r))));
  const shells = cluster.nodes.map((n) =>
    spawn('/usr/bin/nsenter', ['-t', String(n.pid), '-n', '/usr/sbin/ip', '-b', '-'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    }),
  );
  const hub: number[] = [];
  const agent: number[] = [];
  const timeout = () => new Promise<number>((r) => setTimeout(() => r(Number.NaN), 5000));
  try {
    for (let s = 0; s < samples; s++) {
      const node = cluster.nodes[s % cluster.nodes.length]!;
      const k = 1 + Math.floor(s / cluster.nodes.length);
      for (const state of ['down', 'up'] as const) {
        const key = `${node.name}/q${k}/${state}`;
        const seenHub = new Promise<number>((resolve) => hubWaiting.set(key, resolve));
        const seenAgent = new Promise<number>((resolve) => agentWaiting.set(key, resolve));
        const t0 = performance.now();
        shells[node.index]!.stdin!.write(`link set q${k} ${state}\n`);
        const [th, ta] = await Promise.all([
          Promise.race([seenHub, timeout()]),
          Promise.race([seenAgent, timeout()]),
        ]);
        if (state === 'down') {
          hub.push(th - t0);
          agent.push(ta - t0);
        }
      }
    }
  } finally {
    for (const sh of shells) sh.kill('SIGKILL');
    for (const c of [ws, ...agents]) c.close();
  }
  return { hub, agent };
}

/**
 * Where the agents' refreshes spent their time while the changes ran (their `--verbose` lines:
 * `refresh ...: waited W ms, read R ms, diff and publish D ms: ...`): the agent side of the
 * change-to-client latency, taken apart.
 */
function refreshBreakdown(lines: readonly string[]): Record<string, ReturnType<typeof summarize>> {
  const parts: Record<string, number[]> = { waited: [], read: [], diffAndPublish: [] };
  for (const l of lines) {
    const m = /waited (\d+) ms, read (\d+) ms, diff and publish (\d+) ms/.exec(l);
    if (!m) continue;
    parts.waited!.push(Number(m[1]));
    parts.read!.push(Number(m[2]));
    parts.diffAndPublish!.push(Number(m[3]));
  }
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summarize(v)]));
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function main(): Promise<void> {
  const loadAtStart = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  const cluster = await buildCluster(uniquePrefix('cb'), 3, 0);
  try {
    for (const n of cluster.nodes) await inNode(n, `ip -b - <<'EOF2'\n${podBatch(PODS)}\nEOF2`);
    for (const n of cluster.nodes) await startAgent(n, agentToken, { verbose: true });
    const hub = await startHubCli(
      cluster.nodes.map((n) => n.agentUrl),
      token,
      agentToken,
    );
    const want = 3 * (PODS + 1);
    await pollUntil(
      async () => {
        const res = await fetch(`${hub.origin}/api/topology`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const t = (await res.json()) as { namespaces: unknown[] };
        return t.namespaces.length >= want;
      },
      `${want} namespaces on the hub`,
      180_000,
    );
    const snap = await snapshotTimes(hub.origin, 20);
    const logFrom = cluster.nodes.map((n) => n.agentLog.length);
    const change = await changeTimes(cluster, hub.origin, 60);
    const refresh = refreshBreakdown(cluster.nodes.flatMap((n, i) => n.agentLog.slice(logFrom[i])));
    // Idle: nothing changes in the nodes; 20 s of the hub's own CPU time.
    const idleS = 20;
    const before = await cpuTicks(hub.child.pid!);
    await new Promise((r) => setTimeout(r, idleS * 1000));
    const idlePct = ((await cpuTicks(hub.child.pid!)) - before) / idleS; // ticks are 1/100 s
    const result = {
      machine: await machine(),
      nodes: 3,
      podsPerNode: PODS,
      snapshotMs: summarize(snap.ms),
      snapshotBytes: snap.bytes,
      changeToClientMs: summarize(change.hub.filter((x) => !Number.isNaN(x))),
      changeToAgentClientMs: summarize(change.agent.filter((x) => !Number.isNaN(x))),
      changesLost: change.hub.filter((x) => Number.isNaN(x)).length,
      agentRefreshDuringChanges: refresh,
      hubIdleCpuPercent: idlePct,
      loadavgAtStart: loadAtStart,
      loadavgAtEnd: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' '),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    await mkdir(dirname(OUT), { recursive: true });
    await writeFile(OUT, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`cluster bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
