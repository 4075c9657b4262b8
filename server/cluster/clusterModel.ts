/**
 * The hub's one model of every node: each agent's snapshot and deltas, qualified with the node's
 * host name, published to browsers through the ordinary live Hub as the union. An agent that goes
 * away leaves its entities in place and its node marked stale with the time it was last seen; its
 * next snapshot is diffed against what the hub kept, so it converges with no duplicate or lost
 * entity. Cross-node edges (clusterLinks.ts) are recomputed after every change.
 */
import { qualifyOps, qualifyTopology } from '../../common/cluster.js';
import type { ClusterView, CrossLink, GeneveFact, NodeStatus, VxlanFact } from '../../common/cluster.js';
import { geneveLinks, nodeRoutes, vxlanLinks } from '../../common/clusterLinks.js';
import { applyDelta, diffTopology, jsonEqual } from '../../common/delta.js';
import { emptyTopology } from '../../common/model.js';
import type { Topology } from '../../common/model.js';
import type { DeltaOp } from '../../common/protocol.js';

/** What the cluster model needs of the live Hub (server/hub/hub.ts). */
export interface PublishTarget {
  readonly state: { topology: Topology };
  publish(ops: readonly DeltaOp[], next: Topology): void;
  setErrors(errors: readonly string[]): void;
}

interface NodeEntry {
  status: NodeStatus;
  /** This node's entities, host-qualified, as last known (kept while stale). */
  part: Topology;
  facts: VxlanFact[];
  geneve: GeneveFact[];
}

export class ClusterModel {
  private readonly nodes = new Map<string, NodeEntry>();
  private links: CrossLink[] = [];

  constructor(
    private readonly target: PublishTarget,
    urls: readonly string[],
    private readonly now: () => Date = () => new Date(),
    private readonly changed: () => void = () => {},
  ) {
    for (const url of urls) this.addAgent(url);
  }

  addAgent(url: string): void {
    if (this.nodes.has(url)) return;
    const status: NodeStatus = {
      host: null,
      url,
      state: 'connecting',
      lastSeen: null,
      error: null,
      readOnly: null,
    };
    this.nodes.set(url, { status, part: emptyTopology(), facts: [], geneve: [] });
  }

  view(): ClusterView {
    const nodes = [...this.nodes.values()].map((n) => ({ ...n.status }));
    return { nodes: nodes.sort((a, b) => (a.url < b.url ? -1 : 1)), links: this.links };
  }

  /** The URL of the agent serving `host`, or null. */
  agentUrlOf(host: string): string | null {
    for (const [url, e] of this.nodes) if (e.status.host === host) return url;
    return null;
  }

  /** The agent behind `url` reports `host`; refuses a host another agent already has. */
  identify(url: string, host: string, readOnly: boolean | null = null): void {
    const entry = this.entry(url);
    for (const [other, e] of this.nodes)
      if (other !== url && e.status.host === host)
        throw new Error(`host ${host} is already served by ${other}`);
    if (entry.status.host !== null && entry.status.host !== host && entry.part.namespaces.length > 0) {
      // The node was renamed: its old entities go, the snapshot brings them under the new name.
      this.replacePart(entry, emptyTopology());
    }
    entry.status.host = host;
    entry.status.readOnly = readOnly;
  }

  snapshot(url: string, topology: Topology): void {
    const entry = this.entry(url);
    const host = this.hostOf(entry);
    this.seen(entry);
    this.replacePart(entry, qualifyTopology(host, topology));
  }

  delta(url: string, ops: readonly DeltaOp[]): void {
    const entry = this.entry(url);
    const qops = qualifyOps(this.hostOf(entry), ops);
    this.seen(entry);
    entry.part = applyDelta(entry.part, qops);
    this.target.publish(qops, applyDelta(this.target.state.topology, qops));
    this.relink();
  }

  overlay(url: string, facts: VxlanFact[], geneve: GeneveFact[] = []): void {
    const entry = this.entry(url);
    this.seen(entry);
    if (jsonEqual(entry.facts, facts) && jsonEqual(entry.geneve, geneve)) return;
    entry.facts = facts;
    entry.geneve = geneve;
    this.relink();
  }

  /** The connection ended or failed: keep the entities, mark the node stale. */
  down(url: string, reason: string): void {
    const entry = this.entry(url);
    const state = entry.status.lastSeen === null ? 'connecting' : 'stale';
    if (entry.status.state === state && entry.status.error === reason) return;
    entry.status.state = state;
    entry.status.error = reason;
    this.publishStatus();
  }

  private entry(url: string): NodeEntry {
    const e = this.nodes.get(url);
    if (!e) throw new Error(`unknown agent ${url}`);
    return e;
  }

  private hostOf(entry: NodeEntry): string {
    if (entry.status.host === null) throw new Error(`agent ${entry.status.url} has not said its host name`);
    return entry.status.host;
  }

  private seen(entry: NodeEntry): void {
    entry.status.lastSeen = this.now().toISOString();
    if (entry.status.state !== 'live' || entry.status.error !== null) {
      entry.status.state = 'live';
      entry.status.error = null;
      this.publishStatus();
    }
  }

  private replacePart(entry: NodeEntry, next: Topology): void {
    const ops = diffTopology(entry.part, next);
    entry.part = next;
    if (ops) this.target.publish(ops, applyDelta(this.target.state.topology, ops));
    this.relink();
  }

  private relink(): void {
    const named = [...this.nodes.values()].filter((n) => n.status.host !== null);
    const facts = named.map((n) => ({ host: n.status.host!, facts: n.facts }));
    const geneve = named.map((n) => ({ host: n.status.host!, facts: n.geneve }));
    const merged = this.target.state.topology;
    const links = [...vxlanLinks(facts), ...geneveLinks(geneve, merged), ...nodeRoutes(merged)];
    if (jsonEqual(links, this.links)) return;
    this.links = links;
    this.changed();
  }

  /** Stale and unreachable nodes, as the live stream's status lines (the page shows them). */
  private publishStatus(): void {
    const lines: string[] = [];
    for (const n of this.nodes.values()) {
      const name = n.status.host ?? n.status.url;
      if (n.status.state === 'stale')
        lines.push(
          `node ${name}: stale since ${n.status.lastSeen ?? '?'} (${n.status.error ?? 'disconnected'})`,
        );
      else if (n.status.state === 'connecting' && n.status.error !== null)
        lines.push(`node ${name}: unreachable (${n.status.error})`);
    }
    this.target.setErrors(lines);
    this.changed();
  }
}
