/**
 * Trace figure: how long `POST /api/trace`'s work takes for a 5-hop path (route, veth, route,
 * veth, deliver, plus the reply's way back) while the machine has N namespaces. The scene is
 * a - r - b (r forwards); the model comes from one full discovery, as the live server holds it.
 * Run inside `npm run bench` (traceBench with the bench's fixture present) or alone:
 * `node dist-bench/bench/traceBench.js [--namespaces 300] [--repeat 30]` (empty background namespaces).
 * NETNS_EXPLORER_NO_NATIVE=1 measures the process-based reader (the fallback) instead.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { nsId } from '../common/ids.js';
import { createDiscovery, namespacePath } from '../server/discovery/index.js';
import { onSpawn } from '../server/exec/run.js';
import { askStatus } from '../server/trace/nativeAsk.js';
import { runTrace } from '../server/trace/router.js';
import { IP, cmd, cmdOk, pollFor, sh } from './proc.js';
import type { Summary } from './stats.js';
import { summarize } from './stats.js';

export interface TraceFigures {
  namespaces: number;
  hops: number;
  verdict: string;
  /** Wall time of one trace (no probe), ms. */
  ms: Summary;
  /** Wall time of the first trace (nothing cached yet: the native reader runs `nft` there), ms. */
  firstMs: number;
  /** Child processes the first trace starts. */
  processes: number;
  /** Child processes a later trace starts, on average (0 natively while no ruleset changes). */
  warmProcesses: number;
  /** Which reader answered: the native one, or `ip`/`ss`/`nft` (NETNS_EXPLORER_NO_NATIVE=1). */
  reader: 'native' | 'processes';
}

async function buildScene(p: string): Promise<void> {
  const lines = [
    `ip netns add ${p}a && ip netns add ${p}r && ip netns add ${p}b`,
    `ip -n ${p}a link add e0 type veth peer name r0 netns ${p}r`,
    `ip -n ${p}b link add e0 type veth peer name r1 netns ${p}r`,
    `ip -n ${p}a addr add 10.97.1.1/24 dev e0 && ip -n ${p}r addr add 10.97.1.254/24 dev r0`,
    `ip -n ${p}b addr add 10.97.2.1/24 dev e0 && ip -n ${p}r addr add 10.97.2.254/24 dev r1`,
    `ip -n ${p}a link set e0 up && ip -n ${p}b link set e0 up`,
    `ip -n ${p}r link set r0 up && ip -n ${p}r link set r1 up`,
    `ip -n ${p}a route add default via 10.97.1.254 && ip -n ${p}b route add default via 10.97.2.254`,
  ];
  await sh(lines.join('\n'));
  await sh(`ip netns exec ${p}r sysctl -qw net.ipv4.ip_forward=1`);
}

export async function traceBench(prefix: string, repeat = 30): Promise<TraceFigures> {
  const p = `${prefix}t`;
  await buildScene(p);
  try {
    const { topology } = await createDiscovery().full();
    const deps = {
      readOnly: true,
      allowProbe: false,
      getTopology: () => topology,
      namespacePath: (id: string) => {
        const ns = topology.namespaces.find((n) => n.id === id);
        return ns ? namespacePath(ns) : null;
      },
    };
    const body = { from: nsId(statSync(`/run/netns/${p}a`).ino), to: '10.97.2.1', protocol: 'icmp' };
    let spawned = 0;
    const off = onSpawn(() => spawned++);
    const t0 = performance.now();
    const first = await runTrace(deps, body);
    const firstMs = performance.now() - t0;
    const processes = spawned;
    if (process.env.TRACE_BENCH_DEBUG) process.stderr.write(`${JSON.stringify(first, null, 1)}\n`);
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      await runTrace(deps, body);
      times.push(performance.now() - t0);
    }
    off();
    return {
      namespaces: topology.namespaces.length,
      hops: first.hops.length,
      verdict: first.verdict,
      ms: summarize(times),
      firstMs,
      processes,
      warmProcesses: (spawned - processes) / Math.max(1, repeat),
      reader: askStatus().available ? 'native' : 'processes',
    };
  } finally {
    // Discovery's helper may still have /run/netns mounted in its own mount namespace for a while
    // (deleting is refused as busy until it exits): retry until the names are gone.
    await pollFor(
      async () => {
        await sh(`for n in a r b; do ip netns del ${p}$n 2>/dev/null || true; done`);
        return !(await sh('ip netns list')).stdout.includes(p);
      },
      60_000,
      500,
    );
  }
}

async function main(argv: string[]): Promise<void> {
  const n = Number(argv[argv.indexOf('--namespaces') + 1] ?? 300) || 300;
  const repeat = Number(argv[argv.indexOf('--repeat') + 1] ?? 30) || 30;
  const prefix = `nxbt${randomBytes(2).toString('hex').slice(0, 3)}`;
  const names = Array.from({ length: n }, (_, i) => `${prefix}bg${i}`);
  await cmdOk([IP, '-b', '-'], { input: names.map((x) => `netns add ${x}\n`).join('') });
  try {
    const f = await traceBench(prefix, repeat);
    process.stdout.write(`${JSON.stringify(f)}\n`);
  } finally {
    await pollFor(
      async () => {
        await cmd([IP, '-force', '-b', '-'], { input: names.map((x) => `netns del ${x}\n`).join('') });
        return !(await sh('ip netns list')).stdout.includes(prefix);
      },
      60_000,
      500,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}
