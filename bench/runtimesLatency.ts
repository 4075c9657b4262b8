/**
 * Start -> name on the client: the live server (containerd's event stream wired in) and a
 * WebSocket client; for each new container, the time from containerd's own TaskStart stamp (the
 * envelope's timestamp, this machine's clock) to the delta that brings its name to the client.
 * Also the time from the `ctr run` call, which adds ctr's own work (seconds on a loaded machine:
 * that is not ours, and it is what the first version of this bench measured).
 */
import { performance } from 'node:perf_hooks';
import type { Topology } from '../common/model.js';
import type { Discovery } from '../server/discovery/api.js';
import { namespacePath } from '../server/discovery/index.js';
import { SUBSCRIBE } from '../server/discovery/runtimes/events.js';
import { GrpcSocket } from '../server/discovery/runtimes/grpc.js';
import { bytes, decodeFields, encodeStrings, num, str } from '../server/discovery/runtimes/protobuf.js';
import type { Fields } from '../server/discovery/runtimes/protobuf.js';
import { startServer } from '../server/serve.js';
import { LiveClient, testServeOptions } from '../server/testing/liveServer.js';
import { percentile } from './stats.js';

export interface LatencyRun {
  sock: string;
  discovery: Discovery;
  /** Starts one container named `name` (labelled so discovery names it so). */
  start(name: string): Promise<void>;
  names: string[];
}

export interface LatencyResult {
  /** TaskStart (containerd's stamp) -> name in the client's model. */
  startToClientP50Ms: number;
  startToClientP95Ms: number;
  startToClientMaxMs: number;
  /** `ctr run` called -> name in the client's model (includes ctr's own work). */
  ctrCallToClientP50Ms: number;
  ctrCallToClientP95Ms: number;
  /** Misses: never named within the deadline. */
  missed: number;
}

const DEADLINE_MS = 30_000;
const TOKEN = 'runtimes-bench-token-0123456789abcdef';

/** containerd's envelope timestamp (google.protobuf.Timestamp: seconds 1, nanos 2) in epoch ms. */
function stampMs(env: Fields): number {
  const ts = decodeFields(bytes(env, 1));
  return num(ts, 1) * 1000 + num(ts, 2) / 1e6;
}

export async function measureNameLatency(run: LatencyRun): Promise<LatencyResult> {
  // NX_BENCH_VERBOSE=1: the scheduler's line per refresh on stderr (what an event made it read).
  const verbose = process.env.NX_BENCH_VERBOSE === '1';
  const srv = await startServer(
    testServeOptions(TOKEN, { readOnly: true, readOnlyReason: 'bench', verbose }),
    {
      discovery: run.discovery,
      namespacePath,
      runtimeEvents: { containerdSocket: run.sock },
      resyncMs: 3_600_000,
      log: verbose
        ? (line) => void process.stderr.write(`${new Date().toISOString()} ${line}\n`)
        : () => undefined,
    },
  );
  const client = await LiveClient.open(`ws://127.0.0.1:${srv.port}/api/live`, {
    Authorization: `Bearer ${TOKEN}`,
  });
  // Our own subscription, to learn when containerd says each task started.
  const started = new Map<string, number>();
  const sock = new GrpcSocket(run.sock);
  const events = sock.stream(SUBSCRIBE, encodeStrings([]), {});
  events.on('data', (env: Fields) => {
    if (str(env, 3) !== '/tasks/start') return;
    const body = decodeFields(bytes(decodeFields(bytes(env, 4)), 2));
    started.set(str(body, 1), stampMs(env));
  });
  events.on('error', () => undefined);
  const namedAt = new Map<string, number>();
  const wanted = new Set(run.names);
  const look = (t: Topology) => {
    for (const n of t.namespaces)
      for (const c of n.containers)
        if (c.name && wanted.has(c.name) && !namedAt.has(c.name)) namedAt.set(c.name, Date.now());
  };
  client.ws.on('message', () => look(client.topology));

  const fromStart: number[] = [];
  const fromCall: number[] = [];
  let missed = 0;
  try {
    for (const name of run.names) {
      const called = Date.now();
      const t0 = performance.now();
      await run.start(name);
      while (!namedAt.has(name) && performance.now() - t0 < DEADLINE_MS)
        await new Promise((r) => setTimeout(r, 5));
      const at = namedAt.get(name);
      const stamp = started.get(name);
      if (at === undefined || stamp === undefined) {
        missed++;
        continue;
      }
      fromStart.push(at - stamp);
      fromCall.push(at - called);
    }
  } finally {
    events.cancel();
    sock.close();
    await client.close();
    await srv.close();
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    startToClientP50Ms: r(percentile(fromStart, 50)),
    startToClientP95Ms: r(percentile(fromStart, 95)),
    startToClientMaxMs: r(Math.max(...fromStart)),
    ctrCallToClientP50Ms: r(percentile(fromCall, 50)),
    ctrCallToClientP95Ms: r(percentile(fromCall, 95)),
    missed,
  };
}
