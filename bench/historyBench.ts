/**
 * History bench (issue 16): 100,000 changes to a 300-namespace model recorded through the real
 * recorder and store (in a temporary directory), then how many bytes that took on disk and how
 * long reading random moments back takes. Pure user space: no kernel, no root.
 * Targets: at most 50 MB; any moment read back in under 200 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffTopology } from '../common/delta.js';
import { normalizeTopology } from '../common/model.js';
import type { Interface, Topology } from '../common/model.js';
import { iface, ns, route } from '../common/testing/builders.js';
import { HistoryQuery } from '../server/history/query.js';
import { HistoryRecorder } from '../server/history/recorder.js';
import { HistoryStore } from '../server/history/store.js';
import { prng } from '../server/history/testing/testModels.js';

export interface HistoryBenchResult {
  namespaces: number;
  changes: number;
  bytes: number;
  segments: number;
  recordMs: number;
  readMs: { p50: number; p95: number; max: number; samples: number };
  /** CPU time of the same reads (wall time on a loaded machine mostly measures waiting). */
  readCpuMs: { p50: number; p95: number; max: number };
}

/** A host with `count` namespaces, each with lo, a veth end (addressed) and a few routes. */
export function bigModel(count: number): Topology {
  const t: Topology = {
    version: 1,
    namespaces: [ns(1, 'host', 'host')],
    interfaces: [iface(1, 1, 'lo', { kind: 'loopback' })],
    routes: [],
    links: [],
  };
  for (let i = 0; i < count; i++) {
    const inode = 4026532000 + i;
    t.namespaces.push(ns(inode, 'named', `bench-${i}`));
    const cidr = `10.${(i >> 8) & 255}.${i & 255}.2/24`;
    const inner = iface(inode, 2, 'eth0', {
      addresses: [{ family: 'inet', cidr, scope: 'global', broadcast: null }],
      peer: `if-1-${100 + i}`,
    });
    const outer = iface(1, 100 + i, `veth${i}`, { peer: inner.id });
    t.interfaces.push(iface(inode, 1, 'lo', { kind: 'loopback' }), inner, outer);
    t.links.push({
      id: `veth:${[inner.id, outer.id].sort().join(':')}`,
      kind: 'veth',
      a: inner.id < outer.id ? inner.id : outer.id,
      b: inner.id < outer.id ? outer.id : inner.id,
    });
    t.routes.push(
      route(inode, { dst: 'default', gateway: `10.${(i >> 8) & 255}.${i & 255}.1` }),
      route(inode, { dst: `10.${(i >> 8) & 255}.${i & 255}.0/24` }),
    );
  }
  return normalizeTopology(t);
}

/** One change: an interface flips state or gains/loses an address, or a route comes or goes. */
function change(t: Topology, rand: () => number, n: number): Topology {
  const r = rand();
  if (r < 0.7) {
    const i = Math.floor(rand() * t.interfaces.length);
    const old = t.interfaces[i]!;
    const next: Interface =
      r < 0.4
        ? { ...old, state: old.state === 'UP' ? 'DOWN' : 'UP' }
        : {
            ...old,
            addresses:
              old.addresses.length > 1
                ? old.addresses.slice(0, 1)
                : [
                    ...old.addresses,
                    { family: 'inet6', cidr: `fd00::${n.toString(16)}/64`, scope: 'global', broadcast: null },
                  ],
          };
    const interfaces = t.interfaces.slice();
    interfaces[i] = next;
    return { ...t, interfaces };
  }
  const inode = 4026532000 + Math.floor(rand() * (t.namespaces.length - 1));
  const extra = t.routes.findIndex((x) => x.namespace === `ns-${inode}` && x.dst.startsWith('172.'));
  if (extra >= 0) return { ...t, routes: t.routes.filter((_, k) => k !== extra) };
  return normalizeTopology({ ...t, routes: [...t.routes, route(inode, { dst: `172.16.${n % 250}.0/24` })] });
}

export function runHistoryBench(namespaces = 300, changes = 100_000, samples = 50): HistoryBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'nx-history-bench-'));
  try {
    const store = HistoryStore.open({ dir, maxBytes: 200 * 1024 * 1024 });
    let clock = Date.UTC(2026, 11, 4);
    const recorder = new HistoryRecorder(store, { now: () => clock });
    const rand = prng(300);
    let model = bigModel(namespaces);
    const t0 = performance.now();
    recorder.start(model, 'bench');
    for (let n = 1; n <= changes; n++) {
      clock += 1000;
      const next = change(model, rand, n);
      const ops = diffTopology(model, next);
      model = next;
      if (ops) recorder.delta(ops, model, 'bench', n);
    }
    const recordMs = performance.now() - t0;
    const query = new HistoryQuery(store);
    const times: number[] = [];
    const cpu: number[] = [];
    const first = Date.UTC(2026, 11, 4);
    for (let s = 0; s < samples; s++) {
      const at = first + Math.floor(rand() * changes) * 1000;
      const r0 = performance.now();
      const c0 = process.cpuUsage();
      query.modelAt({ time: at });
      const c = process.cpuUsage(c0);
      times.push(performance.now() - r0);
      cpu.push((c.user + c.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const result = {
      namespaces,
      changes,
      bytes: store.totalBytes,
      segments: store.segments.length,
      recordMs,
      readMs: {
        p50: times[Math.floor(samples / 2)]!,
        p95: times[Math.floor(samples * 0.95)]!,
        max: times[samples - 1]!,
        samples,
      },
      readCpuMs: {
        p50: cpu[Math.floor(samples / 2)]!,
        p95: cpu[Math.floor(samples * 0.95)]!,
        max: cpu[samples - 1]!,
      },
    };
    store.close();
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const r = runHistoryBench(Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 100_000));
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
