/**
 * When to ask the runtimes again. Asking costs a few ms per gRPC runtime and ~100 ms per podman
 * CLI run, so an answer is reused until a namespace appears that was not there when it was taken,
 * a cgroup names a container it does not know, the runtimes' events invalidate it, or it is older
 * than INVENTORY_TTL_MS (renames, and containers that join an existing namespace).
 */
import type { NamespaceFacts } from '../assemble.js';
import type { Inventory, RuntimeOptions } from './inventory.js';
import { collectRuntimes } from './inventory.js';

export const INVENTORY_TTL_MS = 10_000;

export class InventoryCache {
  private last: { at: number; inodes: Set<number>; inventory: Inventory; podman: boolean } | null = null;

  constructor(private readonly opts: RuntimeOptions = {}) {}

  /** Forget the last answer (full reads; a runtime event said something started or stopped). */
  invalidate(): void {
    this.last = null;
  }

  async inventory(facts: NamespaceFacts[], errors: string[], now = Date.now()): Promise<Inventory> {
    const inodes = new Set(facts.map((f) => f.found.inode));
    let podman = false;
    let unknownId = false;
    const last = this.last;
    /** One process of each podman container (its conmon says where the container's storage is). */
    const podmanPids = new Map<string, number>();
    for (const f of facts) {
      for (const [pid, c] of f.cgroups) {
        if (c.runtime === 'podman') {
          podman = true;
          if (!podmanPids.has(c.id)) podmanPids.set(c.id, pid);
        }
        // Docker is asked separately; LXC's cgroups name their containers themselves.
        if (c.runtime !== 'docker' && c.runtime !== 'lxc' && last && !last.inventory.byId.has(c.id))
          unknownId = true;
      }
    }
    const fresh =
      last !== null &&
      now - last.at < INVENTORY_TTL_MS &&
      !unknownId &&
      (last.podman || !podman) &&
      [...inodes].every((ino) => last.inodes.has(ino));
    if (!fresh) {
      const inventory = await collectRuntimes(this.opts, { podman, podmanPids: [...podmanPids.values()] });
      this.last = { at: now, inodes, inventory, podman };
    }
    errors.push(...this.last!.inventory.errors);
    return this.last!.inventory;
  }
}
