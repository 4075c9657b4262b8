/**
 * The nftables rulesets the trace has read, per namespace, kept while the namespace's ruleset
 * generation (NFT_MSG_GETGEN) stays the same, so that `nft -j list ruleset` runs only after a
 * change. Holds numbers and parsed JSON only, never an fd: it cannot keep a namespace alive.
 * An entry is valid for one namespace instance (its netns cookie, never reused) and one
 * generation; entries of namespaces that are gone are dropped (`retain`).
 */
import type { FirewallRead } from './reader.js';

interface Entry {
  cookie: number;
  generation: number;
  read: FirewallRead;
}

const MAX_ENTRIES = 4096;

export class FirewallCache {
  private readonly byInode = new Map<number, Entry>();

  get(inode: number, cookie: number, generation: number): FirewallRead | null {
    const e = this.byInode.get(inode);
    return e && e.cookie === cookie && e.generation === generation ? e.read : null;
  }

  /** `generation` must have been asked before the ruleset was read (a later change then misses). */
  set(inode: number, cookie: number, generation: number, read: FirewallRead): void {
    this.byInode.delete(inode);
    this.byInode.set(inode, { cookie, generation, read });
    // Oldest first out: Map keeps insertion order.
    for (const k of this.byInode.keys()) {
      if (this.byInode.size <= MAX_ENTRIES) break;
      this.byInode.delete(k);
    }
  }

  /** Drops the entries of namespaces not in `inodes` (the model's namespaces). */
  retain(inodes: Set<number>): void {
    for (const k of [...this.byInode.keys()]) if (!inodes.has(k)) this.byInode.delete(k);
  }

  get size(): number {
    return this.byInode.size;
  }
}
