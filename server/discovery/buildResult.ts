/**
 * The last step of every read, shared by the `ip` reader and the native one: facts of each
 * namespace's processes, container names from Docker and the other runtimes, then the model.
 */
import type { DiscoveryResult } from './api.js';
import { assemble, describeNamespace } from './assemble.js';
import type { FoundNamespace, Scan } from './enumerate.js';
import { byId } from '../../common/model.js';
import { nsId } from '../../common/ids.js';
import type { FactsCache } from './facts.js';
import type { NamespaceRead } from './ipParse.js';
import type { InterfaceMemo } from './peers.js';
import type { ReadOutcome } from './reader.js';
import type { InventoryCache } from './runtimes/cache.js';

export interface BuildInputs {
  scan: Scan;
  facts: FactsCache;
  runtimes: InventoryCache;
  cache: Map<number, ReadOutcome>;
  memo: InterfaceMemo;
  errors: string[];
  /** Namespaces whose processes' facts are read again (all of them on full reads). */
  fresh: Set<number> | 'all';
}

const idOrder = new WeakMap<Scan, FoundNamespace[]>();

/**
 * The scan's namespaces in id order, sorted once per scan (live refreshes reuse the last one):
 * the model's namespace list then comes out sorted, and normalizing it is a check, not a sort.
 */
function inIdOrder(scan: Scan): FoundNamespace[] {
  let list = idOrder.get(scan);
  if (!list || list.length !== scan.namespaces.size) {
    list = [...scan.namespaces.values()]
      .map((f) => ({ id: nsId(f.inode), f }))
      .sort(byId)
      .map((x) => x.f);
    idOrder.set(scan, list);
  }
  return list.filter((f) => scan.namespaces.get(f.inode) === f);
}

export async function buildResult(b: BuildInputs): Promise<DiscoveryResult> {
  const { scan, facts, errors, fresh } = b;
  const present = new Set<number>();
  const nsFacts = inIdOrder(scan).map((f) => {
    for (const pid of f.pids) present.add(pid);
    return facts.factsOf(f, f.inode === scan.hostInode, fresh === 'all' || fresh.has(f.inode));
  });
  facts.prune(present);
  const [dockerInfo, inventory] = await Promise.all([
    facts.dockerInfo(nsFacts, errors),
    b.runtimes.inventory(nsFacts, errors),
  ]);
  const namespaces = nsFacts.map((f) => describeNamespace(f, dockerInfo, inventory));
  const reads = new Map<number, NamespaceRead>();
  const unreadable = new Map<number, string>();
  for (const n of namespaces) {
    const o = b.cache.get(n.inode);
    if (o && 'read' in o) reads.set(n.inode, o.read);
    else unreadable.set(n.inode, o ? o.error : 'not read');
  }
  const { topology, errors: more } = assemble({ namespaces, reads, unreadable }, b.memo);
  const hostNsids = reads.get(scan.hostInode)?.nsids ?? new Map<number, number>();
  return { topology, errors: [...errors, ...more], hostNsids };
}
