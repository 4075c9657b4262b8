/**
 * One trace's view of the machine: the model (structure: namespaces, veth peers, bridge ports)
 * plus the kernel's answers, each command run at most once per trace.
 */
import type { Interface, Topology } from '../../common/model.js';
import type { FdbFacts, LinkFacts, SysctlFacts } from './facts.js';
import { sysctlNumber } from './facts.js';
import type { FirewallReads, NamespaceRead, RouteQuery, TraceReader } from './reader.js';
import type { SegmentIndex } from './segment.js';
import { indexTopology } from './segment.js';
import type { SocketRow } from '../../common/inspect.js';

const readKey = (nsId: string, q: RouteQuery): string =>
  `read|${nsId}|${q.to}|${q.from ?? ''}|${q.iif ?? ''}|${q.mark ?? ''}`;

export class TraceContext {
  readonly idx: SegmentIndex;
  private readonly cache = new Map<string, Promise<unknown>>();
  private readonly linkReads = new Map<string, Promise<NamespaceRead>>();
  /** Namespaces this trace read. */
  readonly touched = new Set<string>();

  constructor(
    readonly topology: Topology,
    private readonly pathOf: (nsId: string) => string | null,
    private readonly reader: TraceReader,
  ) {
    this.idx = indexTopology(topology);
  }

  path(nsId: string): string {
    const p = this.pathOf(nsId);
    if (!p) throw new Error(`namespace ${nsId} is gone`);
    this.touched.add(nsId);
    return p;
  }

  private once<T>(key: string, f: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = f();
      this.cache.set(key, p);
    }
    return p;
  }

  /**
   * Asks a namespace several route questions in one run (when the reader can), ahead of the walk:
   * each answer then waits in the cache under the key `read` would use. Failures stay quiet here;
   * the walk meets them (or asks again) when it gets there.
   */
  prefetch(nsId: string, qs: RouteQuery[]): void {
    const readMany = this.reader.readMany?.bind(this.reader);
    const path = this.pathOf(nsId);
    const fresh = qs.filter((q) => !this.cache.has(readKey(nsId, q)));
    if (!readMany || !path || fresh.length === 0) return;
    const all = readMany(path, fresh);
    all.catch(() => undefined);
    fresh.forEach((q, i) => {
      const one = all.then((r): NamespaceRead => ({ links: r.links, neigh: r.neigh, ...r.routes[i]! }));
      one.catch(() => undefined);
      this.cache.set(readKey(nsId, q), one);
      if (!this.linkReads.has(nsId)) this.linkReads.set(nsId, one);
    });
  }

  read(nsId: string, q: RouteQuery): Promise<NamespaceRead> {
    const path = this.path(nsId);
    const key = readKey(nsId, q);
    const p = this.once(key, () => this.reader.read(path, q));
    if (!this.linkReads.has(nsId)) this.linkReads.set(nsId, p);
    return p;
  }
  /** Links of a namespace, from a read this trace already made when there is one. */
  async links(nsId: string): Promise<LinkFacts[]> {
    const made = this.linkReads.get(nsId);
    if (made) return (await made).links;
    const path = this.path(nsId);
    const p = this.once(`read|${nsId}|`, () => this.reader.read(path, null));
    this.linkReads.set(nsId, p);
    return (await p).links;
  }
  sysctls(nsId: string): Promise<SysctlFacts> {
    const path = this.path(nsId);
    return this.once(`sysctl|${nsId}`, () => this.reader.sysctls(path));
  }
  /** nftables (or iptables-nft) and legacy iptables, read side by side. */
  firewall(nsId: string): Promise<FirewallReads> {
    const path = this.path(nsId);
    return this.once(`fw|${nsId}`, async () => {
      const [main, legacy] = await Promise.all([
        this.reader.firewall(path),
        this.reader.legacy(path).catch((e: unknown) => ({
          v4: null,
          v6: null,
          error: e instanceof Error ? e.message : String(e),
        })),
      ]);
      return { main, legacy };
    });
  }
  fdb(nsId: string, bridge: string): Promise<FdbFacts[]> {
    const path = this.path(nsId);
    return this.once(`fdb|${nsId}|${bridge}`, () => this.reader.fdb(path, bridge));
  }
  listeners(nsId: string): Promise<SocketRow[]> {
    const path = this.path(nsId);
    return this.once(`ss|${nsId}`, () => this.reader.listeners(path));
  }

  /** The model's interface `name` in namespace `nsId`. */
  iface(nsId: string, name: string | null): Interface | null {
    if (!name) return null;
    return this.idx.inNamespace.get(nsId)?.find((i) => i.name === name) ?? null;
  }

  nsName(nsId: string): string {
    return this.topology.namespaces.find((n) => n.id === nsId)?.name ?? nsId;
  }
}

/** Effective rp_filter of an interface: the kernel uses the larger of `all` and the interface's. */
export function rpFilterOf(s: SysctlFacts, ifname: string): number {
  return Math.max(
    sysctlNumber(s, 'ipv4/conf/all/rp_filter') ?? 0,
    sysctlNumber(s, `ipv4/conf/${ifname}/rp_filter`) ?? 0,
  );
}

/** Whether packets arriving on `ifname` may be forwarded (IPv4: per-interface `forwarding`). */
export function forwardingOn(s: SysctlFacts, ifname: string, family: 4 | 6): boolean {
  if (family === 6) return (sysctlNumber(s, 'ipv6/conf/all/forwarding') ?? 0) > 0;
  const perIf = sysctlNumber(s, `ipv4/conf/${ifname}/forwarding`);
  return (perIf ?? sysctlNumber(s, 'ipv4/ip_forward') ?? 0) > 0;
}
