/**
 * Test fixture for recovery.test.ts (never imported by the server): a process that creates a veth
 * pair, prints `stopped after step N` after the configured step, and then waits forever so the
 * test can SIGKILL it there. Run as `node --import tsx crashChild.ts CONFIG_JSON`.
 */
import { MODEL_VERSION } from '../../common/model.js';
import type { Namespace, Topology } from '../../common/model.js';
import { ActionContext } from './context.js';
import { createVeth } from './veth.js';

export interface CrashConfig {
  auditLogPath: string;
  namespaces: Array<{ id: string; inode: number; name: string; path: string }>;
  body: unknown;
  /** The step after which the creation hangs (3: both ends made and tagged). */
  stopAfterStep: number;
}

/** A topology with just these named namespaces (enough for the actions to resolve ids). */
export function fixtureTopology(nss: CrashConfig['namespaces']): Topology {
  const namespaces: Namespace[] = nss.map((n) => ({
    id: n.id,
    inode: n.inode,
    kind: 'named',
    name: n.name,
    netnsNames: [n.name],
    pids: [],
    processes: [],
    containers: [],
    mounts: [n.path],
    error: null,
  }));
  return { version: MODEL_VERSION, namespaces, interfaces: [], routes: [], links: [] };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as CrashConfig;
  const topo = fixtureTopology(cfg.namespaces);
  const ctx = new ActionContext({
    readOnly: false,
    allowHostChanges: false,
    auditLogPath: cfg.auditLogPath,
    getTopology: () => topo,
    namespacePath: (id) => cfg.namespaces.find((n) => n.id === id)?.path ?? null,
    onKernelChanged: () => undefined,
  });
  // Keeps the process alive while the creation hangs after step 1.
  setInterval(() => undefined, 60_000);
  const r = await createVeth(ctx, cfg.body, {
    afterStep: (step) => {
      if (step !== cfg.stopAfterStep) return;
      process.stdout.write(`stopped after step ${step}\n`);
      return new Promise<void>(() => undefined);
    },
  });
  process.stdout.write(`finished ${JSON.stringify(r)}\n`);
  process.exit(1);
}

if (process.argv[1]?.endsWith('crashChild.ts') || process.argv[1]?.endsWith('crashChild.js')) void main();
