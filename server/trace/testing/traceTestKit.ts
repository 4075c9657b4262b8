/**
 * Kernel fixtures for the trace tests: named namespaces under a unique prefix, veth pairs with
 * addresses, a TCP listener inside a namespace, and the trace run against the discovered model
 * with the real reader and the real probe. Shell is fine here: tests build their input.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Topology } from '../../../common/model.js';
import { ifId, nsId } from '../../../common/ids.js';
import type { TraceResponse } from '../../../common/trace.js';
import { createDiscovery, namespacePath } from '../../discovery/index.js';
import { cleanupPrefix, ipJson, pollUntil, sh } from '../../../test/kernel.js';
import { expect } from 'vitest';
import { FirewallCache } from '../firewallCache.js';
import { askStatus } from '../nativeAsk.js';
import { nativeTraceReader } from '../nativeReader.js';
import { kernelReader } from '../reader.js';
import type { TraceReader } from '../reader.js';
import type { TraceDeps } from '../router.js';
import { runTrace } from '../router.js';

export class Scene {
  private listeners: ChildProcess[] = [];
  topology: Topology | null = null;

  constructor(readonly prefix: string) {}

  ns(short: string): string {
    return `${this.prefix}${short}`;
  }

  private readonly added: string[] = [];

  async add(...shorts: string[]): Promise<void> {
    this.added.push(...shorts);
    for (const s of shorts) await sh(`ip netns add ${this.ns(s)} && ip -n ${this.ns(s)} link set lo up`);
  }

  /** A veth pair `an` in `a` and `bn` in `b`, both up, with optional addresses (CIDR). */
  async veth(
    a: string,
    an: string,
    aCidr: string | null,
    b: string,
    bn: string,
    bCidr: string | null,
  ): Promise<void> {
    await sh(`ip -n ${this.ns(a)} link add ${an} type veth peer name ${bn} netns ${this.ns(b)}`);
    if (aCidr) await sh(`ip -n ${this.ns(a)} addr add ${aCidr} dev ${an}`);
    if (bCidr) await sh(`ip -n ${this.ns(b)} addr add ${bCidr} dev ${bn}`);
    await sh(`ip -n ${this.ns(a)} link set ${an} up && ip -n ${this.ns(b)} link set ${bn} up`);
  }

  /**
   * `a` (e0, 10.NET.1.1) - `r` (r0 .1.254, r1 .2.254) - `b` (e0, 10.NET.2.1): both ends route by
   * default through `r`, which forwards unless `forward` is false.
   */
  async routed(a: string, r: string, b: string, net: number, forward = true): Promise<void> {
    await this.veth(a, 'e0', `10.${net}.1.1/24`, r, 'r0', `10.${net}.1.254/24`);
    await this.veth(b, 'e0', `10.${net}.2.1/24`, r, 'r1', `10.${net}.2.254/24`);
    await this.run(a, `ip route add default via 10.${net}.1.254`);
    await this.run(b, `ip route add default via 10.${net}.2.254`);
    await this.run(r, `sysctl -qw net.ipv4.ip_forward=${forward ? 1 : 0}`);
  }

  async run(short: string, cmd: string): Promise<string> {
    return sh(`ip netns exec ${this.ns(short)} ${cmd}`);
  }

  /** A TCP server on `port` in namespace `short` (accepts and closes), until cleanup. */
  async listen(short: string, port: number): Promise<void> {
    const child = spawn(
      '/usr/bin/nsenter',
      [
        `--net=/run/netns/${this.ns(short)}`,
        process.execPath,
        '-e',
        `require('net').createServer((s) => s.end()).listen(${port})`,
      ],
      { stdio: 'ignore' },
    );
    this.listeners.push(child);
    await pollUntil(
      async () => (await this.run(short, `ss -Hltn sport = :${port}`)).includes(`:${port}`),
      `listener on ${port}`,
    );
  }

  id(short: string): string {
    return nsId(statSync(`/run/netns/${this.ns(short)}`).ino);
  }

  /** Interface id of `name` in namespace `short`, from `ip -j link`. */
  async ifaceId(short: string, name: string): Promise<string> {
    const [l] = await ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', name], {
      name: this.ns(short),
    });
    return ifId(statSync(`/run/netns/${this.ns(short)}`).ino, l!.ifindex);
  }

  /**
   * The model as the live server holds it, once it has every namespace of the scene with its
   * interfaces (a read that timed out on a loaded machine leaves a namespace without them).
   */
  async discover(): Promise<void> {
    await pollUntil(
      async () => {
        const t = (await createDiscovery().full()).topology;
        const ours = t.namespaces.filter((n) => n.netnsNames.some((x) => x.startsWith(this.prefix)));
        const complete =
          ours.length === this.added.length &&
          ours.every(
            (n) => n.error === null && t.interfaces.some((i) => i.namespace === n.id && i.name !== 'lo'),
          );
        if (complete) this.topology = t;
        return complete;
      },
      'the scene in the discovered model',
      90_000,
    );
  }

  /**
   * The trace as the server answers it (the native reader), after a differential check: the same
   * question without the probe, asked with processes (`ip`, `ss`, `nft`, reader.ts) and natively,
   * must give the same verdict and hops (listeners' process names included).
   */
  async trace(body: Record<string, unknown>): Promise<TraceResponse> {
    const deps = this.deps();
    expect(askStatus()).toEqual({ available: true, reason: '' });
    const quiet = { ...body, probe: false };
    const byProcesses = await runTrace({ ...deps, reader: kernelReader() }, quiet);
    const natively = await runTrace(
      { ...deps, reader: nativeTraceReader({ cache: new FirewallCache() }) },
      quiet,
    );
    expect(comparable(natively)).toEqual(comparable(byProcesses));
    return runTrace(deps, body);
  }

  /** The trace asked with a reader of the caller's choice (no differential check). */
  traceWith(reader: TraceReader, body: Record<string, unknown>): Promise<TraceResponse> {
    return runTrace({ ...this.deps(), reader }, body);
  }

  private deps(): TraceDeps {
    const topology = this.topology;
    if (!topology) throw new Error('discover() first');
    return {
      readOnly: false,
      allowProbe: false,
      getTopology: () => topology,
      namespacePath: (id) => {
        const ns = topology.namespaces.find((n) => n.id === id);
        return ns ? namespacePath(ns) : null;
      },
    };
  }

  /** Stops the listeners and removes the namespaces (retrying while discovery's helper holds them). */
  async cleanup(): Promise<void> {
    for (const l of this.listeners) {
      if (l.exitCode === null && l.signalCode === null) {
        const exited = new Promise((r) => l.once('exit', r));
        l.kill('SIGKILL');
        await exited;
      }
    }
    await pollUntil(
      async () => {
        await cleanupPrefix(this.prefix);
        return !(await sh('ip netns list')).includes(this.prefix);
      },
      'trace test namespaces removed',
      60_000,
    );
  }
}

/** Actions of the hops, `action@namespace-short` (namespace shorts resolved through the scene). */
export function shape(scene: Scene, hops: TraceResponse['hops'], shorts: string[]): string[] {
  const byId = new Map(shorts.map((s) => [scene.id(s), s]));
  return hops.map((h) => `${h.action}@${byId.get(h.namespace) ?? h.namespace}${h.ok ? '' : '!'}`);
}

/** What both readers must agree on. */
export function comparable(t: TraceResponse): unknown {
  return {
    verdict: t.verdict,
    failedAt: t.failedAt,
    source: t.source,
    hops: t.hops,
    returnPath: t.returnPath && { failedAt: t.returnPath.failedAt, hops: t.returnPath.hops },
  };
}
